//! `--format json`: a versioned, documented schema (see README, "JSON output").

use serde_json::{Value, json};

use super::{Doc, counts, fingerprint, region};
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

fn diagnostic(outcome: &Outcome, d: &crate::diagnostic::Diagnostic) -> Value {
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
        "fixes": d.fixes.iter().map(|f| fix(outcome, f)).collect::<Vec<_>>(),
    })
}

/// A fix: its title, applicability and edits (a replacement of a location's text, or a file
/// to create).
fn fix(outcome: &Outcome, f: &crate::fix::Fix) -> Value {
    let edits: Vec<Value> = f
        .edits
        .iter()
        .map(|e| match e {
            crate::fix::Edit::Replace { span, text } => {
                let mut v = location(outcome, *span);
                v["text"] = json!(text);
                v
            }
            crate::fix::Edit::Create { path, text } => json!({
                "path": path.to_string_lossy().replace('\\', "/"),
                "create": true,
                "text": text,
            }),
        })
        .collect();
    json!({
        "title": f.title,
        "applicability": f.applicability.as_str(),
        "edits": edits,
    })
}

pub fn render(outcome: &Outcome, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let c = counts(&outcome.diagnostics);
    let diags = &outcome.diagnostics;
    let doc = Doc::Map(vec![
        ("version", Doc::Value(json!(SCHEMA_VERSION))),
        (
            "tool",
            Doc::Value(json!({"name": "gwlint", "version": env!("CARGO_PKG_VERSION")})),
        ),
        (
            "summary",
            Doc::Value(json!({
                "files": outcome.statuses.len(),
                "documents": outcome.documents,
                "objects": outcome.objects,
                "errors": c.errors,
                "warnings": c.warnings,
                "infos": c.infos,
            })),
        ),
        (
            "diagnostics",
            Doc::Stream(diags.len(), Box::new(|i| diagnostic(outcome, &diags[i]))),
        ),
    ]);
    super::pretty(&doc, out)
}
