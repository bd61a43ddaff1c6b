//! `--new-from-rev REV`: the tree at a git revision, written to a temporary directory so that it
//! is discovered and linted exactly as the working tree is (same `.gitignore` files, same
//! configuration), with its files shown under the paths the working tree's run shows. Only
//! findings whose fingerprint does not occur there (with multiplicity) are new.
//!
//! git is run as a subprocess, read-only: `rev-parse`, `ls-tree` and one `cat-file --batch` for
//! every blob, whatever the number of files. The working tree and the index are never touched.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Component, Path, PathBuf};
use std::process::{Command, Stdio};

use crate::config::Config;
use crate::discover::lexical_abs;
use crate::{Options, Outcome};

/// The tree of a revision, written out; removed when dropped.
#[derive(Debug)]
pub struct RevTree {
    /// The temporary directory standing for the repository's top level.
    dir: PathBuf,
    /// The repository's top level (as git prints it).
    toplevel: PathBuf,
    /// The working directory, when it lies inside the repository.
    cwd: Option<PathBuf>,
    /// Its path relative to the top level.
    prefix: Option<PathBuf>,
    /// Blobs written.
    pub files: usize,
    /// Directories made so far (each is made once).
    made: std::collections::HashSet<PathBuf>,
}

impl Drop for RevTree {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn git(dir: &Path) -> Command {
    let mut c = Command::new("git");
    c.arg("-C").arg(dir);
    // Read-only commands; no prompts, no pager.
    c.env("GIT_TERMINAL_PROMPT", "0").env("GIT_PAGER", "cat");
    c
}

fn run(mut cmd: Command, what: &str) -> Result<std::process::Output, String> {
    cmd.stdin(Stdio::null());
    cmd.output().map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            "--new-from-rev needs git, which was not found on PATH".to_string()
        } else {
            format!("cannot run git ({what}): {e}")
        }
    })
}

fn first_line(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes)
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim()
        .to_string()
}

/// One entry of `git ls-tree -r -l`.
struct Entry {
    mode: String,
    oid: String,
    size: u64,
    path: PathBuf,
}

fn parse_ls_tree(out: &[u8]) -> Vec<Entry> {
    out.split(|&b| b == 0)
        .filter_map(|rec| {
            let tab = rec.iter().position(|&b| b == b'\t')?;
            let head = std::str::from_utf8(&rec[..tab]).ok()?;
            let mut f = head.split_ascii_whitespace();
            let (mode, kind, oid, size) = (f.next()?, f.next()?, f.next()?, f.next()?);
            if kind != "blob" {
                return None;
            }
            let path = bytes_to_path(&rec[tab + 1..])?;
            // git never stores `..` or absolute paths; a crafted tree is refused entry by entry.
            if !path.components().all(|c| matches!(c, Component::Normal(_))) {
                return None;
            }
            Some(Entry {
                mode: mode.to_string(),
                oid: oid.to_string(),
                size: size.parse().ok()?,
                path,
            })
        })
        .collect()
}

#[cfg(unix)]
fn bytes_to_path(b: &[u8]) -> Option<PathBuf> {
    use std::os::unix::ffi::OsStrExt;
    Some(PathBuf::from(std::ffi::OsStr::from_bytes(b)))
}

#[cfg(not(unix))]
fn bytes_to_path(b: &[u8]) -> Option<PathBuf> {
    std::str::from_utf8(b).ok().map(PathBuf::from)
}

/// Where the tree is written: `$TMPDIR` when set, else `/dev/shm` where it exists (memory: on a
/// busy disk, creating thousands of small files took seconds), else the system's temporary
/// directory.
fn temp_base() -> PathBuf {
    if std::env::var_os("TMPDIR").is_none() {
        let shm = Path::new("/dev/shm");
        if cfg!(target_os = "linux") && std::fs::symlink_metadata(shm).is_ok_and(|m| m.is_dir()) {
            return shm.to_path_buf();
        }
    }
    std::env::temp_dir()
}

/// A fresh private directory under [`temp_base`] (the system's temporary directory when that
/// fails).
fn temp_dir() -> Result<PathBuf, String> {
    match private_dir(&temp_base()) {
        Ok(d) => Ok(d),
        Err(_) => private_dir(&std::env::temp_dir()),
    }
}

/// Removes the trees of runs that were killed before they could (their process is gone), ours
/// only: in `/dev/shm` they would hold memory until the next boot.
#[cfg(target_os = "linux")]
fn sweep(base: &Path, ours: &Path) {
    use std::os::unix::fs::MetadataExt;
    let Ok(me) = std::fs::symlink_metadata(ours).map(|m| m.uid()) else {
        return;
    };
    let Ok(entries) = std::fs::read_dir(base) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|n| n.strip_prefix("gwlint-rev-"))
            .and_then(|n| n.split('-').next())
            .and_then(|p| p.parse::<u32>().ok())
        else {
            continue;
        };
        let stale = pid != std::process::id()
            && !Path::new("/proc").join(pid.to_string()).exists()
            && std::fs::symlink_metadata(e.path()).is_ok_and(|m| m.is_dir() && m.uid() == me);
        if stale {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

#[cfg(not(target_os = "linux"))]
fn sweep(_base: &Path, _ours: &Path) {}

fn private_dir(base: &Path) -> Result<PathBuf, String> {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    for i in 0..100u32 {
        let dir = base.join(format!("gwlint-rev-{}-{nanos:x}-{i}", std::process::id()));
        let mut b = std::fs::DirBuilder::new();
        #[cfg(unix)]
        {
            use std::os::unix::fs::DirBuilderExt;
            b.mode(0o700);
        }
        match b.create(&dir) {
            Ok(()) => {
                sweep(base, &dir);
                return Ok(dir);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => {
                return Err(format!(
                    "cannot create a directory in {}: {e}",
                    base.display()
                ));
            }
        }
    }
    Err(format!("cannot create a directory in {}", base.display()))
}

impl RevTree {
    /// Writes the tree of `rev` of the repository holding `paths` (the linted paths; `-` is
    /// passed over) to a temporary directory: every `.gitignore`, and under the linted paths every
    /// file the working tree's run could lint.
    pub fn materialize(rev: &str, paths: &[PathBuf], cfg: &Config) -> Result<RevTree, String> {
        if rev.starts_with('-') || rev.is_empty() || rev.contains('\0') {
            return Err(format!("unknown revision `{rev}`"));
        }
        let cwd = std::env::current_dir()
            .map_err(|e| format!("cannot read the working directory: {e}"))?;
        let fs_paths: Vec<&PathBuf> = paths.iter().filter(|p| p.as_os_str() != "-").collect();
        // git runs where the first linted path is (its nearest existing directory), or in the
        // working directory.
        let first = fs_paths
            .first()
            .map(|p| lexical_abs(p, &cwd))
            .unwrap_or_else(|| cwd.clone());
        let start = first
            .ancestors()
            .find(|d| d.is_dir())
            .map(Path::to_path_buf)
            .unwrap_or_else(|| cwd.clone());
        let out = run(
            {
                let mut c = git(&start);
                c.args(["rev-parse", "--show-toplevel"]);
                c
            },
            "rev-parse",
        )?;
        if !out.status.success() {
            return Err(format!(
                "--new-from-rev: {} is not in a git repository ({})",
                start.display(),
                first_line(&out.stderr)
            ));
        }
        let top = String::from_utf8_lossy(&out.stdout)
            .trim_end_matches(['\n', '\r'])
            .to_string();
        let toplevel = PathBuf::from(top);
        let tree = resolve_tree(&start, rev)?;
        // Repository-relative paths of the linted paths (an empty one: the whole repository).
        let canon_top = std::fs::canonicalize(&toplevel).unwrap_or_else(|_| toplevel.clone());
        let mut wanted: Vec<PathBuf> = Vec::new();
        for p in &fs_paths {
            wanted.push(
                repo_relative(p, &cwd, &toplevel, &canon_top).ok_or_else(|| {
                    format!(
                        "--new-from-rev: {} is outside the git repository at {}",
                        p.display(),
                        toplevel.display()
                    )
                })?,
            );
        }
        let prefix = cwd
            .strip_prefix(&toplevel)
            .ok()
            .map(Path::to_path_buf)
            .or_else(|| cwd.strip_prefix(&canon_top).ok().map(Path::to_path_buf));
        let dir = temp_dir()?;
        let mut rt = RevTree {
            dir,
            toplevel,
            cwd: prefix.is_some().then(|| cwd.clone()),
            prefix,
            files: 0,
            made: Default::default(),
        };
        // An empty `.git` makes the directory the repository root for `.gitignore` matching, as
        // the top level is for the working tree; the local excludes apply to both.
        let dot_git = rt.dir.join(".git").join("info");
        std::fs::create_dir_all(&dot_git).map_err(|e| format!("{}: {e}", dot_git.display()))?;
        let exclude = run(
            {
                let mut c = git(&start);
                c.args(["rev-parse", "--git-path", "info/exclude"]);
                c
            },
            "rev-parse",
        )?;
        if exclude.status.success() {
            let p = PathBuf::from(
                String::from_utf8_lossy(&exclude.stdout).trim_end_matches(['\n', '\r']),
            );
            let p = if p.is_absolute() { p } else { start.join(p) };
            if let Ok(Some(bytes)) = crate::read_file_at_most(&p, 1 << 20) {
                let _ = std::fs::write(dot_git.join("exclude"), bytes);
            }
        }
        let Some(tree) = tree else {
            // An unborn HEAD: the empty tree.
            return Ok(rt);
        };
        if fs_paths.is_empty() {
            // Standard input only: nothing of the revision is linted.
            return Ok(rt);
        }
        let out = run(
            {
                let mut c = git(&start);
                c.args(["ls-tree", "-r", "-z", "-l", "--full-tree", &tree]);
                c
            },
            "ls-tree",
        )?;
        if !out.status.success() {
            return Err(format!("git ls-tree {rev}: {}", first_line(&out.stderr)));
        }
        let entries = parse_ls_tree(&out.stdout);
        drop(out);
        let by_path: HashMap<&Path, usize> = entries
            .iter()
            .enumerate()
            .map(|(i, e)| (e.path.as_path(), i))
            .collect();
        let lintable = |e: &Entry| {
            wanted.iter().any(|w| {
                e.path.starts_with(w)
                    && (e.path == *w
                        || !cfg.include.is_empty()
                        || e.path
                            .extension()
                            .is_some_and(|x| x == "yaml" || x == "yml"))
            })
        };
        let mut chosen = vec![false; entries.len()];
        for (i, e) in entries.iter().enumerate() {
            let is_ignore_file = e.path.file_name().is_some_and(|n| n == ".gitignore");
            chosen[i] = is_ignore_file || lintable(e);
        }
        let first: Vec<usize> = (0..entries.len()).filter(|&i| chosen[i]).collect();
        let mut links = rt.write_blobs(&start, &entries, &first, cfg.max_file_size)?;
        // A symbolic link is linted as its target: that target is needed too (one level).
        let mut extra: Vec<usize> = links
            .iter()
            .filter_map(|(p, t)| link_target(p, t))
            .filter_map(|t| by_path.get(t.as_path()).copied())
            .filter(|&i| !chosen[i])
            .collect();
        extra.sort_unstable();
        extra.dedup();
        if !extra.is_empty() {
            links.extend(rt.write_blobs(&start, &entries, &extra, cfg.max_file_size)?);
        }
        // The working directory's counterpart, for relative paths with `..` (it may be a
        // directory made since the revision).
        if let Some(prefix) = &rt.prefix {
            let _ = std::fs::create_dir_all(rt.dir.join(prefix));
        }
        // Links last, so that no file is ever written through one.
        for (path, target) in links {
            rt.write_link(&path, &target);
        }
        Ok(rt)
    }

    /// Reads the blobs of `idxs` with one `git cat-file --batch` and writes the files; returns
    /// the symbolic links (path, target), written by the caller once every file is.
    fn write_blobs(
        &mut self,
        start: &Path,
        entries: &[Entry],
        idxs: &[usize],
        limit: u64,
    ) -> Result<Vec<(PathBuf, Vec<u8>)>, String> {
        let mut wanted: HashMap<&str, Vec<usize>> = HashMap::new();
        let mut order: Vec<&str> = Vec::new();
        for &i in idxs {
            let e = &entries[i];
            if e.mode != "120000" && e.size > limit {
                // Oversized: only its size matters (the loader skips it, YAML003).
                let p = self.dir.join(&e.path);
                self.create_parent(&p)?;
                std::fs::File::create(&p)
                    .and_then(|f| f.set_len(e.size))
                    .map_err(|err| format!("{}: {err}", p.display()))?;
                self.files += 1;
                continue;
            }
            let slot = wanted.entry(e.oid.as_str()).or_default();
            if slot.is_empty() {
                order.push(e.oid.as_str());
            }
            slot.push(i);
        }
        let mut links = Vec::new();
        if order.is_empty() {
            return Ok(links);
        }
        let mut child = git(start)
            .args(["cat-file", "--batch"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot run git cat-file: {e}"))?;
        let (Some(mut stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
            let _ = child.kill();
            let _ = child.wait();
            return Err("cannot run git cat-file".into());
        };
        // Requests are written on a thread of their own: git answers while it reads, and a full
        // pipe either way would otherwise stall both.
        let requests: String = order.iter().map(|o| format!("{o}\n")).collect();
        let writer = std::thread::spawn(move || {
            let _ = stdin.write_all(requests.as_bytes());
        });
        let result = (|| -> Result<(), String> {
            let mut r = BufReader::with_capacity(1 << 16, stdout);
            let mut header = Vec::new();
            let mut body = Vec::new();
            for oid in &order {
                header.clear();
                r.read_until(b'\n', &mut header)
                    .map_err(|e| format!("git cat-file: {e}"))?;
                let h = String::from_utf8_lossy(&header);
                let mut f = h.split_ascii_whitespace();
                let (Some(got), Some(kind), Some(size)) = (f.next(), f.next(), f.next()) else {
                    return Err(format!(
                        "git cat-file: unexpected answer for {oid}: {}",
                        h.trim()
                    ));
                };
                let size: u64 = size
                    .parse()
                    .map_err(|_| format!("git cat-file: unexpected answer for {oid}"))?;
                if got != *oid || kind != "blob" {
                    return Err(format!("git cat-file: unexpected answer for {oid}"));
                }
                body.clear();
                (&mut r)
                    .take(size + 1)
                    .read_to_end(&mut body)
                    .map_err(|e| format!("git cat-file: {e}"))?;
                if body.len() as u64 != size + 1 {
                    return Err("git cat-file: answer cut short".into());
                }
                body.pop();
                for &i in wanted.get(oid).map(Vec::as_slice).unwrap_or(&[]) {
                    let e = &entries[i];
                    if e.mode == "120000" {
                        links.push((e.path.clone(), body.clone()));
                        continue;
                    }
                    let p = self.dir.join(&e.path);
                    self.create_parent(&p)?;
                    std::fs::write(&p, &body).map_err(|err| format!("{}: {err}", p.display()))?;
                    self.files += 1;
                }
            }
            Ok(())
        })();
        let _ = writer.join();
        if result.is_err() {
            let _ = child.kill();
        }
        let _ = child.wait();
        result?;
        Ok(links)
    }

    fn create_parent(&mut self, p: &Path) -> Result<(), String> {
        let Some(d) = p.parent() else {
            return Ok(());
        };
        if self.made.contains(d) {
            return Ok(());
        }
        std::fs::create_dir_all(d).map_err(|e| format!("{}: {e}", d.display()))?;
        self.made.insert(d.to_path_buf());
        Ok(())
    }

    #[cfg(unix)]
    fn write_link(&mut self, path: &Path, target: &[u8]) {
        // Never below another link: its parent directories must be real ones of this tree.
        let mut at = self.dir.clone();
        for c in path.parent().into_iter().flat_map(Path::components) {
            at.push(c);
            match std::fs::symlink_metadata(&at) {
                Ok(m) if m.is_dir() => {}
                Ok(_) => return,
                Err(_) => {
                    if std::fs::create_dir(&at).is_err() {
                        return;
                    }
                }
            }
        }
        let Some(target) = bytes_to_path(target) else {
            return;
        };
        if std::os::unix::fs::symlink(target, self.dir.join(path)).is_ok() {
            self.files += 1;
        }
    }

    #[cfg(not(unix))]
    fn write_link(&mut self, _path: &Path, _target: &[u8]) {}

    /// Where a linted path of the working tree lies in this tree (None: not there at the
    /// revision). Relative paths are kept relative to the working directory's counterpart, so
    /// that the files found below them are shown as in the working tree's run.
    fn map_path(&self, p: &Path, cwd: &Path) -> Option<PathBuf> {
        let mapped = match (&self.prefix, p.is_absolute()) {
            (Some(prefix), false) => self.dir.join(prefix).join(p),
            _ => {
                let canon_top =
                    std::fs::canonicalize(&self.toplevel).unwrap_or_else(|_| self.toplevel.clone());
                self.dir
                    .join(repo_relative(p, cwd, &self.toplevel, &canon_top)?)
            }
        };
        std::fs::symlink_metadata(&mapped).is_ok().then_some(mapped)
    }

    /// Options for linting this tree as `opts` lints the working tree: the same configuration
    /// and rules, paths mapped here, files shown under their working-tree paths.
    pub fn options(&self, opts: &Options) -> Options {
        let cwd = std::env::current_dir().unwrap_or_default();
        let paths = opts
            .paths
            .iter()
            .filter(|p| p.as_os_str() != "-")
            .filter_map(|p| self.map_path(p, &cwd))
            .collect();
        let mut relabel = Vec::new();
        if let (Some(prefix), Some(c)) = (&self.prefix, &self.cwd) {
            relabel.push((self.dir.join(prefix), c.clone()));
        }
        relabel.push((self.dir.clone(), self.toplevel.clone()));
        Options {
            paths,
            stdin_filename: None,
            config: opts.config.clone(),
            select: opts.select.clone(),
            ignore: opts.ignore.clone(),
            baseline: None,
            report_only: None,
            explain_skips: false,
            stdin_in_repo: false,
            relabel,
            overlay: None,
        }
    }
}

/// Resolves `rev` to a tree; `Ok(None)` for `HEAD` in a repository without a commit yet (the
/// first commit: everything is new).
fn resolve_tree(start: &Path, rev: &str) -> Result<Option<String>, String> {
    let out = run(
        {
            let mut c = git(start);
            c.args(["rev-parse", "--verify", "--quiet"])
                .arg(format!("{rev}^{{tree}}"));
            c
        },
        "rev-parse",
    )?;
    if out.status.success() {
        let oid = String::from_utf8_lossy(&out.stdout).trim().to_string();
        if !oid.is_empty() && oid.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Ok(Some(oid));
        }
    }
    if rev == "HEAD" || rev == "@" {
        let unborn = run(
            {
                let mut c = git(start);
                c.args(["symbolic-ref", "-q", "HEAD"]);
                c
            },
            "symbolic-ref",
        )?;
        let head_commit = run(
            {
                let mut c = git(start);
                c.args(["rev-parse", "--verify", "--quiet", "HEAD"]);
                c
            },
            "rev-parse",
        )?;
        if unborn.status.success() && !head_commit.status.success() {
            return Ok(None);
        }
    }
    Err(format!("--new-from-rev: unknown revision `{rev}`"))
}

/// The path of `p` relative to the repository's top level, lexically when it is written below
/// it, else through its resolved form; None outside the repository.
fn repo_relative(p: &Path, cwd: &Path, top: &Path, canon_top: &Path) -> Option<PathBuf> {
    let abs = lexical_abs(p, cwd);
    if let Ok(rel) = abs.strip_prefix(top) {
        return Some(rel.to_path_buf());
    }
    if let Ok(rel) = abs.strip_prefix(canon_top) {
        return Some(rel.to_path_buf());
    }
    let canon = std::fs::canonicalize(&abs).ok()?;
    canon.strip_prefix(canon_top).ok().map(Path::to_path_buf)
}

/// A link's target as a path of the tree, when it stays inside it.
fn link_target(path: &Path, target: &[u8]) -> Option<PathBuf> {
    let target = bytes_to_path(target)?;
    if target.is_absolute() {
        return None;
    }
    let mut at: Vec<Component> = path.parent()?.components().collect();
    for c in target.components() {
        match c {
            Component::Normal(_) => at.push(c),
            Component::ParentDir => {
                at.pop()?;
            }
            Component::CurDir => {}
            _ => return None,
        }
    }
    Some(at.into_iter().collect())
}

/// Leaves in `outcome` only the findings whose fingerprint does not occur among `old`'s (each
/// old finding absorbs one); returns how many were dropped.
pub fn keep_new(outcome: &mut Outcome, old: &HashMap<String, usize>) -> usize {
    let diags = std::mem::take(&mut outcome.diagnostics);
    let (kept, dropped) = crate::baseline::filter(outcome, diags, old);
    outcome.diagnostics = kept;
    dropped
}

/// The fingerprints of an outcome's findings, with multiplicity.
pub fn fingerprints(outcome: &Outcome) -> HashMap<String, usize> {
    let mut m = HashMap::new();
    for d in &outcome.diagnostics {
        *m.entry(crate::report::fingerprint(outcome, d)).or_insert(0) += 1;
    }
    m
}
