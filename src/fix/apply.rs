//! One round of fixing: which fixes of a run's findings to apply together, and their edits
//! applied to the texts.
//!
//! Fixes are taken in the order of the findings (sorted by path and position, so the choice is
//! the same on every run), at most one per finding: its first fix the caller allows. A fix whose
//! edits overlap or touch an edit already chosen is deferred: the next round re-lints the
//! edited files and offers it again if it still applies.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::path::PathBuf;

use super::{Applicability, Edit, Fix};
use crate::Outcome;
use crate::source::FileId;

/// The fixes chosen for one round.
#[derive(Debug, Default)]
pub struct Selection<'a> {
    /// (finding index, fix), in the order chosen.
    pub chosen: Vec<(usize, &'a Fix)>,
    /// Replacements per file: (byte range, text), sorted and disjoint.
    pub edits: BTreeMap<FileId, Vec<(Range<usize>, &'a str)>>,
    /// Files to create (path relative to the working directory, text).
    pub creates: BTreeMap<PathBuf, &'a str>,
    /// Fixes left for a later round because they overlap a chosen one.
    pub deferred: usize,
}

/// What makes two fixes the same: the spans they replace and the texts they write.
type Identity<'a> = (Vec<(FileId, u32, u32)>, Vec<&'a str>);

/// Closed intervals already claimed in one file, disjoint, by start.
#[derive(Default)]
struct Claimed(BTreeMap<usize, usize>);

impl Claimed {
    /// Whether `r` overlaps or touches a claimed interval. Touching counts: two insertions at
    /// one offset, or an insertion at the end of a replacement, have no order that is certainly
    /// right.
    fn hits(&self, r: &Range<usize>) -> bool {
        self.0
            .range(..=r.end)
            .next_back()
            .is_some_and(|(_, &end)| end >= r.start)
    }

    fn claim(&mut self, r: &Range<usize>) {
        self.0.insert(r.start, r.end);
    }
}

/// Whether every edit of `fix` can be applied to the run's texts: in an editable file, within
/// its text, on character boundaries, and not overlapping each other.
fn well_formed(outcome: &Outcome, fix: &Fix, editable: &dyn Fn(FileId) -> bool) -> bool {
    let mut ranges: Vec<(FileId, Range<usize>)> = Vec::new();
    for e in &fix.edits {
        match e {
            Edit::Replace { span, .. } => {
                let Some(f) = outcome.files.get(span.file as usize) else {
                    return false;
                };
                let r = span.range();
                if !editable(span.file)
                    || r.end > f.text.len()
                    || !f.text.is_char_boundary(r.start)
                    || !f.text.is_char_boundary(r.end)
                    // A fix never rewrites a Secret value, nor text in which one cannot be told.
                    || f
                        .redactions
                        .iter()
                        .chain(&f.no_snippet)
                        .any(|z| r.start < z.end && z.start < r.end)
                {
                    return false;
                }
                ranges.push((span.file, r));
            }
            Edit::Create { path, .. } => {
                if path.as_os_str().is_empty() || path.is_absolute() {
                    return false;
                }
            }
        }
    }
    ranges.sort_by_key(|(f, r)| (*f, r.start, r.end));
    ranges
        .windows(2)
        .all(|w| w[0].0 != w[1].0 || w[0].1.end <= w[1].1.start)
        && !fix.edits.is_empty()
}

/// Chooses the fixes to apply now. `allowed` says which applicabilities the caller applies;
/// `editable` which files may be changed (read from disk, not standard input or a rendered
/// source); `skip` rejects fixes already known to be bad (they broke a file once).
pub fn select<'a>(
    outcome: &'a Outcome,
    allowed: &dyn Fn(Applicability) -> bool,
    editable: &dyn Fn(FileId) -> bool,
    skip: &dyn Fn(&Fix) -> bool,
) -> Selection<'a> {
    let mut sel = Selection::default();
    let mut claimed: BTreeMap<FileId, Claimed> = BTreeMap::new();
    // Two findings may offer the very same fix (one ReferenceGrant that permits two routes):
    // applied once.
    let mut seen: BTreeSet<Identity> = BTreeSet::new();
    for (i, d) in outcome.diagnostics.iter().enumerate() {
        let Some(fix) = d
            .fixes
            .iter()
            .find(|f| allowed(f.applicability) && !skip(f) && well_formed(outcome, f, editable))
        else {
            continue;
        };
        let identity = (
            fix.edits
                .iter()
                .filter_map(|e| match e {
                    Edit::Replace { span, .. } => Some((span.file, span.start, span.end)),
                    Edit::Create { .. } => None,
                })
                .collect::<Vec<_>>(),
            fix.edits
                .iter()
                .map(|e| match e {
                    Edit::Replace { text, .. } => text.as_str(),
                    Edit::Create { text, .. } => text.as_str(),
                })
                .collect::<Vec<_>>(),
        );
        if seen.contains(&identity) {
            sel.chosen.push((i, fix));
            continue;
        }
        let conflict = fix.edits.iter().any(|e| match e {
            Edit::Replace { span, .. } => claimed
                .get(&span.file)
                .is_some_and(|c| c.hits(&span.range())),
            Edit::Create { path, .. } => sel.creates.contains_key(path),
        });
        if conflict {
            sel.deferred += 1;
            continue;
        }
        for e in &fix.edits {
            match e {
                Edit::Replace { span, text } => {
                    claimed.entry(span.file).or_default().claim(&span.range());
                    sel.edits
                        .entry(span.file)
                        .or_default()
                        .push((span.range(), text.as_str()));
                }
                Edit::Create { path, text } => {
                    sel.creates.insert(path.clone(), text.as_str());
                }
            }
        }
        seen.insert(identity);
        sel.chosen.push((i, fix));
    }
    for edits in sel.edits.values_mut() {
        edits.sort_by_key(|(r, _)| (r.start, r.end));
    }
    sel
}

/// `text` with the edits applied; the edits are sorted and disjoint (as `select` makes them).
pub fn apply(text: &str, edits: &[(Range<usize>, &str)]) -> String {
    let grow: usize = edits.iter().map(|(_, t)| t.len()).sum();
    let mut out = String::with_capacity(text.len() + grow);
    let mut at = 0;
    for (r, t) in edits {
        out.push_str(&text[at..r.start]);
        out.push_str(t);
        at = r.end;
    }
    out.push_str(&text[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claimed_intervals_conflict_when_they_overlap_or_touch() {
        let mut c = Claimed::default();
        c.claim(&(10..20));
        assert!(c.hits(&(15..16)));
        assert!(c.hits(&(20..20)));
        assert!(c.hits(&(5..10)));
        assert!(c.hits(&(0..30)));
        assert!(!c.hits(&(21..25)));
        assert!(!c.hits(&(0..9)));
    }

    #[test]
    fn edits_apply_in_order() {
        let text = "a: 1\nb: 2\r\nc: 3\r\n";
        let edits = [(3..4, "\"1\""), (8..8, "x"), (11..17, "")];
        assert_eq!(apply(text, &edits), "a: \"1\"\nb: x2\r\n");
    }
}
