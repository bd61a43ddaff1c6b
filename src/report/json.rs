//! `--format json`: a versioned, documented schema (see README, "JSON output").

use serde_json::{Value, json};

use super::{counts, fingerprint, region};
use crate::Outcome;
use crate::source::Span;

pub const SCHEMA_VERSION: u32 = 1;

fn location(outcome: &Outcome, span: Span) -> Value {
    let (start, end) = region(outcome, span);
    json!({
        "path": outcome.file(span.file).display_path(),
        "start": {"line": start.line, "column": start.column, "offset": span.start},
        "end": {"line": end.line, "column": end.column, "offset": span.end},
    })
}

pub fn render(outcome: &Outcome) -> String {
    let c = counts(&outcome.diagnostics);
    let diagnostics: Vec<Value> = outcome
        .diagnostics
        .iter()
        .map(|d| {
            let meta = crate::rules::meta(d.rule);
            json!({
                "rule": d.rule,
                "name": meta.map(|m| m.name).unwrap_or(""),
                "severity": d.severity.as_str(),
                "message": d.message,
                "help": d.help,
                "location": location(outcome, d.span),
                "related": d.related.iter().map(|r| json!({
                    "message": r.message,
                    "location": location(outcome, r.span),
                })).collect::<Vec<_>>(),
                "object": d.object.as_ref().map(|o| json!({
                    "group": o.group, "kind": o.kind, "namespace": o.namespace, "name": o.name,
                })),
                "field": d.field,
                "fingerprint": fingerprint(outcome, d),
            })
        })
        .collect();
    let doc = json!({
        "version": SCHEMA_VERSION,
        "tool": {"name": "gwlint", "version": env!("CARGO_PKG_VERSION")},
        "summary": {
            "files": outcome.statuses.len(),
            "documents": outcome.documents,
            "objects": outcome.objects,
            "errors": c.errors,
            "warnings": c.warnings,
            "infos": c.infos,
        },
        "diagnostics": diagnostics,
    });
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}
