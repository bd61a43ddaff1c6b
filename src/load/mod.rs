//! Load stage: file bytes to span trees, with the file-level diagnostics YAML001–YAML004.

pub mod parse;
pub mod scalar;
pub mod tree;

use std::path::Path;

use crate::source::{FileId, LineIndex, SourceFile, Span};
pub use parse::{Limits, RawDoc};

/// A finding raised while loading or modelling, before the graph exists.
#[derive(Clone, Debug)]
pub struct LoadIssue {
    pub rule: &'static str,
    pub span: Span,
    pub message: String,
    pub related: Vec<(Span, String)>,
    /// Edits that would mend it (YAML005 quotes the scalar).
    pub fixes: Vec<crate::fix::Fix>,
}

/// What happened to a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FileStatus {
    /// Parsed; the number of documents that loaded.
    Loaded { documents: usize },
    /// Not linted, for the reason given by the rule.
    Skipped { rule: &'static str, reason: String },
    /// Could not be read (the run exits 2).
    Unreadable { error: String },
}

#[derive(Debug)]
pub struct LoadedFile {
    pub source: SourceFile,
    pub docs: Vec<RawDoc>,
    pub issues: Vec<LoadIssue>,
    pub status: FileStatus,
}

#[derive(Clone, Copy, Debug)]
pub struct LoadOptions {
    pub limits: Limits,
    pub max_file_size: u64,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            limits: Limits::default(),
            max_file_size: 64 * 1024 * 1024,
        }
    }
}

fn skipped(
    id: FileId,
    path: &Path,
    text: String,
    rule: &'static str,
    at: usize,
    reason: String,
) -> LoadedFile {
    let end = at
        + text[at.min(text.len())..]
            .chars()
            .next()
            .map(char::len_utf8)
            .unwrap_or(0);
    // A skipped file was never parsed, so nothing in it can be located for redaction: no
    // snippet of it is ever shown.
    let no_snippet = std::iter::once(0..text.len().max(1)).collect();
    LoadedFile {
        issues: vec![LoadIssue {
            rule,
            span: Span::new(id, at, end.min(text.len())),
            message: reason.clone(),
            related: vec![],
            fixes: Vec::new(),
        }],
        source: SourceFile::new(id, path.to_path_buf(), text, vec![], no_snippet),
        docs: vec![],
        status: FileStatus::Skipped { rule, reason },
    }
}

/// Decodes and parses one file. Never fails: problems become issues on the file.
pub fn load_bytes(id: FileId, path: &Path, bytes: Vec<u8>, opts: &LoadOptions) -> LoadedFile {
    if bytes.len() as u64 > opts.max_file_size {
        // Files are read only up to one byte past the limit, so their size is not known here.
        let reason = format!(
            "file is larger than the limit of {} bytes; skipped (raise maxFileSize in .gwlint.yaml to lint it)",
            opts.max_file_size
        );
        return skipped(id, path, String::new(), "YAML003", 0, reason);
    }
    if let Some(nul) = memchr_nul(&bytes) {
        let reason = format!("binary file (NUL byte at offset {nul}); skipped");
        return skipped(id, path, String::new(), "YAML003", 0, reason);
    }
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let reason = format!("not valid UTF-8 (invalid byte at offset {at}); skipped");
            return skipped(id, path, String::new(), "YAML003", 0, reason);
        }
    };
    let text = match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => text,
    };
    if in_chart_templates(path) {
        return skipped(
            id,
            path,
            text,
            "YAML002",
            0,
            "file is in a Helm chart's templates/ directory; skipped (lint the output of `helm template` instead)".into(),
        );
    }
    let lines = LineIndex::new(&text);
    let parsed = parse::parse(&text, &lines, id, opts.limits);
    let has_syntax_error = parsed.issues.iter().any(|i| i.rule == "YAML001");
    let template_at = parsed.template_at.or_else(|| {
        has_syntax_error
            .then(|| template_marker(&text, &parsed.issues))
            .flatten()
    });
    if let Some(at) = template_at {
        return skipped(
            id,
            path,
            text,
            "YAML002",
            at,
            "file is an unrendered template ({{ }} or {% %} syntax outside strings); skipped (lint the rendered output instead)".into(),
        );
    }
    let no_snippet = parsed
        .broken
        .iter()
        .filter(|r| mentions_secret(&text[r.start..r.end]))
        .cloned()
        .collect();
    let mut issues = parsed.issues;
    // YAML004: removing the earlier of the two entries keeps what kubectl applies (the later
    // value wins there); unsafe, as the earlier one may be the value that was meant.
    // Each later duplicate of one key names the same first entry: its extent is found once (a
    // key repeated a thousand times after a long value would otherwise be read a thousand times).
    let mut extents: std::collections::HashMap<Span, Option<crate::fix::Edit>> =
        std::collections::HashMap::new();
    for i in issues.iter_mut().filter(|i| i.rule == "YAML004") {
        let Some(first) = i.related.first().map(|(s, _)| *s) else {
            continue;
        };
        let edit = extents
            .entry(first)
            .or_insert_with(|| crate::fix::text::delete_entry(&text, first))
            .clone();
        if let Some(edit) = edit {
            i.fixes.push(crate::fix::Fix::unsafe_(
                "Remove the earlier duplicate entry (the later one is what kubectl applies)",
                vec![edit],
            ));
        }
    }
    LoadedFile {
        status: FileStatus::Loaded {
            documents: parsed.docs.len(),
        },
        // The index is dropped here and rebuilt for the files that need it later.
        source: SourceFile::new(id, path.to_path_buf(), text, vec![], no_snippet),
        docs: parsed.docs,
        issues,
    }
}

fn memchr_nul(bytes: &[u8]) -> Option<usize> {
    bytes.iter().position(|&b| b == 0)
}

/// A file under `templates/` of a directory holding `Chart.yaml` is a Helm template.
fn in_chart_templates(path: &Path) -> bool {
    // Most paths have no such directory: a substring test spares the component walk.
    if !path
        .as_os_str()
        .as_encoded_bytes()
        .windows(b"templates".len())
        .any(|w| w == b"templates")
    {
        return false;
    }
    path.ancestors().skip(1).any(|dir| {
        dir.file_name().is_some_and(|n| n == "templates")
            && dir
                .parent()
                .is_some_and(|chart| chart.join("Chart.yaml").is_file())
    })
}

/// Where template syntax shows that a syntax error comes from an unrendered template: a line that
/// starts with `{{` or `{%`, any `{%`, or `{{` on the line of the error.
fn template_marker(text: &str, issues: &[LoadIssue]) -> Option<usize> {
    // Searched for, not walked line by line: a broken document may be tens of megabytes.
    let first = [text.find("{%"), line_leading(text, "{{").next()]
        .into_iter()
        .flatten()
        .min();
    if first.is_some() {
        return first;
    }
    issues.iter().filter(|i| i.rule == "YAML001").find_map(|i| {
        let start = text[..i.span.start as usize]
            .rfind('\n')
            .map(|p| p + 1)
            .unwrap_or(0);
        let end = text[start..]
            .find('\n')
            .map(|p| start + p)
            .unwrap_or(text.len());
        text[start..end].find("{{").map(|p| start + p)
    })
}

/// A broken document that may hold a Secret value: its snippet could show values that cannot be
/// located. Decided by tokens, whatever the layout (block, flow or JSON), and conservatively: the
/// word `secret` in any case anywhere (`kind: Secret`, `"kind":"SecretList"`, a secretGenerator),
/// or a `data` or `stringData` key.
fn mentions_secret(doc: &str) -> bool {
    let b = doc.as_bytes();
    b.windows(6).any(|w| w.eq_ignore_ascii_case(b"secret")) || data_key(doc)
}

/// Whether `data` or `stringData` appears as a key: the word (not part of a longer name), then
/// an optional closing quote, optional spaces and a colon.
fn data_key(doc: &str) -> bool {
    let b = doc.as_bytes();
    let word = |c: u8| c.is_ascii_alphanumeric() || c == b'_' || c == b'-' || c == b'.';
    doc.match_indices("ata").any(|(at, _)| {
        let start = if at >= 1 && b[at - 1] == b'd' {
            at - 1
        } else if at >= 7 && b[at - 7..at].eq_ignore_ascii_case(b"stringD") {
            at - 7
        } else {
            return false;
        };
        if start > 0 && word(b[start - 1]) {
            return false;
        }
        let mut i = at + 3;
        if matches!(b.get(i), Some(b'"' | b'\'')) {
            i += 1;
        }
        while matches!(b.get(i), Some(b' ' | b'\t')) {
            i += 1;
        }
        b.get(i) == Some(&b':')
    })
}

/// Offsets of `pat` where it is the first thing on its line but for whitespace, in one pass over
/// the text (only the first occurrence on a line can be, so later ones are not looked at).
fn line_leading<'t>(text: &'t str, pat: &'t str) -> impl Iterator<Item = usize> + 't {
    let mut line_start = 0;
    let mut scanned = 0;
    let mut last_line = None;
    text.match_indices(pat).filter_map(move |(at, _)| {
        if let Some(nl) = text[scanned..at].rfind('\n') {
            line_start = scanned + nl + 1;
        }
        scanned = at;
        if last_line == Some(line_start) {
            return None;
        }
        last_line = Some(line_start);
        text[line_start..at].trim_start().is_empty().then_some(at)
    })
}
