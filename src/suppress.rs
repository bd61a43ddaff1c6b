//! Suppressions: `# gwlint-ignore: RULE[,RULE] reason` comments on a finding's line or the line
//! above, `gwlint.io/ignore: "RULE,…"` annotations on an object, and `ignore:` entries in the
//! configuration. A suppression that silences nothing is itself reported (GWL001), so they do
//! not outlive the problem they were written for.

use globset::{Glob, GlobMatcher};
use rayon::prelude::*;

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
    // Lines are the file's line index (LF, CRLF or a lone CR), the same lines findings are
    // numbered by: counting LF alone let a comment after a lone CR silence another line.
    let lines = file.lines();
    let mut last_line = None;
    for (at, _) in file.text.match_indices(MARKER) {
        let line_no = lines.line_of(at);
        // The first marker on a line is the comment's, as a line holds one comment.
        if last_line == Some(line_no) {
            continue;
        }
        last_line = Some(line_no);
        let start = lines.line_start(line_no, file.text.len());
        let line = lines.line_text(&file.text, line_no);
        let pos = at - start;
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

/// The edit that removes a suppression: a comment on its own line goes with its line, a
/// trailing comment with the blanks before it, an annotation with its line when it is alone
/// on it. Removing what silences nothing changes no finding: a safe fix.
fn removal(text: &str, s: &Suppression) -> Option<crate::fix::Edit> {
    use crate::fix::text::delete_lines;
    match s.scope {
        Scope::Line(..) => delete_lines(text, s.span).or_else(|| {
            let start = s.span.start as usize;
            let before = text.get(..start)?;
            let blanks = before.len() - before.trim_end_matches([' ', '\t']).len();
            Some(crate::fix::Edit::delete(Span::new(
                s.span.file,
                start - blanks,
                s.span.end as usize,
            )))
        }),
        Scope::Object(..) => {
            // `gwlint.io/ignore: "GW101"` on a line of its own.
            let start = s.span.start as usize;
            let line_start = text.get(..start)?.rfind(['\n', '\r']).map_or(0, |i| i + 1);
            let key = text.get(line_start..start)?.trim_start();
            let key = key.trim_end().strip_suffix(':')?.trim_matches(['"', '\'']);
            if key != ANNOTATION {
                return None;
            }
            let at = text.get(line_start..start)?.len()
                - text.get(line_start..start)?.trim_start().len();
            delete_lines(
                text,
                Span::new(s.span.file, line_start + at, s.span.end as usize),
            )
        }
    }
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

/// One field of an `ignore:` entry, compiled once: glob matching is the whole cost of applying
/// the configuration, and a run may test every finding against every entry.
enum Pattern {
    Any,
    Glob(GlobMatcher),
    /// An invalid glob matches nothing (the configuration loader rejects them; this covers
    /// entries built in code).
    Never,
}

impl Pattern {
    fn new(pattern: &Option<String>) -> Self {
        match pattern {
            None => Pattern::Any,
            Some(p) => Glob::new(p).map_or(Pattern::Never, |g| Pattern::Glob(g.compile_matcher())),
        }
    }

    fn is_match(&self, value: &str) -> bool {
        match self {
            Pattern::Any => true,
            Pattern::Glob(g) => g.is_match(value),
            Pattern::Never => false,
        }
    }
}

struct ConfigMatcher {
    rule: &'static str,
    path: Pattern,
    kind: Pattern,
    namespace: Pattern,
    name: Pattern,
    /// No object field given: the entry matches findings with or without an object.
    any_object: bool,
}

impl ConfigMatcher {
    fn new(e: &IgnoreEntry) -> Self {
        ConfigMatcher {
            rule: e.rule,
            path: Pattern::new(&e.path),
            kind: Pattern::new(&e.kind),
            namespace: Pattern::new(&e.namespace),
            name: Pattern::new(&e.name),
            any_object: e.kind.is_none() && e.namespace.is_none() && e.name.is_none(),
        }
    }

    fn matches(&self, d: &Diagnostic, path: &str) -> bool {
        if self.rule != d.rule || !self.path.is_match(path) {
            return false;
        }
        if self.any_object {
            return true;
        }
        let Some(o) = &d.object else { return false };
        self.kind.is_match(&o.kind)
            && self.namespace.is_match(&o.namespace)
            && self.name.is_match(&o.name)
    }
}

/// Suppressions indexed by where they apply, so each finding looks up only its own line and its
/// own object instead of testing every suppression of the repository.
struct Index {
    by_line: foldhash::HashMap<(FileId, usize), Vec<usize>>,
    /// Object-scoped suppressions as (file, key, index), sorted.
    by_object: Vec<(FileId, ObjKey, usize)>,
}

impl Index {
    fn new(sups: &[Suppression]) -> Self {
        let mut by_line: foldhash::HashMap<(FileId, usize), Vec<usize>> = Default::default();
        let mut by_object = Vec::new();
        for (i, s) in sups.iter().enumerate() {
            match &s.scope {
                Scope::Line(file, line) => by_line.entry((*file, *line)).or_default().push(i),
                Scope::Object(file, _, key) => by_object.push((*file, key.clone(), i)),
            }
        }
        by_object.sort_unstable();
        Index { by_line, by_object }
    }

    /// Suppressions whose scope covers `d` (`line` is the finding's 0-based start line).
    fn candidates<'a>(
        &'a self,
        sups: &'a [Suppression],
        d: &'a Diagnostic,
        line: usize,
    ) -> impl Iterator<Item = usize> + 'a {
        let on_line = self
            .by_line
            .get(&(d.span.file, line))
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .copied();
        let on_object = d.object.as_ref().map_or(&[][..], |key| {
            let probe = (d.span.file, key);
            let from = self.by_object.partition_point(|(f, k, _)| (*f, k) < probe);
            let to = from + self.by_object[from..].partition_point(|(f, k, _)| (*f, k) == probe);
            &self.by_object[from..to]
        });
        let on_object = on_object.iter().map(|(_, _, i)| *i).filter(move |&i| {
            let Scope::Object(_, doc, _) = &sups[i].scope else {
                return false;
            };
            doc.start <= d.span.start && d.span.start <= doc.end
        });
        on_line.chain(on_object)
    }
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
    let mut sups: Vec<Suppression> = files.par_iter().flat_map_iter(comments).collect();
    sups.extend(annotations(objects));
    let index = Index::new(&sups);
    let matchers: Vec<ConfigMatcher> = config.iter().map(ConfigMatcher::new).collect();
    let mut config_used = vec![false; config.len()];
    let mut applied = Applied::default();
    let mut hits = Vec::new();
    diags.retain(|d| {
        let f = &files[d.span.file as usize];
        let line = f.lines().line_of(d.span.start as usize);
        hits.clear();
        hits.extend(
            index
                .candidates(&sups, d, line)
                .filter(|&i| sups[i].rules.contains(&Ok(d.rule))),
        );
        for &i in &hits {
            sups[i].used = true;
        }
        let mut hit = !hits.is_empty();
        if !matchers.is_empty() {
            let path = f.display_path();
            for (i, m) in matchers.iter().enumerate() {
                if m.matches(d, &path) {
                    config_used[i] = true;
                    hit = true;
                }
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
            let mut d = Diagnostic::new(UNUSED, s.span, message)
                    .label("unused suppression")
                    .help("a comment suppresses findings on its own line (trailing) or the next line; an annotation suppresses findings about its object");
            if let Some(f) = files.get(s.span.file as usize) {
                if let Some(edit) = removal(&f.text, s) {
                    d = d.fix(crate::fix::Fix::safe(
                        "Remove the unused suppression",
                        vec![edit],
                    ));
                }
            }
            diags.push(d);
        }
    }
    applied
}
