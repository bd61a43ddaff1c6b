//! `--format sarif`: SARIF 2.1.0 for code scanning and editors.

use serde_json::{Value, json};

use super::{Doc, fingerprint, region};
use crate::Outcome;
use crate::config::Severity;
use crate::source::Span;

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn physical(outcome: &Outcome, span: Span) -> Value {
    let (start, end) = region(outcome, span);
    json!({
        "artifactLocation": {"uri": uri(&outcome.file(span.file).display_path())},
        "region": {
            "startLine": start.line,
            "startColumn": start.column,
            "endLine": end.line,
            "endColumn": end.column,
        },
    })
}

/// A relative URI reference: path segments percent-encoded where URI syntax needs it.
fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

pub fn render(outcome: &Outcome, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let rules: Vec<Value> = crate::rules::all()
        .iter()
        .map(|r| {
            json!({
                "id": r.id,
                "name": r.name,
                "shortDescription": {"text": r.summary},
                "fullDescription": {"text": r.section("What it finds").unwrap_or(r.summary)},
                "help": {"text": r.section("Why it matters").unwrap_or(""), "markdown": r.body.trim()},
                "defaultConfiguration": {"level": level(r.severity)},
                "properties": {"family": r.family, "tags": [r.family]},
            })
        })
        .collect();
    let diags = &outcome.diagnostics;
    let result = |i: usize| {
        let d = &diags[i];
        let mut text = d.message.clone();
        if let Some(h) = &d.help {
            text.push_str("\nhelp: ");
            text.push_str(h);
        }
        json!({
            "ruleId": d.rule,
            "ruleIndex": crate::rules::index_of(d.rule),
            "level": level(d.severity),
            "message": {"text": text},
            "locations": [{"physicalLocation": physical(outcome, d.span)}],
            "relatedLocations": d.related.iter().enumerate().map(|(i, r)| json!({
                "id": i + 1,
                "physicalLocation": physical(outcome, r.span),
                "message": {"text": r.message},
            })).collect::<Vec<_>>(),
            "partialFingerprints": {"gwlint/v1": fingerprint(outcome, d)},
        })
    };
    let run = Doc::Map(vec![
        (
            "tool",
            Doc::Value(json!({"driver": {
                "name": "gwlint",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }})),
        ),
        ("columnKind", Doc::Value(json!("unicodeCodePoints"))),
        ("results", Doc::Stream(diags.len(), Box::new(result))),
    ]);
    let doc = Doc::Map(vec![
        (
            "$schema",
            Doc::Value(json!(
                "https://raw.githubusercontent.com/oasis-tcs/sarif-spec/master/Schemata/sarif-schema-2.1.0.json"
            )),
        ),
        ("version", Doc::Value(json!("2.1.0"))),
        ("runs", Doc::List(vec![run])),
    ]);
    super::pretty(&doc, out)
}
