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

/// Where the repository is, for paths relative to it: the nearest directory above the working
/// directory that holds `.git`, else the working directory. GitHub code scanning matches results
/// to files by their path from the repository root, whatever directory gwlint ran in.
pub(crate) struct SrcRoot {
    cwd: std::path::PathBuf,
    root: std::path::PathBuf,
}

impl SrcRoot {
    pub(crate) fn find() -> SrcRoot {
        let cwd = std::env::current_dir().unwrap_or_default();
        let root = crate::config::repository_above(&cwd)
            .unwrap_or(&cwd)
            .to_path_buf();
        SrcRoot { cwd, root }
    }

    /// The artifact location of a file: relative to the root with `%SRCROOT%` when it lies
    /// inside, else as shown (standard input's name, or a path outside the repository).
    fn location(&self, shown: &str) -> Value {
        let path = std::path::Path::new(shown);
        let abs = crate::kustomize::normalize(&self.cwd.join(path));
        match abs.strip_prefix(&self.root) {
            Ok(rel) if !shown.starts_with('<') => json!({
                "uri": uri(&rel.to_string_lossy().replace('\\', "/")),
                "uriBaseId": "%SRCROOT%",
            }),
            _ => json!({"uri": uri(shown)}),
        }
    }

    fn base_ids(&self) -> Value {
        let mut root = self.root.to_string_lossy().replace('\\', "/");
        if !root.ends_with('/') {
            root.push('/');
        }
        if !root.starts_with('/') {
            root.insert(0, '/');
        }
        json!({"%SRCROOT%": {"uri": format!("file://{}", uri(&root))}})
    }
}

/// A finding's fixes as SARIF `fix` objects: the replacements in files the run read, grouped
/// by file. Edits that create files have no SARIF form (a replacement needs an artifact that
/// exists), and a fix left with no change at all is left out.
fn fixes(outcome: &Outcome, root: &SrcRoot, d: &crate::diagnostic::Diagnostic) -> Vec<Value> {
    let mut out = Vec::new();
    for f in &d.fixes {
        let mut by_file: std::collections::BTreeMap<crate::source::FileId, Vec<Value>> =
            std::collections::BTreeMap::new();
        for e in &f.edits {
            if let crate::fix::Edit::Replace { span, text } = e {
                let (start, end) = region(outcome, *span);
                let mut r = json!({
                    "deletedRegion": {
                        "startLine": start.line,
                        "startColumn": start.column,
                        "endLine": end.line,
                        "endColumn": end.column,
                    },
                });
                if !text.is_empty() {
                    r["insertedContent"] = json!({"text": text});
                }
                by_file.entry(span.file).or_default().push(r);
            }
        }
        if by_file.is_empty() {
            continue;
        }
        let changes: Vec<Value> = by_file
            .into_iter()
            .map(|(file, replacements)| {
                json!({
                    "artifactLocation": root.location(&outcome.file(file).display_path()),
                    "replacements": replacements,
                })
            })
            .collect();
        out.push(json!({
            "description": {"text": plain(&f.title)},
            "artifactChanges": changes,
            "properties": {"applicability": f.applicability.as_str()},
        }));
    }
    out
}

fn physical(outcome: &Outcome, root: &SrcRoot, span: Span) -> Value {
    let (start, end) = region(outcome, span);
    json!({
        "artifactLocation": root.location(&outcome.file(span.file).display_path()),
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

/// GitHub code scanning drops rule descriptions over this many characters.
const MAX_DESCRIPTION: usize = 1024;

/// The start of `text` within `MAX_DESCRIPTION` characters: its first paragraph, cut after the
/// last whole sentence that fits (or at a word, with an ellipsis).
fn description(text: &str) -> String {
    let para = text.split("\n\n").next().unwrap_or("").replace('\n', " ");
    if para.chars().count() <= MAX_DESCRIPTION {
        return para;
    }
    let cut: String = para.chars().take(MAX_DESCRIPTION - 1).collect();
    match cut.rfind(". ") {
        Some(end) if end > MAX_DESCRIPTION / 2 => cut[..=end].to_string(),
        _ => format!("{}…", &cut[..cut.rfind(' ').unwrap_or(cut.len())]),
    }
}

/// The rule page in the repository, at this release's tag. The release build names the
/// repository it was built from (`GWLINT_REPOSITORY`); otherwise Cargo.toml's `repository`.
pub fn help_uri(r: &crate::rules::RuleMeta) -> Option<String> {
    let repo = option_env!("GWLINT_REPOSITORY")
        .unwrap_or(env!("CARGO_PKG_REPOSITORY"))
        .trim_end_matches('/');
    (!repo.is_empty()).then(|| {
        format!(
            "{repo}/blob/v{}/rules/{}",
            env!("CARGO_PKG_VERSION"),
            r.file
        )
    })
}

/// How often a rule's findings are right: `very-high` where the API server's own checks decide
/// (schemas, YAML), `medium` for DNS (zones and addresses are often declared outside the
/// repository), `high` for the reference and TLS rules.
fn precision(family: &str) -> &'static str {
    match family {
        "api" | "yaml" => "very-high",
        "dns" => "medium",
        _ => "high",
    }
}

/// GitHub's security severity (a CVSS-like score) for the Secret-handling rules, which show
/// as security alerts; other rules have none.
fn security_severity(r: &crate::rules::RuleMeta) -> Option<&'static str> {
    (r.family == "sec").then_some(match r.severity {
        Severity::Error => "7.5",
        Severity::Warning => "5.0",
        Severity::Info => "2.0",
    })
}

/// Message text with literal brackets escaped: SARIF reads `[text](id)` as a link.
fn plain(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '[' | ']' => {
                out.push('\\');
                out.push(c);
            }
            '\\' if matches!(chars.peek(), Some('[' | ']')) => out.push_str("\\\\"),
            c => out.push(c),
        }
    }
    out
}

pub fn render(outcome: &Outcome, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let root = SrcRoot::find();
    let rules: Vec<Value> = crate::rules::all()
        .iter()
        .map(|r| {
            let mut tags = vec![r.family];
            let mut properties = json!({"family": r.family, "precision": precision(r.family)});
            if let Some(score) = security_severity(r) {
                tags.insert(0, "security");
                properties["security-severity"] = json!(score);
            }
            properties["tags"] = json!(tags);
            let mut rule = json!({
                "id": r.id,
                "name": r.name,
                "shortDescription": {"text": description(r.summary)},
                "fullDescription": {"text": description(r.section("What it finds").unwrap_or(r.summary))},
                "help": {"text": r.section("Why it matters").unwrap_or(""), "markdown": r.body.trim()},
                "defaultConfiguration": {"level": level(r.severity)},
                "properties": properties,
            });
            if let Some(u) = help_uri(r) {
                rule["helpUri"] = json!(u);
            }
            rule
        })
        .collect();
    let diags = &outcome.diagnostics;
    let root = &root;
    let result = |i: usize| {
        let d = &diags[i];
        let mut text = plain(&d.message);
        if let Some(h) = &d.help {
            text.push_str("\nhelp: ");
            text.push_str(&plain(h));
        }
        // GitHub shows a related location only when the message links to it.
        for (i, r) in d.related.iter().enumerate() {
            text.push_str(if i == 0 { "\nsee: " } else { "; " });
            text.push_str(&format!("[{}]({})", plain(&r.message), i + 1));
        }
        let mut result = json!({
            "ruleId": d.rule,
            "ruleIndex": crate::rules::index_of(d.rule),
            "level": level(d.severity),
            "message": {"text": text},
            "locations": [{"physicalLocation": physical(outcome, root, d.span)}],
            "relatedLocations": d.related.iter().enumerate().map(|(i, r)| json!({
                "id": i + 1,
                "physicalLocation": physical(outcome, root, r.span),
                "message": {"text": plain(&r.message)},
            })).collect::<Vec<_>>(),
            "partialFingerprints": {"gwlint/v2": fingerprint(outcome, d)},
        });
        let fixes = fixes(outcome, root, d);
        if !fixes.is_empty() {
            result["fixes"] = json!(fixes);
        }
        result
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
        ("originalUriBaseIds", Doc::Value(root.base_ids())),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brackets_are_not_links_and_descriptions_fit() {
        assert_eq!(plain("a[0] \\[x"), "a\\[0\\] \\\\\\[x");
        let long = "word ".repeat(400);
        assert!(description(&long).chars().count() <= MAX_DESCRIPTION);
        let sentences = "A sentence here. ".repeat(100);
        assert!(description(&sentences).ends_with('.'));
        assert_eq!(description("one\nline\n\nsecond"), "one line");
    }
}
