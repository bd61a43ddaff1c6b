//! The one way to say "this file of the tree has this content, not what is on disk": an editor's
//! unsaved buffers (the language server) and the edits `--fix`/`--diff` lint before writing any
//! are both an [`Overlay`] in [`crate::Options`].

use std::collections::{HashMap, HashSet};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Texts by the paths of the files they stand for, made absolute lexically
/// ([`crate::discover::lexical_abs`]). Cloning shares the texts.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Overlay {
    texts: HashMap<PathBuf, Arc<String>>,
}

impl Overlay {
    pub fn new() -> Overlay {
        Overlay::default()
    }

    /// Makes `text` stand for the file at `path` (relative paths are taken from the working
    /// directory).
    pub fn insert(&mut self, path: &Path, text: impl Into<Arc<String>>) {
        self.texts.insert(absolute(path), text.into());
    }

    /// The file at `path` counts as on disk again.
    pub fn remove(&mut self, path: &Path) {
        self.texts.remove(&absolute(path));
    }

    pub fn get(&self, path: &Path) -> Option<&Arc<String>> {
        if self.texts.is_empty() {
            return None;
        }
        self.texts.get(&absolute(path))
    }

    pub fn is_empty(&self) -> bool {
        self.texts.is_empty()
    }

    pub fn len(&self) -> usize {
        self.texts.len()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&PathBuf, &Arc<String>)> {
        self.texts.iter()
    }

    /// A lookup for the files of one run: most files have no text here, and telling so by their
    /// names alone spares making every path of the run absolute.
    pub(crate) fn lookup(&self) -> Lookup<'_> {
        Lookup {
            overlay: self,
            names: self.texts.keys().filter_map(|p| p.file_name()).collect(),
            cwd: std::env::current_dir().unwrap_or_default(),
        }
    }
}

impl FromIterator<(PathBuf, String)> for Overlay {
    fn from_iter<I: IntoIterator<Item = (PathBuf, String)>>(iter: I) -> Overlay {
        let mut o = Overlay::new();
        for (p, t) in iter {
            o.insert(&p, t);
        }
        o
    }
}

fn absolute(path: &Path) -> PathBuf {
    let cwd = std::env::current_dir().unwrap_or_default();
    crate::discover::lexical_abs(path, &cwd)
}

pub(crate) struct Lookup<'a> {
    overlay: &'a Overlay,
    names: HashSet<&'a OsStr>,
    cwd: PathBuf,
}

impl Lookup<'_> {
    pub fn get(&self, path: &Path) -> Option<&Arc<String>> {
        let name = path.file_name()?;
        if !self.names.contains(name) {
            return None;
        }
        self.overlay
            .texts
            .get(&crate::discover::lexical_abs(path, &self.cwd))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_and_absolute_paths_name_one_file() {
        let cwd = std::env::current_dir().unwrap();
        let mut o = Overlay::new();
        o.insert(Path::new("a/./b.yaml"), String::from("x: 1\n"));
        let abs = cwd.join("a/b.yaml");
        assert_eq!(o.get(&abs).map(|t| t.as_str()), Some("x: 1\n"));
        let l = o.lookup();
        assert_eq!(
            l.get(Path::new("a/c/../b.yaml")).map(|t| t.as_str()),
            Some("x: 1\n")
        );
        assert!(l.get(Path::new("a/c.yaml")).is_none());
        assert!(l.get(Path::new("b.yaml")).is_none());
        o.remove(&abs);
        assert!(o.is_empty());
    }
}
