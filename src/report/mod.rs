//! Report stage: findings to bytes. Every format reads the same sorted list.

pub mod github;
pub mod graph;
pub mod human;
pub mod json;
pub mod junit;
pub mod sarif;

use sha2::{Digest, Sha256};

use crate::Outcome;
use crate::config::Severity;
use crate::diagnostic::Diagnostic;
use crate::source::{Position, Span};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
    Sarif,
    Github,
    Junit,
}

impl Format {
    pub fn parse(s: &str) -> Option<Format> {
        match s {
            "human" => Some(Format::Human),
            "json" => Some(Format::Json),
            "sarif" => Some(Format::Sarif),
            "github" => Some(Format::Github),
            "junit" => Some(Format::Junit),
            _ => None,
        }
    }
}

/// Start and end (exclusive) positions of a span.
pub fn region(outcome: &Outcome, span: Span) -> (Position, Position) {
    let f = outcome.file(span.file);
    (
        f.position(span.start as usize),
        f.position(span.end as usize),
    )
}

/// A stable identity for a finding: rule, file, object and field, but no line numbers, so it
/// survives edits elsewhere in the file.
pub fn fingerprint(outcome: &Outcome, d: &Diagnostic) -> String {
    let mut h = Sha256::new();
    h.update(d.rule.as_bytes());
    h.update([0]);
    h.update(outcome.file(d.span.file).display_path().as_bytes());
    h.update([0]);
    match (&d.object, &d.field) {
        (Some(o), Some(field)) => {
            h.update(format!("{}/{}/{}/{}", o.group, o.kind, o.namespace, o.name).as_bytes());
            h.update([0]);
            h.update(field.as_bytes());
        }
        _ => h.update(d.message.as_bytes()),
    }
    h.finalize()[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
}

pub fn counts(diags: &[Diagnostic]) -> Counts {
    let mut c = Counts::default();
    for d in diags {
        match d.severity {
            Severity::Error => c.errors += 1,
            Severity::Warning => c.warnings += 1,
            Severity::Info => c.infos += 1,
        }
    }
    c
}

pub fn render(outcome: &Outcome, format: Format, color: bool) -> String {
    match format {
        Format::Human => human::render(outcome, color),
        Format::Json => json::render(outcome),
        Format::Sarif => sarif::render(outcome),
        Format::Github => github::render(outcome),
        Format::Junit => junit::render(outcome),
    }
}
