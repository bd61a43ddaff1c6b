//! Discover stage: command-line paths to the list of files to lint.

use rayon::prelude::*;
use std::collections::HashSet;
use std::path::{Component, Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};
use ignore::WalkBuilder;

use crate::config::Config;

#[derive(Debug, Default)]
pub struct Discovered {
    /// Files to lint, in a stable order, as paths to show users.
    pub files: Vec<PathBuf>,
    /// Paths that could not be read or do not exist (each makes the run exit 2).
    pub errors: Vec<String>,
    /// Entries passed over on purpose, with the reason (shown with --verbose).
    pub notes: Vec<String>,
}

const SKIP_DIRS: &[&str] = &[".git", "target", "node_modules"];

fn globset(patterns: &[String]) -> Result<Option<GlobSet>, String> {
    if patterns.is_empty() {
        return Ok(None);
    }
    let mut b = GlobSetBuilder::new();
    for p in patterns {
        b.add(Glob::new(p).map_err(|e| format!("invalid glob `{p}`: {e}"))?);
        if !p.contains('/') {
            // A bare pattern also matches at any depth, as in .gitignore.
            b.add(Glob::new(&format!("**/{p}")).map_err(|e| format!("invalid glob `{p}`: {e}"))?);
        }
    }
    b.build().map(Some).map_err(|e| e.to_string())
}

/// Shown path: relative to the working directory when below it, without a leading `./`.
pub fn display_path(p: &Path) -> PathBuf {
    display_path_in(p, std::env::current_dir().ok().as_deref())
}

fn display_path_in(p: &Path, cwd: Option<&Path>) -> PathBuf {
    let rel = match (cwd, p.is_absolute()) {
        (Some(cwd), true) => p
            .strip_prefix(cwd)
            .map(Path::to_path_buf)
            .unwrap_or_else(|_| p.to_path_buf()),
        _ => p.to_path_buf(),
    };
    rel.components()
        .filter(|c| !matches!(c, Component::CurDir))
        .collect()
}

/// `Path`'s order for paths that start alike (those of one walk), compared as bytes with the
/// separator ranked below every other byte, which is what comparing components amounts to.
fn path_order(a: &Path, b: &Path) -> std::cmp::Ordering {
    let (a, b) = (
        a.as_os_str().as_encoded_bytes(),
        b.as_os_str().as_encoded_bytes(),
    );
    // Paths of one tree share long prefixes: skip them eight bytes at a time.
    let n = a.len().min(b.len());
    let mut common = 0;
    while common + 8 <= n && a[common..common + 8] == b[common..common + 8] {
        common += 8;
    }
    while common < n && a[common] == b[common] {
        common += 1;
    }
    let rank = |s: &[u8]| s.get(common).map(|&c| if c == b'/' { 0 } else { c });
    rank(a).cmp(&rank(b))
}

pub fn discover(paths: &[PathBuf], cfg: &Config) -> Discovered {
    let mut out = Discovered::default();
    let include = match globset(&cfg.include) {
        Ok(g) => g,
        Err(e) => {
            out.errors.push(e);
            return out;
        }
    };
    let exclude = match globset(&cfg.exclude) {
        Ok(g) => g,
        Err(e) => {
            out.errors.push(e);
            return out;
        }
    };
    let cwd = std::env::current_dir().ok();
    // Canonical paths are only needed to spot the same file reached twice: through a symlink,
    // or when several command-line paths overlap.
    let dedupe_all = paths.len() > 1;
    let mut seen: HashSet<PathBuf> = HashSet::new();
    for root in paths {
        let meta = match std::fs::metadata(root) {
            Ok(m) => m,
            Err(e) => {
                out.errors.push(format!("{}: {e}", root.display()));
                continue;
            }
        };
        if !meta.is_dir() {
            // A file named on the command line is linted whatever its name, and so is a pipe
            // (`gwlint check <(kustomize build .)` names /dev/fd/63).
            let canon = std::fs::canonicalize(root).unwrap_or_else(|_| root.clone());
            if seen.insert(canon) {
                out.files.push(display_path_in(root, cwd.as_deref()));
            }
            continue;
        }
        let canon_root = std::fs::canonicalize(root).unwrap_or_else(|_| root.clone());
        let mut found = Vec::new();
        // The walk (directory reads, .gitignore matching) runs on all threads; the entries are
        // then handled in sorted order, so the result does not depend on the thread count.
        let entries = std::sync::Mutex::new(Vec::new());
        WalkBuilder::new(root)
            .hidden(false)
            .git_global(false)
            .require_git(false)
            .follow_links(false)
            .threads(rayon::current_num_threads())
            .filter_entry(|e| {
                !(e.file_type().is_some_and(|t| t.is_dir())
                    && e.file_name()
                        .to_str()
                        .is_some_and(|n| SKIP_DIRS.contains(&n)))
            })
            .build_parallel()
            .run(|| {
                Box::new(|entry| {
                    if let Ok(mut v) = entries.lock() {
                        v.push(entry.map_err(|e| e.to_string()));
                    }
                    ignore::WalkState::Continue
                })
            });
        let (mut walker, mut failed): (Vec<_>, Vec<_>) = entries
            .into_inner()
            .unwrap_or_default()
            .into_iter()
            .partition(Result::is_ok);
        // Comparing paths component by component was a quarter of discovery on a large tree.
        walker.par_sort_unstable_by(|a, b| match (a, b) {
            (Ok(a), Ok(b)) => path_order(a.path(), b.path()),
            _ => std::cmp::Ordering::Equal,
        });
        failed.sort_by(|a, b| a.as_ref().err().cmp(&b.as_ref().err()));
        walker.append(&mut failed);
        for entry in walker {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    out.errors.push(e);
                    continue;
                }
            };
            let Some(ft) = entry.file_type() else {
                continue;
            };
            let path = entry.path();
            let rel = path.strip_prefix(root).unwrap_or(path);
            let selected = match &include {
                Some(g) => g.is_match(rel),
                None => path.extension().is_some_and(|x| x == "yaml" || x == "yml"),
            };
            if !selected || ft.is_dir() {
                continue;
            }
            if exclude.as_ref().is_some_and(|g| g.is_match(rel)) {
                out.notes
                    .push(format!("{}: excluded by configuration", path.display()));
                continue;
            }
            let key = if ft.is_symlink() {
                match std::fs::canonicalize(path) {
                    Ok(c) if c.starts_with(&canon_root) && c.is_file() => c,
                    Ok(c) if c.is_dir() => {
                        out.notes.push(format!(
                            "{}: symlink to a directory, not followed",
                            path.display()
                        ));
                        continue;
                    }
                    Ok(_) => {
                        out.notes.push(format!(
                            "{}: symlink out of the tree, not followed",
                            path.display()
                        ));
                        continue;
                    }
                    Err(e) => {
                        out.notes
                            .push(format!("{}: broken symlink ({e}), skipped", path.display()));
                        continue;
                    }
                }
            } else if ft.is_file() {
                if dedupe_all {
                    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
                } else {
                    canon_root.join(path.strip_prefix(root).unwrap_or(path))
                }
            } else {
                // A FIFO, socket or device in the tree: reading it could block forever.
                out.notes
                    .push(format!("{}: not a regular file, skipped", path.display()));
                continue;
            };
            if seen.insert(key) {
                found.push(display_path_in(path, cwd.as_deref()));
            } else {
                out.notes.push(format!(
                    "{}: same file as one already listed, skipped",
                    path.display()
                ));
            }
        }
        found.par_sort_unstable_by(|a, b| path_order(a, b));
        out.files.extend(found);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A directory entry's name: never `.` or `..`.
    fn segment() -> impl Strategy<Value = String> {
        proptest::string::string_regex("[a-c._-]{1,12}")
            .unwrap()
            .prop_filter("an entry name", |s| s != "." && s != "..")
    }

    proptest! {
        /// Sorting by bytes with the separator first gives `Path`'s own order for paths of
        /// one walk.
        #[test]
        fn path_order_is_paths_order(
            tails in proptest::collection::vec(proptest::collection::vec(segment(), 1..4), 1..30),
            root in prop_oneof![Just("repo"), Just("/abs/repo"), Just("./repo")],
        ) {
            let paths: Vec<PathBuf> = tails
                .iter()
                .map(|t| t.iter().fold(PathBuf::from(root), |p, s| p.join(s)))
                .collect();
            let mut by_path = paths.clone();
            by_path.sort();
            let mut by_key = paths;
            by_key.sort_by(|a, b| path_order(a, b));
            prop_assert_eq!(by_path, by_key);
        }
    }
}
