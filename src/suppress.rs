//! Suppressions: `# gwlint-ignore: RULE[,RULE] reason` comments on a finding's line or the line
//! above, `gwlint.io/ignore: "RULE,…"` annotations on an object, and `ignore:` entries in the
//! configuration. A suppression that silences nothing is itself reported (GWL001), so they do
//! not outlive the problem they were written for.

use globset::Glob;

use crate::config::IgnoreEntry;
use crate::diagnostic::Diagnostic;
use crate::model::{ObjKey, Object};
use crate::source::{FileId, SourceFile, Span};

pub const UNUSED: &str = "GWL001";
const MARKER: &str = "gwlint-ignore:";
pub const ANNOTATION: &str = "gwlint.io/ignore";

enum Scope {
    /// Findings starting on this 0-based line of the file.
    Line(FileId, usize),
    /// Findings about this object (in this document of this file).
    Object(FileId, std::ops::Range<u32>, ObjKey),
}

struct Suppression {
    scope: Scope,
    /// Rule ids; unknown names are kept to be reported.
    rules: Vec<Result<&'static str, String>>,
    span: Span,
    used: bool,
}

/// Rule ids named in a `RULE[,RULE] reason` list, stopping at the first word that is not part
/// of the list.
fn parse_rules(text: &str) -> Vec<Result<&'static str, String>> {
    let mut out = Vec::new();
    let mut expecting = true;
    for word in text.split_whitespace() {
        if !expecting {
            break;
        }
        expecting = word.ends_with(',');
        for name in word.split(',').filter(|s| !s.is_empty()) {
            out.push(
                crate::rules::find(name)
                    .map(|r| r.id)
                    .ok_or_else(|| name.to_string()),
            );
        }
    }
    out
}

fn comments(file: &SourceFile) -> Vec<Suppression> {
    let mut out = Vec::new();
    if !file.text.contains(MARKER) {
        return out;
    }
    let mut offset = 0;
    for (line_no, line) in file.text.split_inclusive('\n').enumerate() {
        let start = offset;
        offset += line.len();
        let Some(pos) = line.find(MARKER) else {
            continue;
        };
        let before = &line[..pos];
        let Some(hash) = before.rfind('#') else {
            continue;
        };
        if !before[hash + 1..].trim().is_empty()
            || (hash > 0 && !before[..hash].ends_with([' ', '\t']))
        {
            continue;
        }
        let own_line = before[..hash].trim().is_empty();
        let target = if own_line { line_no + 1 } else { line_no };
        let rules = parse_rules(&line[pos + MARKER.len()..]);
        if rules.is_empty() {
            continue;
        }
        out.push(Suppression {
            scope: Scope::Line(file.id, target),
            rules,
            span: Span::new(file.id, start + hash, start + line.trim_end().len()),
            used: false,
        });
    }
    out
}

fn annotations(objects: &[Object]) -> Vec<Suppression> {
    objects
        .iter()
        .filter_map(|o| {
            let v = o.meta.annotation(ANNOTATION)?;
            Some(Suppression {
                scope: Scope::Object(o.file, o.doc.clone(), o.key.clone()),
                rules: parse_rules(&v.v.replace(',', ", ")),
                span: v.span,
                used: false,
            })
        })
        .collect()
}

fn glob_match(pattern: &Option<String>, value: &str) -> bool {
    match pattern {
        None => true,
        Some(p) => Glob::new(p)
            .map(|g| g.compile_matcher().is_match(value))
            .unwrap_or(false),
    }
}

fn config_matches(e: &IgnoreEntry, d: &Diagnostic, path: &str) -> bool {
    if e.rule != d.rule {
        return false;
    }
    if !glob_match(&e.path, path) {
        return false;
    }
    if e.kind.is_none() && e.namespace.is_none() && e.name.is_none() {
        return true;
    }
    let Some(o) = &d.object else { return false };
    glob_match(&e.kind, &o.kind)
        && glob_match(&e.namespace, &o.namespace)
        && glob_match(&e.name, &o.name)
}

/// What applying suppressions did.
#[derive(Debug, Default)]
pub struct Applied {
    pub suppressed: usize,
    /// Configuration entries that matched nothing (index into `Config::ignore`).
    pub unused_config: Vec<usize>,
}

/// Removes suppressed findings from `diags` and appends GWL001 findings for suppressions that
/// silenced nothing (when GWL001 is enabled).
pub fn apply(
    files: &[SourceFile],
    objects: &[Object],
    config: &[IgnoreEntry],
    diags: &mut Vec<Diagnostic>,
    report_unused: bool,
) -> Applied {
    let mut sups: Vec<Suppression> = files.iter().flat_map(comments).collect();
    sups.extend(annotations(objects));
    let mut config_used = vec![false; config.len()];
    let mut applied = Applied::default();
    diags.retain(|d| {
        let f = &files[d.span.file as usize];
        let line = f.lines.line_of(d.span.start as usize);
        let mut hit = false;
        for s in sups.iter_mut() {
            let scope_ok = match &s.scope {
                Scope::Line(file, l) => *file == d.span.file && *l == line,
                Scope::Object(file, doc, key) => {
                    *file == d.span.file
                        && d.object.as_ref() == Some(key)
                        && doc.start <= d.span.start
                        && d.span.start <= doc.end
                }
            };
            if scope_ok && s.rules.contains(&Ok(d.rule)) {
                s.used = true;
                hit = true;
            }
        }
        let path = f.display_path();
        for (i, e) in config.iter().enumerate() {
            if config_matches(e, d, &path) {
                config_used[i] = true;
                hit = true;
            }
        }
        if hit {
            applied.suppressed += 1;
        }
        !hit
    });
    applied.unused_config = config_used
        .iter()
        .enumerate()
        .filter(|(_, u)| !**u)
        .map(|(i, _)| i)
        .collect();
    if report_unused {
        for s in sups.iter().filter(|s| !s.used) {
            let unknown: Vec<&str> = s
                .rules
                .iter()
                .filter_map(|r| r.as_ref().err().map(String::as_str))
                .collect();
            let message = if unknown.is_empty() {
                let ids: Vec<&str> = s
                    .rules
                    .iter()
                    .filter_map(|r| r.as_ref().ok().copied())
                    .collect();
                format!(
                    "suppression of {} matches no finding; remove it",
                    ids.join(", ")
                )
            } else {
                format!("suppression names unknown rule {}", unknown.join(", "))
            };
            diags.push(
                Diagnostic::new(UNUSED, s.span, message)
                    .label("unused suppression")
                    .help("a comment suppresses findings on its own line (trailing) or the next line; an annotation suppresses findings about its object"),
            );
        }
    }
    applied
}
