//! Discover stage: command-line paths to the list of files to lint.

use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};

use globset::{Glob, GlobSet, GlobSetBuilder};
use ignore::WalkBuilder;
use ignore::gitignore::{Gitignore, GitignoreBuilder};

use crate::config::{self, Config};

#[derive(Clone, Debug, Default)]
pub struct Discovered {
    /// Files to lint, in a stable order, as paths to show users.
    pub files: Vec<PathBuf>,
    /// Paths that could not be read or do not exist (each makes the run exit 2).
    pub errors: Vec<String>,
    /// Entries passed over on purpose, with the reason (shown with --verbose).
    pub notes: Vec<String>,
    /// Every `.gwlint.yaml` met in the walk (the caller warns about those not in use).
    pub config_files: Vec<PathBuf>,
}

/// The most of a `.gitignore` that is read: a planted one may be a link to `/dev/zero`.
const MAX_GITIGNORE_SIZE: u64 = 1 << 20;

/// `.gitignore` matching for one walk, from the walk's root up to the repository root (the
/// nearest `.git` at or above it, or the walk's root without one) and no further: a
/// `.gitignore` in a directory above the checkout (a home directory's `*`) must not make a run
/// lint nothing and pass. Only `.gitignore` files (and the repository's `.git/info/exclude`) are
/// read, as the README promises; the `ignore` crate would also honour `.ignore` files, which a
/// repository could use to hide its manifests from gwlint alone.
struct GitIgnores {
    /// The repository root, resolved.
    boundary: PathBuf,
    /// Each directory's chain of matchers (see `chain`), keyed by the path's bytes (hashing a
    /// `Path` walks its components); built on first use from the parent's.
    chains: Mutex<HashMap<std::ffi::OsString, Chain>>,
}

/// The `.gitignore` matchers that apply in a directory, deepest first, with their directories.
type Chain = Arc<Vec<(PathBuf, Arc<Gitignore>)>>;

impl GitIgnores {
    fn new(canon_root: &Path) -> GitIgnores {
        let boundary = config::repository_above(canon_root)
            .unwrap_or(canon_root)
            .to_path_buf();
        GitIgnores {
            boundary,
            chains: Mutex::new(HashMap::new()),
        }
    }

    /// The directory's own matcher (its `.gitignore`, and `.git/info/exclude` at the boundary).
    fn matcher(&self, dir: &Path) -> Option<Arc<Gitignore>> {
        let mut b = GitignoreBuilder::new(dir);
        let mut any = false;
        let mut files = Vec::new();
        if dir == self.boundary {
            files.push(dir.join(".git").join("info").join("exclude"));
        }
        // Later files win over earlier ones for the same path, as in git.
        files.push(dir.join(".gitignore"));
        for f in files {
            // A symlinked .gitignore is not followed (git does not follow it either).
            if !std::fs::symlink_metadata(&f).is_ok_and(|m| m.is_file()) {
                continue;
            }
            let Ok(Some(bytes)) = crate::read_file_at_most(&f, MAX_GITIGNORE_SIZE) else {
                continue;
            };
            for line in String::from_utf8_lossy(&bytes).lines() {
                // An invalid pattern is passed over, as git does; the others still apply.
                let _ = b.add_line(Some(f.clone()), line);
            }
            any = true;
        }
        if any {
            b.build().ok().map(Arc::new)
        } else {
            None
        }
    }

    /// The matchers that apply in `dir`, deepest first: its own `.gitignore` and those of its
    /// ancestors up to the boundary. Memoised per directory from the parent's chain, so a walk
    /// reads each `.gitignore` once and asks once per directory, not per file and ancestor.
    fn chain(&self, dir: &Path) -> Chain {
        let key = dir.as_os_str();
        if let Some(c) = self.chains.lock().ok().and_then(|m| m.get(key).cloned()) {
            return c;
        }
        let blen = self.boundary.as_os_str().len();
        let at_boundary = key.len() == blen && dir == self.boundary;
        let below = key.len() > blen && dir.starts_with(&self.boundary);
        let chain: Chain = if !(at_boundary || below) {
            Arc::new(Vec::new())
        } else {
            let parent: Chain = match dir.parent() {
                Some(p) if below => self.chain(p),
                _ => Arc::new(Vec::new()),
            };
            match self.matcher(dir) {
                Some(m) => {
                    let mut v = Vec::with_capacity(parent.len() + 1);
                    v.push((dir.to_path_buf(), m));
                    v.extend(parent.iter().cloned());
                    Arc::new(v)
                }
                None => parent,
            }
        };
        if let Ok(mut m) = self.chains.lock() {
            m.insert(key.to_os_string(), chain.clone());
        }
        chain
    }

    /// The `.gitignore` that excludes `path` (resolved, below the boundary), if one does: the
    /// deepest file with a matching pattern decides, as in git.
    fn ignored_by(&self, path: &Path, is_dir: bool) -> Option<PathBuf> {
        let chain = self.chain(path.parent()?);
        Self::ignored_in(&chain, path, is_dir)
    }

    /// [`Self::ignored_by`] with the chain of `path`'s directory already at hand.
    fn ignored_in(
        chain: &[(PathBuf, Arc<Gitignore>)],
        path: &Path,
        is_dir: bool,
    ) -> Option<PathBuf> {
        for (dir, m) in chain {
            {
                let found = m.matched(path, is_dir);
                if let ignore::Match::Ignore(glob) = found {
                    // The file the pattern came from (.gitignore or .git/info/exclude).
                    return Some(
                        glob.from()
                            .map(Path::to_path_buf)
                            .unwrap_or_else(|| dir.join(".gitignore")),
                    );
                }
                if found.is_whitelist() {
                    return None;
                }
            }
        }
        None
    }
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

/// [`display_path`] for a working directory known already.
pub fn display_path_in(p: &Path, cwd: Option<&Path>) -> PathBuf {
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

/// `p` made absolute against `cwd` and cleaned lexically (`.` dropped, `..` taking off the
/// component before it), without looking at the file system: two spellings of one path written
/// from the same working directory compare equal.
pub fn lexical_abs(p: &Path, cwd: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    let joined;
    let p = if p.is_absolute() {
        p
    } else {
        joined = cwd.join(p);
        &joined
    };
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if out.parent().is_some() {
                    out.pop();
                } else if !out.has_root() {
                    out.push(c);
                }
            }
            _ => out.push(c),
        }
    }
    out
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

/// The resolved path of an entry of a walk from `root`, for matching against .gitignore files.
fn resolved(canon_root: &Path, root: &Path, p: &Path) -> PathBuf {
    canon_root.join(p.strip_prefix(root).unwrap_or(p))
}

pub fn discover(paths: &[PathBuf], cfg: &Config) -> Discovered {
    discover_explained(paths, cfg, false)
}

/// [`discover`], and with `explain`, a note for every file passed over for its name (not YAML,
/// not included): `--verbose` says why each file was not linted. Off otherwise, since a large
/// repository has many such files and nobody reads the notes.
pub fn discover_explained(paths: &[PathBuf], cfg: &Config, explain: bool) -> Discovered {
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
        // Shared with the walk's filter, which must own what it uses.
        let ignores = Arc::new(GitIgnores::new(&canon_root));
        let pruned = Arc::new(Mutex::new(Vec::new()));
        let mut found = Vec::new();
        // The walk (directory reads, .gitignore matching) runs on all threads; the entries are
        // then handled in sorted order, so the result does not depend on the thread count.
        let entries = std::sync::Mutex::new(Vec::new());
        // The crate's own ignore-file handling is off (see `GitIgnores`); hidden files are linted.
        WalkBuilder::new(root)
            .standard_filters(false)
            .follow_links(false)
            .threads(rayon::current_num_threads())
            .filter_entry({
                let (ignores, pruned, cwd) = (ignores.clone(), pruned.clone(), cwd.clone());
                let (root, canon_root) = (root.clone(), canon_root.clone());
                move |e| {
                    if !e.file_type().is_some_and(|t| t.is_dir()) || e.depth() == 0 {
                        return true;
                    }
                    if e.file_name()
                        .to_str()
                        .is_some_and(|n| SKIP_DIRS.contains(&n))
                    {
                        return false;
                    }
                    match ignores.ignored_by(&resolved(&canon_root, &root, e.path()), true) {
                        Some(by) => {
                            if let Ok(mut p) = pruned.lock() {
                                p.push(format!(
                                    "{}: directory ignored by {}, not walked",
                                    e.path().display(),
                                    display_path_in(&by, cwd.as_deref()).display()
                                ));
                            }
                            false
                        }
                        None => true,
                    }
                }
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
        let mut last_dir: Option<PathBuf> = None;
        let mut last_chain: Chain = Arc::new(Vec::new());
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
            if ft.is_dir() {
                continue;
            }
            let rel = path.strip_prefix(root).unwrap_or(path);
            // Entries come sorted, so a directory's files are consecutive: its matcher chain is
            // looked up once for all of them.
            let full = resolved(&canon_root, root, path);
            let dir = full.parent().unwrap_or(&full);
            if last_dir.as_deref() != Some(dir) {
                last_chain = ignores.chain(dir);
                last_dir = Some(dir.to_path_buf());
            }
            let ignored = || GitIgnores::ignored_in(&last_chain, &full, false);
            if entry.file_name() == config::FILE_NAME && ignored().is_none() {
                out.config_files.push(path.to_path_buf());
            }
            let selected = match &include {
                Some(g) => g.is_match(rel),
                None => path.extension().is_some_and(|x| x == "yaml" || x == "yml"),
            };
            // The name is looked at first: it is cheaper than matching .gitignore files.
            if !selected {
                if explain {
                    out.notes.push(format!(
                        "{}: {}, skipped",
                        path.display(),
                        if include.is_some() {
                            "not matched by the configuration's `include`"
                        } else {
                            "not a .yaml or .yml file"
                        }
                    ));
                }
                continue;
            }
            if let Some(by) = ignored() {
                out.notes.push(format!(
                    "{}: ignored by {}, skipped",
                    path.display(),
                    display_path_in(&by, cwd.as_deref()).display()
                ));
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
        let mut pruned = pruned
            .lock()
            .map(|mut p| std::mem::take(&mut *p))
            .unwrap_or_default();
        pruned.sort();
        out.notes.extend(pruned);
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
