//! Helpers for the distribution, config-schema and README tests: YAML read with gwlint's own
//! loader (no YAML crate among the dev-dependencies) and turned into JSON values.
#![allow(dead_code)]

use std::path::PathBuf;

use gwlint::load::parse::{Parsed, parse};
use gwlint::load::tree::{Node, Value};
use gwlint::load::{Limits, LoadIssue};
use gwlint::source::LineIndex;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn read(rel: &str) -> String {
    std::fs::read_to_string(root().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

pub fn parse_yaml(text: &str) -> Parsed {
    parse(text, &LineIndex::new(text), 0, Limits::default())
}

fn describe(text: &str, issues: &[LoadIssue]) -> String {
    let lines = LineIndex::new(text);
    issues
        .iter()
        .map(|i| {
            let p = lines.position(text, i.span.start as usize);
            format!("{}:{}: {} {}", p.line, p.column, i.rule, i.message)
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The documents of `text` as JSON; panics, naming `what`, on a syntax error (YAML001), a
/// duplicate key (YAML004) or any other loader finding.
pub fn yaml_docs(text: &str, what: &str) -> Vec<serde_json::Value> {
    let p = parse_yaml(text);
    assert!(
        p.issues.is_empty() && p.broken.is_empty(),
        "{what} does not load cleanly:\n{}",
        describe(text, &p.issues)
    );
    p.docs.iter().map(|d| to_json(&d.root)).collect()
}

/// The single document of `text` as JSON.
pub fn yaml_doc(text: &str, what: &str) -> serde_json::Value {
    let mut docs = yaml_docs(text, what);
    assert_eq!(docs.len(), 1, "{what}: one YAML document expected");
    docs.pop().unwrap()
}

pub fn to_json(n: &Node) -> serde_json::Value {
    use serde_json::Value as J;
    match &n.value {
        Value::Null => J::Null,
        Value::Bool(b) => J::Bool(*b),
        Value::Int(i) => J::from(*i),
        Value::Float(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
        Value::Str(s) => J::String(s.to_string()),
        Value::Seq(items) => J::Array(items.iter().map(to_json).collect()),
        Value::Map(entries) => J::Object(
            entries
                .iter()
                .map(|(k, v)| {
                    let key = match &k.value {
                        Value::Str(s) => s.to_string(),
                        other => to_json(&Node {
                            value: other.clone(),
                            span: k.span,
                            style: k.style,
                        })
                        .to_string(),
                    };
                    (key, to_json(v))
                })
                .collect(),
        ),
    }
}

/// Writes an executable script.
pub fn write_script(path: &std::path::Path, body: &str) {
    std::fs::write(path, body).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
}

/// Whether a program can be run (found on PATH).
pub fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|d| d.join(program).is_file()))
}
