//! Findings as LSP diagnostics.

use std::str::FromStr;

use lsp_types::{
    CodeDescription, DiagnosticRelatedInformation, DiagnosticSeverity, DiagnosticTag, Location,
    NumberOrString, Uri,
};

use super::position::{self, Encoding};
use super::uri;
use crate::config::Severity;
use crate::diagnostic::Diagnostic;
use crate::escape;
use crate::source::SourceFile;

pub fn severity(s: Severity) -> DiagnosticSeverity {
    match s {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Info => DiagnosticSeverity::INFORMATION,
    }
}

/// The rule page, as SARIF's `helpUri` links it.
pub fn rule_page(rule: &str) -> Option<Uri> {
    let meta = crate::rules::meta(rule)?;
    Uri::from_str(&crate::report::sarif::help_uri(meta)?).ok()
}

pub fn convert(
    files: &[SourceFile],
    d: &Diagnostic,
    enc: Encoding,
) -> Option<lsp_types::Diagnostic> {
    let file = files.get(d.span.file as usize)?;
    let mut message = escape::display(&d.message).into_owned();
    if let Some(help) = &d.help {
        message.push_str("\nhelp: ");
        message.push_str(&escape::display(help));
    }
    let related: Vec<DiagnosticRelatedInformation> = d
        .related
        .iter()
        .filter_map(|r| {
            let f = files.get(r.span.file as usize)?;
            Some(DiagnosticRelatedInformation {
                location: Location::new(uri::from_path(&f.path)?, position::range(f, enc, r.span)),
                message: escape::display(&r.message).into_owned(),
            })
        })
        .collect();
    let tags = (d.rule == crate::suppress::UNUSED).then(|| vec![DiagnosticTag::UNNECESSARY]);
    Some(lsp_types::Diagnostic {
        range: position::range(file, enc, d.span),
        severity: Some(severity(d.severity)),
        code: Some(NumberOrString::String(d.rule.to_string())),
        code_description: rule_page(d.rule).map(|href| CodeDescription { href }),
        source: Some("gwlint".to_string()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        tags,
        data: None,
    })
}
