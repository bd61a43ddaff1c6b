//! `--format human`: miette snippets built from a redacted copy of each file.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    NamedSource, SourceCode, SourceSpan, SpanContents,
};

use super::{counts, region};
use crate::Outcome;
use crate::config::Severity;
use crate::diagnostic::Diagnostic;
use crate::source::{FileId, Span};

type Source = NamedSource<Windowed>;

/// A file's redacted text as miette reads it. miette finds the lines around a span by walking
/// the text from its start, once per snippet: a large file with many findings took time in the
/// square of its size. Here the walk starts at the first context line, found in the line index,
/// and the positions are shifted back, so the snippet is the same.
///
/// The text is also escaped (`crate::escape::Escaped`): a control character in a snippet line
/// would reach the terminal, so spans are mapped into the escaped text with `span`.
#[derive(Clone)]
struct Windowed {
    text: Arc<crate::escape::Escaped>,
    starts: Arc<[u32]>,
}

impl Windowed {
    fn new(f: &crate::source::SourceFile) -> Windowed {
        let text = crate::escape::Escaped::new(&f.text, &f.redactions);
        let starts = crate::source::LineIndex::new(&text.text).starts().into();
        Windowed {
            text: Arc::new(text),
            starts,
        }
    }

    fn span(&self, span: Span) -> SourceSpan {
        let start = self.text.map(span.start as usize);
        let end = self.text.map_end(span.end as usize).max(start);
        SourceSpan::new(start.into(), end - start)
    }
}

impl SourceCode for Windowed {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let line = self
            .starts
            .partition_point(|&s| s as usize <= span.offset())
            .saturating_sub(1);
        let first = line.saturating_sub(context_lines_before);
        let base = self
            .starts
            .get(first)
            .map_or(0, |&s| s as usize)
            .min(span.offset())
            .min(self.text.text.len());
        let inner = SourceSpan::new((span.offset() - base).into(), span.len());
        let window = &self.text.text.as_bytes()[base..];
        let c = window.read_span(&inner, context_lines_before, context_lines_after)?;
        Ok(Box::new(MietteSpanContents::new(
            c.data(),
            SourceSpan::new((c.span().offset() + base).into(), c.span().len()),
            c.line() + first,
            c.column(),
            c.line_count() + first,
        )))
    }
}

/// One rendered finding (or one related location in another file).
struct Human {
    message: String,
    code: Option<String>,
    severity: miette::Severity,
    help: Option<String>,
    source: Option<Source>,
    labels: Vec<LabeledSpan>,
    related: Vec<Human>,
}

impl fmt::Debug for Human {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for Human {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Human {}

impl miette::Diagnostic for Human {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.code
            .as_ref()
            .map(|c| Box::new(c) as Box<dyn fmt::Display>)
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.source.is_none() || self.labels.is_empty() {
            return None;
        }
        Some(Box::new(self.labels.iter().cloned()))
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
        if self.related.is_empty() {
            return None;
        }
        Some(Box::new(
            self.related.iter().map(|r| r as &dyn miette::Diagnostic),
        ))
    }
}

struct Sources<'o> {
    outcome: &'o Outcome,
    cache: HashMap<FileId, Windowed>,
}

impl Sources<'_> {
    /// The redacted source for a span, unless no snippet may be shown there, with the span
    /// mapped into it.
    fn get(&mut self, span: Span) -> Option<(Source, SourceSpan)> {
        let f = self.outcome.file(span.file);
        if f.text.is_empty() || !f.snippet_allowed(span) || on_long_line(f, span) {
            return None;
        }
        let text = self
            .cache
            .entry(span.file)
            .or_insert_with(|| Windowed::new(f))
            .clone();
        let mapped = text.span(span);
        let name = crate::escape::display(&f.display_path()).into_owned();
        Some((NamedSource::new(name, text).with_language("yaml"), mapped))
    }
}

/// Lines longer than this (minified JSON, huge keys) get no snippet: the renderer cannot pad to
/// such columns, and a screenful of one line helps nobody.
const MAX_SNIPPET_LINE: usize = 4096;

fn on_long_line(f: &crate::source::SourceFile, span: Span) -> bool {
    let first = f.lines().line_of(span.start as usize);
    let last = f.lines().line_of(span.end as usize);
    (first.saturating_sub(crate::source::CONTEXT_LINES)..=last + crate::source::CONTEXT_LINES)
        .any(|l| f.lines().line_text(&f.text, l).len() > MAX_SNIPPET_LINE)
}

/// A related location in the finding's file is labelled in the finding's own snippet when it is
/// at most this many lines away; further off it gets a snippet of its own, since one snippet
/// shows every line between its labels.
const SAME_SNIPPET_LINES: usize = 12;

fn severity(s: Severity) -> miette::Severity {
    match s {
        Severity::Error => miette::Severity::Error,
        Severity::Warning => miette::Severity::Warning,
        Severity::Info => miette::Severity::Advice,
    }
}

fn location(outcome: &Outcome, span: Span) -> String {
    let (start, _) = region(outcome, span);
    format!(
        "{}:{}:{}",
        crate::escape::display(&outcome.file(span.file).display_path()),
        start.line,
        start.column
    )
}

/// A label's span cut to the end of its first line: a related location on a whole listeners
/// block printed all its lines for a one-word typo; the first line names what it points at.
fn first_line(f: &crate::source::SourceFile, span: Span) -> Span {
    let lines = f.lines();
    let line = lines.line_of(span.start as usize);
    if lines.line_of(span.end as usize) == line {
        return span;
    }
    let end = lines.line_start(line, f.text.len()) + lines.line_text(&f.text, line).len();
    Span::new(span.file, span.start as usize, end.max(span.start as usize))
}

fn build(outcome: &Outcome, sources: &mut Sources, d: &Diagnostic, unsafe_fixes: bool) -> Human {
    use crate::escape::display;
    let meta = crate::rules::meta(d.rule);
    // The severity as a word as well as a colour: `error[GW108] backend-not-found`, and `[*]`
    // when `--fix` would fix it.
    let fixable = super::applicable_fix(d, unsafe_fixes);
    let mark = if fixable.is_some() { " [*]" } else { "" };
    let code = Some(match meta {
        Some(m) => format!("{}[{}] {}{mark}", d.severity.as_str(), d.rule, m.name),
        None => format!("{}[{}]{mark}", d.severity.as_str(), d.rule),
    });
    let (source, primary) = match sources.get(first_line(outcome.file(d.span.file), d.span)) {
        Some((s, span)) => (Some(s), Some(span)),
        None => (None, None),
    };
    // Messages, labels and help quote names from the files: escaped as a whole, since rules
    // never put line breaks or control characters in them themselves.
    let mut message = display(&d.message).into_owned();
    if source.is_none() {
        message = format!("{}: {message}", location(outcome, d.span));
    }
    let mut labels = Vec::new();
    if let Some(span) = primary {
        labels.push(LabeledSpan::new_primary_with_span(
            d.label.as_deref().map(|l| display(l).into_owned()),
            span,
        ));
    }
    let mut related = Vec::new();
    let file = outcome.file(d.span.file);
    let near = |span: Span| {
        let line = |offset: u32| file.lines().line_of(offset as usize);
        line(span.start).abs_diff(line(d.span.start)) <= SAME_SNIPPET_LINES
    };
    for r in &d.related {
        if r.span.file == d.span.file
            && source.is_some()
            && file.snippet_allowed(r.span)
            && near(r.span)
        {
            if let Some(w) = sources.cache.get(&r.span.file) {
                labels.push(LabeledSpan::new_with_span(
                    Some(display(&r.message).into_owned()),
                    w.span(first_line(file, r.span)),
                ));
            }
        } else {
            let rfile = outcome.file(r.span.file);
            let (rsource, rspan) = match sources.get(first_line(rfile, r.span)) {
                Some((s, span)) => (
                    Some(s),
                    vec![LabeledSpan::new_primary_with_span(None, span)],
                ),
                None => (None, vec![]),
            };
            let rmessage = if rsource.is_some() {
                display(&r.message).into_owned()
            } else {
                format!("{}: {}", location(outcome, r.span), display(&r.message))
            };
            related.push(Human {
                message: rmessage,
                code: None,
                severity: miette::Severity::Advice,
                help: None,
                labels: rspan,
                source: rsource,
                related: vec![],
            });
        }
    }
    Human {
        message,
        code,
        severity: severity(d.severity),
        help: help(d, fixable),
        source,
        labels,
        related,
    }
}

/// The finding's help, then the fix gwlint offers (the first one, whatever its applicability).
fn help(d: &Diagnostic, fixable: Option<&crate::fix::Fix>) -> Option<String> {
    use crate::escape::display;
    let offered = fixable.or(d.fixes.first()).map(|f| {
        let how = match f.applicability {
            crate::fix::Applicability::Safe => "",
            crate::fix::Applicability::Unsafe => " (unsafe: review it)",
            crate::fix::Applicability::DisplayOnly => " (by hand)",
        };
        format!("fix: {}{how}", display(&f.title))
    });
    let help = d.help.as_deref().map(|h| display(h).into_owned());
    match (help, offered) {
        (Some(h), Some(f)) => Some(format!("{h}\n{f}")),
        (h, f) => h.or(f),
    }
}

/// Width when the output is not a terminal (or the terminal's is unknown): the same for every
/// reader of a CI log or a file.
const FIXED_WIDTH: usize = 100;

pub fn render(
    outcome: &Outcome,
    look: super::Look,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let color = look.color;
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_links(false)
        .with_urls(false)
        .with_context_lines(crate::source::CONTEXT_LINES)
        .with_width(look.width.unwrap_or(FIXED_WIDTH).max(40))
        // A long word broken at the width could start a line with `::`, which a CI runner
        // takes for a command; unbroken, a line starts only where a word does (see escape.rs).
        .with_break_words(false)
        .without_syntax_highlighting();
    let mut sources = Sources {
        outcome,
        cache: HashMap::new(),
    };
    // One finding's text at a time: miette renders into a `fmt::Write`.
    let mut text = String::new();
    for (i, d) in outcome.diagnostics.iter().enumerate() {
        let h = build(outcome, &mut sources, d, look.unsafe_fixes);
        text.clear();
        // A blank line between findings: each is a block of its own.
        if i > 0 {
            text.push('\n');
        }
        if handler.render_report(&mut text, &h).is_err() {
            text = format!(
                "{}: {} {}\n",
                location(outcome, d.span),
                d.rule,
                crate::escape::display(&d.message)
            );
        }
        out.write_all(text.as_bytes())?;
    }
    let c = counts(&outcome.diagnostics);
    let files = outcome.statuses.len();
    if !outcome.diagnostics.is_empty() {
        out.write_all(b"\n")?;
    }
    if outcome.diagnostics.is_empty() {
        writeln!(
            out,
            "No findings in {files} file{} ({} objects).",
            if files == 1 { "" } else { "s" },
            outcome.objects
        )?;
    } else {
        writeln!(
            out,
            "Found {} error{}, {} warning{}, {} info in {files} file{} ({} objects).",
            c.errors,
            if c.errors == 1 { "" } else { "s" },
            c.warnings,
            if c.warnings == 1 { "" } else { "s" },
            c.infos,
            if files == 1 { "" } else { "s" },
            outcome.objects
        )?;
        if let Some(hint) = super::fix_hint(&outcome.diagnostics, look.unsafe_fixes) {
            writeln!(out, "{hint}")?;
        }
    }
    if outcome.test_data_withheld > 0 {
        writeln!(
            out,
            "{} file{} of test data (testdata and fixtures directories, golden outputs, …) not linted: no kustomization deploys {}; set `lintTestData: true` or name the directory to lint {}.",
            outcome.test_data_withheld,
            if outcome.test_data_withheld == 1 {
                ""
            } else {
                "s"
            },
            if outcome.test_data_withheld == 1 {
                "it"
            } else {
                "them"
            },
            if outcome.test_data_withheld == 1 {
                "it"
            } else {
                "them"
            },
        )?;
    }
    Ok(())
}
