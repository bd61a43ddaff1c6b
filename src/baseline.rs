//! Baselines: record today's findings so that only new ones are reported. Entries are keyed by
//! the finding's fingerprint (rule, file, object, field path and the value at that field, not
//! line numbers), so edits elsewhere in a file do not invalidate them.
//!
//! Version 2 fingerprints include the value at the field; version 1 ones did not, so one entry
//! hid any other missing target at the same field. A version 1 file is refused with a request to
//! record it again, rather than matched wrongly or silently reported whole.

use std::collections::HashMap;
use std::path::Path;

use serde_json::{Value, json};

use crate::Outcome;
use crate::diagnostic::Diagnostic;
use crate::report::fingerprint;

/// The fingerprint scheme of the files written now (see the module comment).
pub const VERSION: u64 = 2;

pub fn write(outcome: &Outcome, path: &Path) -> std::io::Result<()> {
    let entries: Vec<Value> = outcome
        .diagnostics
        .iter()
        .map(|d| {
            json!({
                "rule": d.rule,
                "path": outcome.file(d.span.file).display_path(),
                "object": d.object.as_ref().map(|o| o.to_string()),
                "field": d.field,
                "fingerprint": fingerprint(outcome, d),
            })
        })
        .collect();
    let doc = json!({"version": VERSION, "tool": "gwlint", "findings": entries});
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    crate::report::write_file(path, |out| out.write_all(text.as_bytes()))
}

/// Fingerprints in a baseline file, with how often each occurs. At most `limit` bytes are read
/// (the configuration's `maxFileSize`): a baseline naming `/dev/zero` must not exhaust memory.
pub fn read(path: &Path, limit: u64) -> Result<HashMap<String, usize>, String> {
    let bytes = crate::read_file_at_most(path, limit)
        .map_err(|e| format!("{}: {e}", path.display()))?
        .ok_or_else(|| {
            format!(
                "{}: larger than the limit of {limit} bytes (maxFileSize); not read",
                path.display()
            )
        })?;
    let text = String::from_utf8(bytes)
        .map_err(|_| format!("{}: not a gwlint baseline: not UTF-8", path.display()))?;
    let doc: Value = serde_json::from_str(&text)
        .map_err(|e| format!("{}: not a gwlint baseline: {e}", path.display()))?;
    match doc.get("version").and_then(Value::as_u64) {
        Some(VERSION) => {}
        Some(1) => {
            return Err(format!(
                "{}: a version 1 baseline, whose fingerprints do not tell apart two targets at one field; record it again with --write-baseline",
                path.display()
            ));
        }
        _ => {
            return Err(format!(
                "{}: not a gwlint baseline of version {VERSION}",
                path.display()
            ));
        }
    }
    let findings = doc
        .get("findings")
        .and_then(Value::as_array)
        .ok_or_else(|| format!("{}: not a gwlint baseline (no `findings`)", path.display()))?;
    let mut out = HashMap::new();
    for f in findings {
        if let Some(fp) = f.get("fingerprint").and_then(Value::as_str) {
            *out.entry(fp.to_string()).or_insert(0) += 1;
        }
    }
    Ok(out)
}

/// Drops findings recorded in the baseline (each entry absorbs one finding); returns how many.
pub fn filter(
    outcome: &Outcome,
    diags: Vec<Diagnostic>,
    baseline: &HashMap<String, usize>,
) -> (Vec<Diagnostic>, usize) {
    let mut left = baseline.clone();
    let mut dropped = 0;
    let kept = diags
        .into_iter()
        .filter(|d| {
            let fp = fingerprint(outcome, d);
            match left.get_mut(&fp) {
                Some(n) if *n > 0 => {
                    *n -= 1;
                    dropped += 1;
                    false
                }
                _ => true,
            }
        })
        .collect();
    (kept, dropped)
}
