//! The resolve stage's layout ([`kustomize::layout`]) kept between runs of a long-lived client.
//!
//! The layout is a function of the file table's paths and of a few files' content: those that
//! hold kustomizations, Flux Kustomizations or ConfigMaps (their fields), and those a
//! kustomization reads as text (its patch and replacement files). Of every other file it reads
//! only the keys of its objects (a replacement's source may be any object of its build). So
//! the layout of the last run is reused when the paths are the same, no governing file changed
//! and every other file that changed holds objects with the same keys as before: an edit to a
//! route's spec, not its name, reuses it.
//!
//! Whatever [`kustomize::layout`] comes to read must be in [`FileKey`]: a layout reused where a
//! fresh run would compute another is a wrong finding.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::kustomize::{self, Layout};
use crate::model::{ObjKey, Object, Spec};
use crate::source::{FileId, SourceFile};

/// What the layout reads of one file.
#[derive(Debug, PartialEq)]
enum FileKey {
    /// A governing file: all of its content (the same allocation means the same text; the key
    /// keeps it alive, so it cannot be reused for another).
    Governing(ArcText),
    /// Any other file: the keys of its objects, in order.
    Keys(Vec<ObjKey>),
}

/// A text compared by identity.
#[derive(Debug)]
struct ArcText(Arc<String>);

impl PartialEq for ArcText {
    fn eq(&self, other: &ArcText) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

/// The last layout and what it was computed from.
#[derive(Default)]
pub(crate) struct LayoutMemo {
    paths: Vec<PathBuf>,
    /// By file id: the text the key was taken from, and the key.
    keys: Vec<(Arc<String>, FileKey)>,
    /// Files a kustomization reads as text (patches, replacement files), by normalised path.
    read_as_text: HashSet<PathBuf>,
    layout: Option<Arc<Layout>>,
    /// Whether the last call reused the layout (for tests and the server's log).
    pub reused: bool,
}

fn governs(o: &Object) -> bool {
    matches!(
        o.spec,
        Spec::Kustomization(_) | Spec::FluxKustomization(_) | Spec::ConfigMap(_)
    )
}

/// The files kustomizations read as text: their patch files and replacement files.
fn read_as_text(objects: &[Object], files: &[SourceFile]) -> HashSet<PathBuf> {
    let mut out = HashSet::new();
    for o in objects {
        let Spec::Kustomization(k) = &o.spec else {
            continue;
        };
        let Some(f) = files.get(o.file as usize) else {
            continue;
        };
        let dir = f.path.parent().unwrap_or(Path::new(""));
        let replacement_files = k.replacements.iter().filter_map(|r| match r {
            crate::model::kustomize::ReplacementEntry::Path(p) => Some(p),
            crate::model::kustomize::ReplacementEntry::Inline(_) => None,
        });
        for p in k.patches.iter().chain(replacement_files) {
            out.insert(kustomize::normalize(&dir.join(p)));
        }
    }
    out
}

impl LayoutMemo {
    /// The layout of `objects` in `files`: the last one when it is still what
    /// [`kustomize::layout`] would compute, else computed now.
    pub(crate) fn layout(&mut self, objects: &[Object], files: &[SourceFile]) -> Arc<Layout> {
        if let Some(layout) = self
            .layout
            .as_ref()
            .filter(|_| self.unchanged(objects, files))
        {
            self.reused = true;
            return Arc::clone(layout);
        }
        self.reused = false;
        let layout = Arc::new(kustomize::layout(objects, files));
        self.read_as_text = read_as_text(objects, files);
        self.paths = files.iter().map(|f| f.path.clone()).collect();
        let mut keys = self.keys_of(objects, files, |_| true);
        self.keys = files
            .iter()
            .zip(keys.iter_mut())
            .map(|(f, k)| {
                let k = k.take().unwrap_or(FileKey::Keys(Vec::new()));
                (Arc::clone(&f.text), k)
            })
            .collect();
        self.layout = Some(Arc::clone(&layout));
        layout
    }

    /// Whether the layout computed last is what the layout of these files would be.
    fn unchanged(&self, objects: &[Object], files: &[SourceFile]) -> bool {
        if files.len() != self.paths.len()
            || files.len() != self.keys.len()
            || files.iter().zip(&self.paths).any(|(f, p)| f.path != *p)
        {
            return false;
        }
        // A file with the same text has the same objects (the configuration, and so the model,
        // is that of the cache): only the files whose text changed are looked at.
        let changed: Vec<bool> = files
            .iter()
            .zip(&self.keys)
            .map(|(f, (text, _))| !Arc::ptr_eq(&f.text, text))
            .collect();
        if !changed.contains(&true) {
            return true;
        }
        let now = self.keys_of(objects, files, |id| {
            changed.get(id as usize).copied().unwrap_or(false)
        });
        now.into_iter()
            .zip(&self.keys)
            .all(|(now, (_, was))| now.is_none_or(|now| now == *was))
    }

    /// The keys of the files `wanted` selects (None for the others), by file id.
    fn keys_of(
        &self,
        objects: &[Object],
        files: &[SourceFile],
        wanted: impl Fn(FileId) -> bool,
    ) -> Vec<Option<FileKey>> {
        let mut out: Vec<Option<FileKey>> = files
            .iter()
            .map(|f| {
                if !wanted(f.id) {
                    None
                } else if self.read_as_text.contains(&*f.normalized_path()) {
                    Some(FileKey::Governing(ArcText(Arc::clone(&f.text))))
                } else {
                    Some(FileKey::Keys(Vec::new()))
                }
            })
            .collect();
        for o in objects {
            let (Some(slot), Some(f)) = (out.get_mut(o.file as usize), files.get(o.file as usize))
            else {
                continue;
            };
            if !matches!(slot, Some(FileKey::Keys(_))) {
                continue;
            }
            if governs(o) {
                *slot = Some(FileKey::Governing(ArcText(Arc::clone(&f.text))));
            } else if let Some(FileKey::Keys(keys)) = slot {
                keys.push(o.key.clone());
            }
        }
        out
    }
}
