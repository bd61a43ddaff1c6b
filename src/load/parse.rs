//! YAML text to span trees: one tree per document, with resynchronisation after a broken
//! document, duplicate-key detection, merge keys, and bounds on nesting and alias expansion.

use std::cell::Cell;
use std::collections::HashMap;

use saphyr_parser::{Event, Marker, Parser, ScalarStyle, ScanError};

use super::LoadIssue;
use super::scalar::resolve_plain;
use super::tree::{Node, Style, Value};
use crate::source::{FileId, LineIndex, Span};

#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Deepest nesting of collections accepted in one document.
    pub max_depth: usize,
    /// Most nodes that aliases, and the anchors they refer to, may copy in one file, on top of
    /// one node per byte of the file: bounds both an alias bomb in one document and many small
    /// ones, or anchors nested in anchors, across a file.
    pub max_alias_nodes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_depth: 200,
            max_alias_nodes: 100_000,
        }
    }
}

/// One parsed document.
#[derive(Debug)]
pub struct RawDoc {
    pub root: Node,
    pub start: usize,
    pub end: usize,
    /// Values of duplicate keys, which are not in the tree but must still be redacted if they
    /// belong to a Secret.
    pub dropped: Vec<std::ops::Range<usize>>,
    /// The string values of duplicate `kind` keys, with the key's offset: the tree keeps the
    /// first value while kubectl keeps the last, so whether an object may be a Secret is decided
    /// on both.
    pub dropped_kinds: Vec<(usize, crate::source::Text)>,
    /// Spans of anchored nodes: an alias under a Secret's `data` copies its anchor's value, which
    /// may stand anywhere in the document.
    pub anchored: Vec<std::ops::Range<usize>>,
}

#[derive(Debug, Default)]
pub struct Parsed {
    pub docs: Vec<RawDoc>,
    pub issues: Vec<LoadIssue>,
    /// Byte ranges of documents that failed to parse.
    pub broken: Vec<std::ops::Range<usize>>,
    /// Offset of a flow mapping written `{{`: the text is a template, not YAML.
    pub template_at: Option<usize>,
}

struct Cursor<'t> {
    text: &'t str,
    /// What the parser reads: `text[base..end]`, with the flow closers of `shift` re-indented.
    chunk: &'t str,
    /// Spaces added at the start of a line (absolute 0-based line number) of `chunk`.
    shift: &'t HashMap<usize, usize>,
    lines: &'t LineIndex,
    file: FileId,
    /// Byte offset and 0-based line of the chunk being parsed.
    base: usize,
    base_line: usize,
    /// The last marker converted: (parser line, column, byte offset). Markers arrive in source
    /// order, so the next one on the same line is found by walking only the characters in
    /// between, not the whole line again (a 1 MB line of flow items would be quadratic).
    last: Cell<(usize, usize, usize)>,
}

impl<'t> Cursor<'t> {
    fn new(
        text: &'t str,
        chunk: &'t str,
        shift: &'t HashMap<usize, usize>,
        lines: &'t LineIndex,
        file: FileId,
        base: usize,
    ) -> Cursor<'t> {
        Cursor {
            text,
            chunk,
            shift,
            lines,
            file,
            base,
            base_line: lines.line_of(base),
            last: Cell::new((0, 0, 0)),
        }
    }

    fn byte(&self, m: &Marker) -> usize {
        let (line, mut col) = (m.line(), m.col());
        if let Some(k) = self.shift.get(&(self.base_line + line.max(1) - 1)) {
            col = col.saturating_sub(*k);
        }
        let (last_line, last_col, last_byte) = self.last.get();
        let (from, chars) = if line == last_line && last_col <= col {
            (last_byte, col - last_col)
        } else {
            let mut start = if line <= 1 {
                self.base
            } else {
                self.lines
                    .line_start(self.base_line + line - 1, self.text.len())
            };
            // The parser does not count a byte order mark that starts a line (one may start
            // every document of a stream) in the column.
            if line > 1 && self.text[start..].starts_with('\u{feff}') {
                start += '\u{feff}'.len_utf8();
            }
            (start.min(self.text.len()), col)
        };
        let off = advance(self.text, from, chars);
        self.last.set((line, col, off));
        off
    }

    fn span(&self, s: &saphyr_parser::Span) -> Span {
        Span::new(self.file, self.byte(&s.start), self.byte(&s.end))
    }
}

/// The byte offset `chars` characters after byte `from` of `text` (at most the text's end).
fn advance(text: &str, from: usize, chars: usize) -> usize {
    let rest = &text[from..];
    let off = if rest.as_bytes()[..chars.min(rest.len())].is_ascii() {
        chars.min(rest.len())
    } else {
        rest.char_indices()
            .nth(chars)
            .map(|(i, _)| i)
            .unwrap_or(rest.len())
    };
    from + off
}

enum Frame {
    Seq {
        items: Vec<Node>,
        start: usize,
        anchor: usize,
    },
    Map {
        entries: Vec<(Node, Node)>,
        /// Where each key is in `entries`, once the mapping has more than `INDEX_FROM` keys:
        /// looking each new key up in the list made a mapping of n keys cost n².
        index: Option<HashMap<KeyId, usize>>,
        pending: Option<Node>,
        merges: Vec<Node>,
        start: usize,
        anchor: usize,
    },
}

/// Small mappings are searched in their list; larger ones get a hash index.
const INDEX_FROM: usize = 16;

/// A mapping key that duplicate detection compares: strings, integers and booleans.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum KeyId {
    Str(crate::source::Text),
    Int(i64),
    Bool(bool),
}

impl KeyId {
    fn of(v: &Value) -> Option<KeyId> {
        match v {
            Value::Str(s) => Some(KeyId::Str(s.clone())),
            Value::Int(i) => Some(KeyId::Int(*i)),
            Value::Bool(b) => Some(KeyId::Bool(*b)),
            _ => None,
        }
    }
}

/// The position in `entries` of the key equal to `key`, through the index when there is one.
fn find_key(
    entries: &[(Node, Node)],
    index: &mut Option<HashMap<KeyId, usize>>,
    key: &KeyId,
    value: &Value,
) -> Option<usize> {
    if index.is_none() && entries.len() >= INDEX_FROM {
        let mut map = HashMap::with_capacity(entries.len() * 2);
        for (i, (k, _)) in entries.iter().enumerate() {
            if let Some(id) = KeyId::of(&k.value) {
                map.entry(id).or_insert(i);
            }
        }
        *index = Some(map);
    }
    match index {
        Some(map) => map.get(key).copied(),
        None => entries.iter().position(|(k, _)| k.value == *value),
    }
}

struct Builder {
    stack: Vec<Frame>,
    root: Option<Node>,
    anchors: HashMap<usize, Node>,
    doc_start: usize,
    dropped: Vec<std::ops::Range<usize>>,
    dropped_kinds: Vec<(usize, crate::source::Text)>,
    anchored: Vec<std::ops::Range<usize>>,
}

enum Stop {
    Scan(ScanError),
    Limit(usize, String),
}

pub fn parse(text: &str, lines: &LineIndex, file: FileId, limits: Limits) -> Parsed {
    let mut out = Parsed::default();
    let mut base = 0usize;
    let mut copies = Copies::new(limits, text);
    let mut patches = Patches::new(text);
    loop {
        let chunk = patches.chunk(text, lines, base, text.len());
        let cur = Cursor::new(text, &chunk, &patches.by_line, lines, file, base);
        let base_line = cur.base_line;
        let before = (
            out.docs.len(),
            out.issues.len(),
            copies.used,
            out.template_at,
        );
        match parse_chunk(&cur, limits, &mut copies, &mut out) {
            Ok(()) => break,
            Err((doc_start, stop)) => {
                let fix = match &stop {
                    Stop::Scan(e) => patches.fix(&cur, lines, base_line, e),
                    Stop::Limit(..) => None,
                };
                if let Some(fix) = fix {
                    patches.apply(fix);
                    // Parse the chunk again with the closer re-indented, as if the first attempt
                    // had not happened.
                    out.docs.truncate(before.0);
                    out.issues.truncate(before.1);
                    copies.used = before.2;
                    out.template_at = before.3;
                    continue;
                }
                let (at, message) = match stop {
                    Stop::Scan(e) => (cur.byte(e.marker()), syntax_message(e.info())),
                    Stop::Limit(at, msg) => (at, msg),
                };
                let at = at.min(text.len());
                let next = next_document_start(text, lines, at, base);
                let end = next.unwrap_or(text.len());
                out.broken.push(doc_start.min(at)..end);
                out.issues.push(LoadIssue {
                    rule: "YAML001",
                    span: Span::new(file, at, at + next_char_len(text, at)),
                    message,
                    related: vec![],
                    fixes: Vec::new(),
                });
                match next {
                    Some(n) if n > base => base = n,
                    _ => break,
                }
            }
        }
    }
    out
}

/// Flow collections closed at their parent's indentation, which YAML 1.2 (and saphyr) reject and
/// kubectl's reader (go-yaml), PyYAML and ruamel accept:
///
/// ```yaml
/// args: [
///   "--a"
/// ]
/// ```
///
/// When parsing fails with an indentation error on a line that starts with `]` or `}`, that line
/// is indented like the line before it and the chunk parsed again (and likewise the continuation
/// lines of a quoted scalar, see `quoted`). Spans are mapped back through
/// the added spaces. Bounded: the text is parsed again at most a few times its length in all.
/// One patch: lines to re-indent, same-length swaps, and the bytes it costs to parse again.
struct Fix {
    indent: Vec<(usize, usize)>,
    swaps: Vec<(usize, String)>,
    cost: usize,
}

struct Patches {
    by_line: HashMap<usize, usize>,
    /// Same-length ASCII replacements at byte offsets (see `alias_colon`).
    swaps: Vec<(usize, String)>,
    /// Bytes that may still be parsed again.
    budget: usize,
}

impl Patches {
    fn new(text: &str) -> Patches {
        Patches {
            by_line: HashMap::new(),
            swaps: Vec::new(),
            budget: text.len().saturating_mul(4).saturating_add(1 << 16),
        }
    }

    /// `text[base..end]` with the patched lines re-indented and the swaps made.
    fn chunk<'t>(
        &self,
        text: &'t str,
        lines: &LineIndex,
        base: usize,
        end: usize,
    ) -> std::borrow::Cow<'t, str> {
        let mut at: Vec<(usize, usize)> = self
            .by_line
            .iter()
            .map(|(&l, &k)| (lines.line_start(l, text.len()), k))
            .filter(|&(start, _)| base <= start && start < end)
            .collect();
        let swaps: Vec<&(usize, String)> = self
            .swaps
            .iter()
            .filter(|(o, r)| base <= *o && o + r.len() <= end)
            .collect();
        if at.is_empty() && swaps.is_empty() {
            return std::borrow::Cow::Borrowed(&text[base..end]);
        }
        // Swaps replace ASCII with ASCII of the same length: offsets and columns stay.
        let mut region = text[base..end].to_string();
        for (o, r) in swaps {
            region.replace_range(o - base..o - base + r.len(), r);
        }
        at.sort_unstable();
        let mut out = String::with_capacity(end - base + at.iter().map(|a| a.1).sum::<usize>());
        let mut from = 0;
        for (start, k) in at {
            out.push_str(&region[from..start - base]);
            out.extend(std::iter::repeat_n(' ', k));
            from = start - base;
        }
        out.push_str(&region[from..]);
        std::borrow::Cow::Owned(out)
    }

    /// The patch for a scan error that go-yaml would not have raised: (lines and the spaces to
    /// add to each, bytes to parse again).
    fn fix(&self, cur: &Cursor, lines: &LineIndex, base_line: usize, e: &ScanError) -> Option<Fix> {
        self.closer(cur.text, lines, base_line, e, cur.base)
            .map(|(line, k, cost)| Fix {
                indent: vec![(line, k)],
                swaps: Vec::new(),
                cost,
            })
            .or_else(|| {
                self.quoted(cur, lines, base_line, e)
                    .map(|(indent, cost)| Fix {
                        indent,
                        swaps: Vec::new(),
                        cost,
                    })
            })
            .or_else(|| self.alias_colon(cur, e))
    }

    fn apply(&mut self, fix: Fix) {
        self.by_line.extend(fix.indent);
        self.swaps.extend(fix.swaps);
        self.budget -= fix.cost;
    }

    /// The patch for an alias used as a mapping key with the colon right after it (`*app:`).
    /// YAML 1.2 reads the colon as part of the alias name, an unknown anchor; go-yaml and PyYAML
    /// end the name there. The anchor and every alias of it are renamed one character shorter,
    /// padded with a space (`&app x` → `&ap  x`, `*app:` → `*ap :`), which keeps every offset.
    fn alias_colon(&self, cur: &Cursor, e: &ScanError) -> Option<Fix> {
        if !e.info().contains("unknown anchor") {
            return None;
        }
        let text = cur.text;
        let bytes = text.as_bytes();
        let at = cur.byte(e.marker());
        let start = if bytes.get(at) == Some(&b'*') {
            at
        } else {
            text[..at].rfind('*')?
        };
        let is_name = |b: u8| !b.is_ascii_whitespace() && !b",[]{}".contains(&b);
        let len = bytes[start + 1..]
            .iter()
            .take_while(|&&b| is_name(b))
            .count();
        let name = &text[start + 1..start + 1 + len];
        let base = name.strip_suffix(':')?;
        if base.len() < 2 || !base.is_ascii() {
            return None;
        }
        let short = &base[..base.len() - 1];
        let cost = text.len() - cur.base;
        if cost > self.budget {
            return None;
        }
        // Every `&base` and `*base` token, followed by the end of the name.
        let mut swaps = Vec::new();
        for sigil in ['&', '*'] {
            let token = format!("{sigil}{base}");
            let mut from = 0;
            while let Some(i) = text[from..].find(&token) {
                let o = from + i;
                from = o + token.len();
                let before_ok = o == 0 || !is_name(bytes[o - 1]) || bytes[o - 1] == b'-';
                let after = bytes.get(o + token.len()).copied();
                let after_ok = after.is_none_or(|b| !is_name(b) || b == b':');
                if before_ok && after_ok && !self.swaps.iter().any(|(s, _)| *s == o + 1) {
                    swaps.push((o + 1, format!("{short} ")));
                }
            }
        }
        (!swaps.is_empty()).then_some(Fix {
            indent: Vec::new(),
            swaps,
            cost,
        })
    }

    /// The patch for a quoted scalar whose continuation lines are indented no deeper than the
    /// block around it, which YAML 1.2 (and saphyr) reject and go-yaml and PyYAML accept (line
    /// folding drops that indentation, so the value is the same):
    ///
    /// ```yaml
    ///   inline: "function f(request)
    ///   end"
    /// ```
    ///
    /// The continuation lines are indented one column past the opening quote.
    fn quoted(
        &self,
        cur: &Cursor,
        lines: &LineIndex,
        base_line: usize,
        e: &ScanError,
    ) -> Option<(Vec<(usize, usize)>, usize)> {
        if !e.info().contains("indentation in quoted scalar") {
            return None;
        }
        let text = cur.text;
        let open = cur.byte(e.marker());
        let quote = *text.as_bytes().get(open)?;
        if quote != b'"' && quote != b'\'' {
            return None;
        }
        // The closing quote: `\x` escapes in double quotes, `''` in single quotes.
        let bytes = text.as_bytes();
        let mut i = open + 1;
        let close = loop {
            match bytes.get(i)? {
                b'\\' if quote == b'"' => i += 2,
                b'\'' if quote == b'\'' && bytes.get(i + 1) == Some(&b'\'') => i += 2,
                &b if b == quote => break i,
                _ => i += 1,
            }
        };
        let first = lines.line_of(open);
        let last = lines.line_of(close);
        let cost = text.len() - cur.base;
        if last <= first || first < base_line || cost > self.budget {
            return None;
        }
        let want = open - lines.line_start(first, text.len()) + 1;
        let indent = |l: &str| l.len() - l.trim_start_matches(' ').len();
        let fix: Vec<(usize, usize)> = (first + 1..=last)
            .filter(|l| !self.by_line.contains_key(l))
            .filter_map(|l| {
                let have = indent(lines.line_text(text, l));
                (have < want).then_some((l, want - have))
            })
            .collect();
        (!fix.is_empty()).then_some((fix, cost))
    }

    /// The patch for an error that is a flow closer at too small an indentation: (line, spaces
    /// to add, bytes to parse again).
    fn closer(
        &self,
        text: &str,
        lines: &LineIndex,
        base_line: usize,
        e: &ScanError,
        base: usize,
    ) -> Option<(usize, usize, usize)> {
        if !e.info().contains("indentation") {
            return None;
        }
        let line = base_line + e.marker().line().max(1) - 1;
        let cost = text.len() - base;
        if self.by_line.contains_key(&line) || cost > self.budget {
            return None;
        }
        let indent = |l: &str| l.len() - l.trim_start_matches(' ').len();
        let here = lines.line_text(text, line);
        if !here.trim_start_matches(' ').starts_with([']', '}']) {
            return None;
        }
        // The indentation of the nearest line above with content (comments do not count).
        let above = (0..line).rev().take(1000).find_map(|l| {
            let t = lines.line_text(text, l);
            let body = t.trim_start_matches(' ');
            (!body.is_empty() && !body.starts_with('#')).then(|| indent(t))
        });
        match above {
            Some(want) if want > indent(here) => Some((line, want - indent(here), cost)),
            _ => None,
        }
    }
}

fn next_char_len(text: &str, at: usize) -> usize {
    text[at..]
        .chars()
        .next()
        .filter(|c| *c != '\n' && *c != '\r')
        .map(char::len_utf8)
        .unwrap_or(0)
}

fn syntax_message(info: &str) -> String {
    format!("invalid YAML: {info}")
}

/// The start of the first `---` line after the error, where parsing can resume.
fn next_document_start(text: &str, lines: &LineIndex, at: usize, base: usize) -> Option<usize> {
    let err_line = lines.line_of(at);
    let err_at_line_start = at == lines.line_start(err_line, text.len());
    let first = if err_at_line_start {
        err_line
    } else {
        err_line + 1
    };
    (first..lines.line_count())
        .map(|l| (l, lines.line_start(l, text.len())))
        .find(|&(_, start)| {
            start > base && {
                let rest = &text[start..];
                rest.starts_with("---")
                    && matches!(
                        rest.as_bytes().get(3),
                        None | Some(b' ' | b'\t' | b'\n' | b'\r')
                    )
            }
        })
        .map(|(_, start)| start)
}

/// What anchors and aliases may still copy in a file (see `Limits::max_alias_nodes`). Copying is
/// what costs: an anchored collection is copied when it ends (so that an alias can copy it again),
/// and each alias copies its anchor's tree.
struct Copies {
    budget: usize,
    used: usize,
}

impl Copies {
    fn new(limits: Limits, text: &str) -> Copies {
        Copies {
            budget: limits.max_alias_nodes.saturating_add(text.len()),
            used: 0,
        }
    }

    /// Accounts for copying `node`; past the budget, the error that skips the document.
    fn take(&mut self, node: &Node, at: usize) -> Result<(), Stop> {
        self.used = self.used.saturating_add(node.count());
        if self.used > self.budget {
            return Err(Stop::Limit(
                at,
                format!(
                    "aliases and anchors copy more than {} nodes in this file (an alias bomb?); document skipped",
                    self.budget
                ),
            ));
        }
        Ok(())
    }
}

fn parse_chunk(
    cur: &Cursor,
    limits: Limits,
    copies: &mut Copies,
    out: &mut Parsed,
) -> Result<(), (usize, Stop)> {
    let mut parser = Parser::new_from_str(cur.chunk);
    let mut b = Builder {
        stack: Vec::new(),
        root: None,
        anchors: HashMap::new(),
        doc_start: cur.base,
        dropped: Vec::new(),
        dropped_kinds: Vec::new(),
        anchored: Vec::new(),
    };
    while let Some(ev) = parser.next_event() {
        let (event, span) = ev.map_err(|e| (b.doc_start, Stop::Scan(e)))?;
        match event {
            Event::StreamStart | Event::Nothing => {}
            Event::StreamEnd => break,
            Event::DocumentStart(_) => {
                b.stack.clear();
                b.root = None;
                b.anchors.clear();
                b.dropped.clear();
                b.dropped_kinds.clear();
                b.anchored.clear();
                b.doc_start = cur.byte(&span.start);
            }
            Event::DocumentEnd => {
                if let Some(root) = b.root.take() {
                    let end = cur.byte(&span.end).max(root.span.end as usize);
                    out.docs.push(RawDoc {
                        root,
                        start: b.doc_start,
                        end,
                        dropped: std::mem::take(&mut b.dropped),
                        dropped_kinds: std::mem::take(&mut b.dropped_kinds),
                        anchored: std::mem::take(&mut b.anchored),
                    });
                }
            }
            Event::Scalar(value, style, anchor, tag) => {
                let sp = cur.span(&span);
                let (value, style) = match style {
                    ScalarStyle::Plain => {
                        let forced_str = tag.as_ref().is_some_and(|t| t.suffix == "str");
                        if forced_str {
                            (Value::Str(crate::source::Text::from(value)), Style::Plain)
                        } else {
                            (resolve_plain(&value), Style::Plain)
                        }
                    }
                    ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => {
                        (Value::Str(crate::source::Text::from(value)), Style::Quoted)
                    }
                    ScalarStyle::Literal | ScalarStyle::Folded => {
                        (Value::Str(crate::source::Text::from(value)), Style::Block)
                    }
                };
                let node = Node {
                    value,
                    span: sp,
                    style,
                };
                if anchor != 0 {
                    copies
                        .take(&node, node.span.start as usize)
                        .map_err(|e| (b.doc_start, e))?;
                    b.anchored.push(node.span.range());
                    b.anchors.insert(anchor, node.clone());
                }
                b.attach(node, out, cur.file);
            }
            Event::Alias(id) => {
                let sp = cur.span(&span);
                let Some(target) = b.anchors.get(&id) else {
                    return Err((
                        b.doc_start,
                        Stop::Limit(
                            sp.start as usize,
                            "invalid YAML: alias to an unknown anchor".into(),
                        ),
                    ));
                };
                copies
                    .take(target, sp.start as usize)
                    .map_err(|e| (b.doc_start, e))?;
                let mut node = target.clone();
                node.span = sp;
                b.attach(node, out, cur.file);
            }
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                let start = cur.byte(&span.start);
                if b.stack.len() >= limits.max_depth {
                    return Err((
                        b.doc_start,
                        Stop::Limit(
                            start,
                            format!(
                                "nesting deeper than {} levels; document skipped",
                                limits.max_depth
                            ),
                        ),
                    ));
                }
                if matches!(event, Event::SequenceStart(..)) {
                    b.stack.push(Frame::Seq {
                        items: Vec::new(),
                        start,
                        anchor,
                    });
                } else {
                    if out.template_at.is_none() && cur.text[start..].starts_with("{{") {
                        out.template_at = Some(start);
                    }
                    b.stack.push(Frame::Map {
                        entries: Vec::new(),
                        index: None,
                        pending: None,
                        merges: Vec::new(),
                        start,
                        anchor,
                    });
                }
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let end = cur.byte(&span.end);
                let Some(frame) = b.stack.pop() else { continue };
                let (value, start, anchor) = match frame {
                    Frame::Seq {
                        items,
                        start,
                        anchor,
                    } => (Value::Seq(items), start, anchor),
                    Frame::Map {
                        mut entries,
                        merges,
                        start,
                        anchor,
                        ..
                    } => {
                        apply_merges(&mut entries, merges);
                        (Value::Map(entries), start, anchor)
                    }
                };
                let node = Node {
                    value,
                    span: Span::new(cur.file, start, end.max(start)),
                    style: Style::Collection,
                };
                if anchor != 0 {
                    copies
                        .take(&node, node.span.start as usize)
                        .map_err(|e| (b.doc_start, e))?;
                    b.anchored.push(node.span.range());
                    b.anchors.insert(anchor, node.clone());
                }
                b.attach(node, out, cur.file);
            }
        }
    }
    Ok(())
}

/// YAML 1.1 merge keys (`<<: *base`), which kubectl honours: entries not already present are added.
fn apply_merges(entries: &mut Vec<(Node, Node)>, merges: Vec<Node>) {
    if merges.is_empty() {
        return;
    }
    // A set of the keys present, so that merging a large mapping is not a scan per key.
    let mut present: std::collections::HashSet<KeyId> = entries
        .iter()
        .filter_map(|(k, _)| KeyId::of(&k.value))
        .collect();
    for source in merges {
        let maps: Vec<&Node> = match &source.value {
            Value::Map(_) => vec![&source],
            Value::Seq(items) => items.iter().collect(),
            _ => vec![],
        };
        for m in maps {
            if let Value::Map(src) = &m.value {
                for (k, v) in src {
                    let new = match KeyId::of(&k.value) {
                        Some(id) => present.insert(id),
                        // Null, float or collection keys: rare, compared one by one.
                        None => !entries.iter().any(|(e, _)| e.value == k.value),
                    };
                    if new {
                        entries.push((k.clone(), v.clone()));
                    }
                }
            }
        }
    }
}

impl Builder {
    fn attach(&mut self, node: Node, out: &mut Parsed, file: FileId) {
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map {
                entries,
                index,
                pending,
                merges,
                ..
            }) => match pending.take() {
                None => *pending = Some(node),
                Some(key) => {
                    if key.style == Style::Plain
                        && key.as_str() == Some("<<")
                        && matches!(node.value, Value::Map(_) | Value::Seq(_))
                    {
                        merges.push(node);
                        return;
                    }
                    if let Some(id) = KeyId::of(&key.value) {
                        if let Some(first) =
                            find_key(entries, index, &id, &key.value).map(|i| &entries[i].0)
                        {
                            let name = match &key.value {
                                Value::Str(s) => s.to_string(),
                                other => format!("{other:?}"),
                            };
                            out.issues.push(LoadIssue {
                                rule: "YAML004",
                                span: key.span,
                                message: format!("duplicate key `{name}`: the API server rejects the object (or, with some clients, the later value silently wins)"),
                                related: vec![(
                                    Span::new(file, first.span.start as usize, first.span.end as usize),
                                    "first defined here".into(),
                                )],
                                fixes: Vec::new(),
                            });
                            self.dropped.push(node.span.range());
                            if let (Some("kind"), Some(kind)) = (key.as_str(), node.as_str()) {
                                self.dropped_kinds
                                    .push((key.span.start as usize, kind.into()));
                            }
                            return;
                        }
                        if let Some(map) = index {
                            map.insert(id, entries.len());
                        }
                    }
                    entries.push((key, node));
                }
            },
        }
    }
}

/// Re-parses one document (a byte range of the file) and returns the field path of the node at
/// each offset: fingerprints need them only for the documents that have findings, so the trees
/// are not kept for every object.
pub fn field_paths(
    text: &str,
    lines: &LineIndex,
    file: FileId,
    doc: std::ops::Range<usize>,
    offsets: &[u32],
) -> Vec<String> {
    let end = doc.end.min(text.len());
    let base = doc.start.min(end);
    if !text.is_char_boundary(base) || !text.is_char_boundary(end) {
        return vec![String::new(); offsets.len()];
    }
    let limits = Limits::default();
    let mut out;
    let mut patches = Patches::new(text);
    let base_line = lines.line_of(base);
    // The same re-indented closers as the first parse (`Patches`), found the same way.
    loop {
        let chunk = patches.chunk(text, lines, base, end);
        let cur = Cursor::new(text, &chunk, &patches.by_line, lines, file, base);
        out = Parsed::default();
        let fix = match parse_chunk(&cur, limits, &mut Copies::new(limits, text), &mut out) {
            Err((_, Stop::Scan(e))) => patches.fix(&cur, lines, base_line, &e),
            _ => None,
        };
        match fix {
            Some(fix) => patches.apply(fix),
            None => break,
        }
    }
    match out.docs.first() {
        Some(d) => offsets.iter().map(|&o| d.root.path_to(o)).collect(),
        None => vec![String::new(); offsets.len()],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str) -> Parsed {
        let lines = LineIndex::new(text);
        parse(text, &lines, 0, Limits::default())
    }

    #[test]
    fn flow_collections_closed_at_the_parent_indentation_load() {
        // kubectl (go-yaml), PyYAML and ruamel read this; YAML 1.2 parsers reject the `]`.
        let text = "a:\n  args: [\n    \"--a\",\n    \"--b\"\n  ]\n  m: {\n    x: 1\n  }\n  after: \"z\"\n";
        let p = run(text);
        assert!(p.issues.is_empty(), "{:?}", p.issues);
        let a = p.docs[0].root.get("a").unwrap();
        let args = a.get("args").unwrap().as_seq().unwrap();
        let b = &args[1];
        assert_eq!(&text[b.span.range()], "\"--b\"");
        let after = a.get("after").unwrap();
        assert_eq!(&text[after.span.range()], "\"z\"");
        let seq = a.get("args").unwrap();
        assert!(text[seq.span.range()].ends_with(']'), "{:?}", seq.span);
        // The field paths of a finding in such a document are found the same way.
        let at = text.find("--b").unwrap() as u32;
        let paths = field_paths(text, &LineIndex::new(text), 0, 0..text.len(), &[at]);
        assert_eq!(paths, vec!["a.args[1]".to_string()]);
        // A closer that is wrong for another reason stays an error.
        assert_eq!(run("a: [\n  1\n]]\n").issues.len(), 1);
    }

    #[test]
    fn spans_are_byte_exact_with_non_ascii() {
        let text = "a: ü\nname: x\n";
        let p = run(text);
        let root = &p.docs[0].root;
        let name = root.get("name").unwrap();
        assert_eq!(&text[name.span.range()], "x");
    }

    #[test]
    fn resyncs_after_broken_document() {
        let text = "a: [1, 2\n---\nb: 1\n---\nc: d: e\n---\nz: 2\n";
        let p = run(text);
        let keys: Vec<_> = p
            .docs
            .iter()
            .map(|d| d.root.as_map().unwrap()[0].0.as_str().unwrap().to_string())
            .collect();
        assert_eq!(keys, vec!["b", "z"]);
        assert_eq!(p.issues.iter().filter(|i| i.rule == "YAML001").count(), 2);
    }

    #[test]
    fn duplicate_keys_and_merge() {
        let p = run("base: &b {x: 1, y: 2}\nm:\n  <<: *b\n  y: 3\nm2: 1\nm2: 2\n");
        let root = &p.docs[0].root;
        let m = root.get("m").unwrap();
        assert_eq!(m.get("x").unwrap().value, Value::Int(1));
        assert_eq!(m.get("y").unwrap().value, Value::Int(3));
        assert_eq!(p.issues.len(), 1);
        assert_eq!(p.issues[0].rule, "YAML004");
    }

    #[test]
    fn alias_bomb_and_depth_are_bounded() {
        let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let prev = (b'a' + i - 1) as char;
            let cur = (b'a' + i) as char;
            bomb.push_str(&format!(
                "{cur}: &{cur} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"
            ));
        }
        let p = run(&bomb);
        assert!(p.docs.is_empty());
        assert!(p.issues[0].message.contains("alias"));

        let deep = "[".repeat(10_000);
        let p = run(&deep);
        assert!(p.docs.is_empty());
        assert_eq!(p.issues.len(), 1);
    }

    #[test]
    fn quoted_continuation_at_key_indentation_reads_as_go_yaml_does() {
        let text = "a:\n  inline: \"function f(h)\n  h:log('x')\n  end\"\n  b: 1\n";
        let p = run(text);
        assert!(p.issues.is_empty(), "{:?}", p.issues);
        let a = p.docs[0].root.get("a").unwrap();
        assert_eq!(
            a.get("inline").unwrap().as_str(),
            Some("function f(h) h:log('x') end")
        );
        let b = a.get("b").unwrap();
        // Spans still point into the original text.
        assert_eq!(&text[b.span.range()], "1");
    }

    #[test]
    fn alias_key_with_colon_reads_as_go_yaml_does() {
        let text =
            "metadata:\n  name: &app demo\nspec:\n  c:\n    *app:\n      image: x\n  other: *app\n";
        let p = run(text);
        assert!(p.issues.is_empty(), "{:?}", p.issues);
        let root = &p.docs[0].root;
        let spec = root.get("spec").unwrap();
        assert_eq!(
            spec.get("c")
                .unwrap()
                .get("demo")
                .unwrap()
                .get("image")
                .unwrap()
                .as_str(),
            Some("x")
        );
        assert_eq!(spec.get("other").unwrap().as_str(), Some("demo"));
        // Spans are those of the text as written (an anchored node's span starts at its anchor).
        let name = root.get("metadata").unwrap().get("name").unwrap();
        let plain = "metadata:\n  name: &app demo\n";
        let unpatched = run(plain);
        let plain_name = unpatched.docs[0]
            .root
            .get("metadata")
            .unwrap()
            .get("name")
            .unwrap();
        assert_eq!(name.span.range(), plain_name.span.range());
        // A one-character anchor cannot be renamed shorter: still a syntax error.
        assert_eq!(
            run("a: &x 1\nb:\n  *x:\n    c: 1\n").issues[0].rule,
            "YAML001"
        );
    }
}
