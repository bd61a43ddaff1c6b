//! The fix loop: apply the fixes of a run's findings, lint again with the edited texts, and
//! repeat until no fix applies (at most `max_rounds` times). Nothing is written until the loop
//! ends; `write` then writes each changed file, unless it changed on disk since it was read.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use sha2::{Digest, Sha256};

use super::Applicability;
use super::apply::{apply, select};
use crate::load::FileStatus;
use crate::{Options, Outcome};

/// Rounds before the loop gives up on converging (a fix that keeps being offered after it was
/// applied).
pub const MAX_ROUNDS: usize = 10;

/// A file the loop changed.
#[derive(Debug)]
pub struct FileChange {
    /// As the run shows it (relative to the working directory where it can be).
    pub path: PathBuf,
    /// The text read from disk (after a byte-order mark, which `bom` records).
    pub original: String,
    /// Ranges of `original` that must not be shown (Secret values).
    pub original_hidden: Vec<Range<usize>>,
    pub bom: bool,
    /// SHA-256 of the file's bytes when they were read.
    hash: [u8; 32],
    /// The text with the fixes applied.
    pub text: String,
    /// Ranges of `text` that must not be shown, from the last lint.
    pub hidden: Vec<Range<usize>>,
}

/// What the loop did.
#[derive(Debug)]
pub struct Fixed {
    /// The last lint: of the fixed texts.
    pub outcome: Outcome,
    /// Changed files, by path.
    pub changes: Vec<FileChange>,
    /// Fixes applied, by rule.
    pub applied: BTreeMap<&'static str, usize>,
    /// False when fixes were still being offered after `MAX_ROUNDS`.
    pub converged: bool,
    /// What the loop passed over, for standard error.
    pub notes: Vec<String>,
}

impl Fixed {
    pub fn total(&self) -> usize {
        self.applied.values().sum()
    }
}

fn hidden(f: &crate::source::SourceFile) -> Vec<Range<usize>> {
    f.redactions.iter().chain(&f.no_snippet).cloned().collect()
}

/// How well a file loaded: a fix must never make it worse (a syntax error, a document lost).
fn health(o: &Outcome) -> HashMap<&Path, (bool, usize, usize)> {
    let mut h: HashMap<&Path, (bool, usize, usize)> = o
        .files
        .iter()
        .zip(&o.statuses)
        .map(|(f, s)| {
            let v = match s {
                FileStatus::Loaded { documents } => (true, *documents, 0),
                _ => (false, 0, 0),
            };
            (f.path.as_path(), v)
        })
        .collect();
    for d in o.diagnostics.iter().filter(|d| d.rule == "YAML001") {
        if let Some(v) = o
            .files
            .get(d.span.file as usize)
            .and_then(|f| h.get_mut(f.path.as_path()))
        {
            v.2 += 1;
        }
    }
    h
}

/// Reads a file as the loader decodes it: (text after any byte-order mark, whether it had one,
/// hash of the bytes).
fn read_disk(path: &Path) -> Option<(String, bool, [u8; 32])> {
    let bytes = std::fs::read(path).ok()?;
    let hash: [u8; 32] = Sha256::digest(&bytes).into();
    let text = String::from_utf8(bytes).ok()?;
    Some(match text.strip_prefix('\u{feff}') {
        Some(rest) => (rest.to_string(), true, hash),
        None => (text, false, hash),
    })
}

/// Runs the loop: `lint` lints with the options given (the caller's filters, such as
/// `--new-from-rev`, apply inside it); `unsafe_fixes` applies unsafe fixes too.
pub fn run(opts: &Options, unsafe_fixes: bool, lint: &mut dyn FnMut(&Options) -> Outcome) -> Fixed {
    let cwd = std::env::current_dir().unwrap_or_default();
    let abs = |p: &Path| crate::discover::lexical_abs(p, &cwd);
    let allowed = |a: Applicability| match a {
        Applicability::Safe => true,
        Applicability::Unsafe => unsafe_fixes,
        Applicability::DisplayOnly => false,
    };
    let mut opts = opts.clone();
    let mut outcome = lint(&opts);
    let mut states: BTreeMap<PathBuf, FileChange> = BTreeMap::new();
    let mut frozen: BTreeSet<PathBuf> = BTreeSet::new();
    // (rule, title, path of its first edit) of fixes that broke a file.
    let mut bad: BTreeSet<(String, String)> = BTreeSet::new();
    let mut applied: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut notes = Vec::new();
    let mut converged = false;
    let stdin_named = opts.paths.iter().any(|p| p.as_os_str() == "-");
    // With `--root DIR PATH…`, only the files named are reported, and only they are edited
    // (a pre-commit hook must not change files outside the commit).
    let only: Option<Vec<PathBuf>> = opts
        .report_only
        .as_ref()
        .map(|ps| ps.iter().map(|p| abs(p)).collect());
    let named = |p: &Path| {
        only.as_ref()
            .is_none_or(|o| o.iter().any(|w| abs(p).starts_with(w)))
    };
    for _ in 0..MAX_ROUNDS {
        let statuses = &outcome.statuses;
        let files = &outcome.files;
        let editable = |id: crate::source::FileId| {
            let i = id as usize;
            // Rendered sources come after the linted files; standard input is file 0.
            matches!(statuses.get(i), Some(FileStatus::Loaded { .. }))
                && !(stdin_named && i == 0)
                && named(&files[i].path)
                && !frozen.contains(&abs(&files[i].path))
        };
        let fix_key = |f: &super::Fix| (f.title.clone(), first_path(&outcome, f));
        // Creating a file is left to the editor: a new file is in no kustomization's
        // resources, and the loop could not lint it.
        let skip = |f: &super::Fix| {
            f.edits
                .iter()
                .any(|e| matches!(e, super::Edit::Create { .. }))
                || bad.contains(&fix_key(f))
        };
        let sel = select(&outcome, &allowed, &editable, &skip);
        if sel.chosen.is_empty() {
            converged = true;
            break;
        }
        // Each file's text before this round, to undo a round that broke a file.
        let mut before: BTreeMap<PathBuf, Option<String>> = BTreeMap::new();
        let mut refused: BTreeSet<crate::source::FileId> = BTreeSet::new();
        for (&id, edits) in &sel.edits {
            let f = outcome.file(id);
            let key = abs(&f.path);
            if !states.contains_key(&key) {
                match read_disk(&f.path) {
                    Some((text, bom, hash)) if *text == *f.text => {
                        states.insert(
                            key.clone(),
                            FileChange {
                                path: f.path.clone(),
                                original: text,
                                original_hidden: hidden(f),
                                bom,
                                hash,
                                text: String::new(),
                                hidden: Vec::new(),
                            },
                        );
                        before.insert(key.clone(), None);
                    }
                    _ => {
                        notes.push(format!(
                            "{}: changed on disk while it was linted; not fixed",
                            f.display_path()
                        ));
                        frozen.insert(key);
                        refused.insert(id);
                        continue;
                    }
                }
            } else {
                before.insert(key.clone(), Some(f.text.to_string()));
            }
            if let Some(s) = states.get_mut(&key) {
                s.text = apply(&f.text, edits);
            }
        }
        if !refused.is_empty() {
            // A fix in a file that changed under us: the round is chosen again without it.
            for (key, prev) in before {
                match prev {
                    Some(t) => {
                        if let Some(s) = states.get_mut(&key) {
                            s.text = t;
                        }
                    }
                    None => {
                        states.remove(&key);
                    }
                }
            }
            continue;
        }
        let overlay: crate::overlay::Overlay = states
            .iter()
            .map(|(k, s)| (k.clone(), s.text.clone()))
            .collect();
        opts.overlay = Some(Arc::new(overlay));
        let next = lint(&opts);
        // A round that left a file worse than it was is undone, and its fixes in that file are
        // not offered again.
        let (old_health, new_health) = (health(&outcome), health(&next));
        let broken: Vec<PathBuf> = sel
            .edits
            .keys()
            .map(|&id| outcome.file(id).path.clone())
            .filter(|p| {
                let (Some(o), Some(n)) = (old_health.get(p.as_path()), new_health.get(p.as_path()))
                else {
                    return true;
                };
                (o.0 && !n.0) || n.1 < o.1 || n.2 > o.2
            })
            .collect();
        if !broken.is_empty() {
            for (_, fix) in &sel.chosen {
                let p = first_path(&outcome, fix);
                if broken.iter().any(|b| b.to_string_lossy() == p) {
                    notes.push(format!(
                        "{p}: the fix \"{}\" would break the file; not applied",
                        fix.title
                    ));
                    bad.insert(fix_key(fix));
                }
            }
            for (key, prev) in before {
                match prev {
                    Some(t) => {
                        if let Some(s) = states.get_mut(&key) {
                            s.text = t;
                        }
                    }
                    None => {
                        states.remove(&key);
                    }
                }
            }
            opts.overlay = Some(Arc::new(
                states
                    .iter()
                    .map(|(k, s)| (k.clone(), s.text.clone()))
                    .collect(),
            ));
            continue;
        }
        for (i, _) in &sel.chosen {
            *applied.entry(outcome.diagnostics[*i].rule).or_default() += 1;
        }
        outcome = next;
    }
    let mut changes: Vec<FileChange> = states
        .into_values()
        .filter(|s| s.text != s.original)
        .collect();
    for c in &mut changes {
        if let Some(f) = outcome.files.iter().find(|f| f.path == c.path) {
            c.hidden = hidden(f);
        } else {
            // Not linted again (it should have been): show none of it rather than guess.
            c.hidden = std::iter::once(0..c.text.len()).collect();
        }
    }
    changes.sort_by(|a, b| a.path.cmp(&b.path));
    Fixed {
        outcome,
        changes,
        applied,
        converged,
        notes,
    }
}

/// The shown path of a fix's first edited file, naming it in notes and keys.
fn first_path(outcome: &Outcome, fix: &super::Fix) -> String {
    fix.edits
        .iter()
        .find_map(|e| match e {
            super::Edit::Replace { span, .. } => outcome
                .files
                .get(span.file as usize)
                .map(|f| f.display_path()),
            super::Edit::Create { path, .. } => Some(path.to_string_lossy().into_owned()),
        })
        .unwrap_or_default()
}

/// Writes each changed file, unless it changed on disk since it was read (or is a symlink,
/// which writing would replace by a file). Returns the paths written and the errors.
pub fn write(changes: &[FileChange]) -> (Vec<PathBuf>, Vec<String>) {
    let mut written = Vec::new();
    let mut errors = Vec::new();
    for c in changes {
        let shown = c.path.display();
        if std::fs::symlink_metadata(&c.path).is_ok_and(|m| m.file_type().is_symlink()) {
            errors.push(format!("{shown}: a symlink; not fixed"));
            continue;
        }
        match read_disk(&c.path) {
            Some((_, _, hash)) if hash == c.hash => {}
            _ => {
                errors.push(format!(
                    "{shown}: changed on disk since it was read; not fixed"
                ));
                continue;
            }
        }
        let permissions = std::fs::metadata(&c.path).map(|m| m.permissions()).ok();
        let result = crate::report::write_file(&c.path, |out| {
            if c.bom {
                out.write_all("\u{feff}".as_bytes())?;
            }
            out.write_all(c.text.as_bytes())
        });
        match result {
            Ok(()) => {
                // The new file was created with the default mode: give back the old one.
                if let Some(p) = permissions {
                    let _ = std::fs::set_permissions(&c.path, p);
                }
                written.push(c.path.clone());
            }
            Err(e) => errors.push(format!("{shown}: {e}")),
        }
    }
    (written, errors)
}
