//! Text taken from the linted files, made safe to print.
//!
//! gwlint prints names, hostnames, paths and snippet lines that a hostile pull request chose.
//! Printed raw, they reach two interpreters besides the reader:
//! - the terminal, which obeys control characters (ESC sequences clear the screen or set the
//!   title, `\r` overwrites a line) and bidi controls reorder what is shown;
//! - a CI runner such as GitHub Actions, which reads every line of the job log and takes a line
//!   that starts (after spaces) with `::`, or that holds `##[`, as a workflow command: forged
//!   annotations, masked log text, or `stop-commands` that silences the real annotations.
//!
//! Every character that could act is written as a visible escape instead:
//! - C0 controls, DEL and C1 controls as `\n`, `\r`, `\t` or `\u{1b}`;
//! - bidi controls and the Unicode line and paragraph separators as `\u{202e}`;
//! - `::` as `:\:` (every second colon of a run), wherever it is: a wrapped or broken line may
//!   start anywhere in a value;
//! - `##[` as `#\#[`, wherever it is.
//!
//! The escapes are for people; machine formats escape in their own syntax (`json_safe` below).

use std::borrow::Cow;

/// True for a character that a terminal or a log viewer may act on.
pub fn is_active(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}'
        | '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
        | '\u{2028}' | '\u{2029}')
}

/// Writes the escape for an active character.
fn push_escape(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c => {
            use std::fmt::Write as _;
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        }
    }
}

/// Whether `text` needs any change (the common case is no: names are plain ASCII).
fn needs_escape(text: &str) -> bool {
    text.chars().any(is_active) || text.contains("::") || text.contains("##[")
}

/// `text` as it may be printed to a terminal or a CI log: see the module comment.
pub fn display(text: &str) -> Cow<'_, str> {
    if !needs_escape(text) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    let mut prev: Option<char> = None;
    for (i, c) in text.char_indices() {
        if is_active(c) {
            push_escape(&mut out, c);
        } else if c == ':' && prev == Some(':') {
            out.push_str("\\:");
        } else if c == '#' && text[i + 1..].starts_with("#[") {
            out.push_str("#\\");
        } else {
            out.push(c);
        }
        prev = Some(c);
    }
    out.into()
}

/// `text` with only its active characters escaped, for a format that has its own rules for the
/// rest (a workflow command's data, where `::` is harmless and line breaks are `%0A`).
pub fn controls(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_active) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if is_active(c) && c != '\n' && c != '\r' {
            push_escape(&mut out, c);
        } else {
            out.push(c);
        }
    }
    out.into()
}

/// `text` for a place that shows one line: like `display`, and cut to `max` characters with an
/// ellipsis (config keys and other values echoed in errors).
pub fn display_capped(text: &str, max: usize) -> String {
    let mut cut: String = text.chars().take(max).collect();
    if cut.len() < text.len() {
        cut.push('…');
    }
    display(&cut).into_owned()
}

/// For JSON strings: the characters of `fragment` that must be written as `\uXXXX` escapes so
/// that the report, printed to a CI log, cannot act (see the module comment); the JSON value is
/// unchanged. `#` is escaped where it starts `##[`.
pub fn json_escape_at(fragment: &str) -> impl Iterator<Item = (usize, char)> + '_ {
    fragment.char_indices().filter(move |&(i, c)| {
        (is_active(c) && !c.is_ascii_control())
            || c == '\u{7f}'
            || (c == '#' && fragment[i + 1..].starts_with("#["))
    })
}

/// A snippet's text: a file's text with its Secret values replaced by a fixed `<redacted>`
/// marker (one of the value's length would tell the length) and active characters escaped, and
/// a map from offsets in the original to offsets in the result, so spans still point at the same
/// characters. Line breaks stay line breaks (a lone `\r` becomes `\n`, as gwlint counts it as
/// one; a redacted value keeps its line breaks), so a snippet's line numbers stay the file's.
pub struct Escaped {
    pub text: String,
    /// Replaced regions: (original start, original end, new start, new end), in order.
    marks: Vec<(usize, usize, usize, usize)>,
}

/// What stands for a redacted value.
pub const REDACTED: &str = "<redacted>";

impl Escaped {
    pub fn new(text: &str, redactions: &[std::ops::Range<usize>]) -> Escaped {
        let mut redactions: Vec<std::ops::Range<usize>> = redactions
            .iter()
            .map(|r| r.start.min(text.len())..r.end.min(text.len()))
            .filter(|r| {
                r.start < r.end && text.is_char_boundary(r.start) && text.is_char_boundary(r.end)
            })
            .collect();
        if redactions.is_empty()
            && !text.chars().any(|c| is_active(c) && c != '\n' && c != '\t')
            && !text.contains("##[")
        {
            return Escaped {
                text: text.to_owned(),
                marks: Vec::new(),
            };
        }
        redactions.sort_by_key(|r| r.start);
        let mut out = String::with_capacity(text.len() + 64);
        let mut marks = Vec::new();
        let mut next = redactions.iter().peekable();
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < text.len() {
            if let Some(r) = next.peek().filter(|r| r.start <= i) {
                // Overlapping ranges merge into the one being written.
                let mut end = r.end.max(i);
                next.next();
                while let Some(more) = next.peek().filter(|m| m.start < end) {
                    end = end.max(more.end);
                    next.next();
                }
                let new_start = out.len();
                out.push_str(REDACTED);
                let mut k = i;
                while k < end {
                    match bytes[k] {
                        b'\n' => out.push('\n'),
                        b'\r' if k + 1 < end && bytes[k + 1] == b'\n' => {
                            out.push_str("\r\n");
                            k += 1;
                        }
                        b'\r' => out.push('\n'),
                        _ => {}
                    }
                    k += 1;
                }
                marks.push((i, end, new_start, out.len()));
                i = end;
                continue;
            }
            let c = text[i..].chars().next().unwrap_or(' ');
            let before = out.len();
            match c {
                '\n' | '\t' => out.push(c),
                '\r' if bytes.get(i + 1) == Some(&b'\n') => out.push('\r'),
                '\r' => out.push('\n'),
                '#' if text[i + 1..].starts_with("#[") => out.push_str("#\\"),
                c if is_active(c) => push_escape(&mut out, c),
                c => out.push(c),
            }
            if out.len() - before != c.len_utf8() {
                marks.push((i, i + c.len_utf8(), before, out.len()));
            }
            i += c.len_utf8();
        }
        Escaped { text: out, marks }
    }

    /// Where the character at `offset` of the original is in the result: inside a replaced
    /// region, the region's start.
    pub fn map(&self, offset: usize) -> usize {
        let k = self.marks.partition_point(|&(start, ..)| start <= offset);
        if k == 0 {
            return offset;
        }
        let (start, end, new_start, new_end) = self.marks[k - 1];
        if offset == start || offset < end {
            new_start
        } else {
            new_end + (offset - end)
        }
    }

    /// Like `map`, for the end of a span: a span that ends inside a replaced region covers all
    /// of what replaced it.
    pub fn map_end(&self, offset: usize) -> usize {
        let k = self.marks.partition_point(|&(start, ..)| start < offset);
        if k == 0 {
            return offset;
        }
        let (_, end, _, new_end) = self.marks[k - 1];
        if offset <= end {
            new_end
        } else {
            new_end + (offset - end)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_borrowed() {
        assert!(matches!(display("shop/storefront"), Cow::Borrowed(_)));
    }

    #[test]
    fn controls_bidi_and_commands_are_escaped() {
        assert_eq!(display("a\nb\r\u{1b}[2J"), "a\\nb\\r\\u{1b}[2J");
        assert_eq!(display("x\u{202e}y\u{9b}"), "x\\u{202e}y\\u{9b}");
        assert_eq!(display("::error ::x"), ":\\:error :\\:x");
        assert_eq!(display(":::"), ":\\:\\:");
        assert_eq!(display("svc ##[add-mask]shop"), "svc #\\#[add-mask]shop");
        assert_eq!(display("###[x"), "##\\#[x");
        // Escaping twice changes nothing more: the escapes hold no `::`, `##[` or controls.
        let once = display("x::y##[z\u{1b}\n").into_owned();
        assert_eq!(display(&once), once);
    }

    #[test]
    fn capped_values_are_cut_and_escaped() {
        assert_eq!(display_capped("abcdef", 3), "abc…");
        assert_eq!(display_capped("a\nb", 10), "a\\nb");
    }

    #[test]
    fn escaped_snippet_text_keeps_spans() {
        let text = "a: \u{1b}x\rb: ##[y]\r\nc: z\n";
        let e = Escaped::new(text, &[]);
        assert_eq!(e.text, "a: \\u{1b}x\nb: #\\#[y]\r\nc: z\n");
        for (i, c) in text.char_indices().filter(|(_, c)| c.is_ascii_alphabetic()) {
            assert_eq!(e.text[e.map(i)..].chars().next(), Some(c), "offset {i}");
        }
        assert_eq!(e.map(text.len()), e.text.len());
    }

    #[test]
    fn redactions_have_a_fixed_length_and_keep_lines() {
        let text = "data:\n  k: c2VjcmV0c2VjcmV0\n  m: |\n    one\n    two\nafter: 1\n";
        let k = text.find("c2V").unwrap();
        let m = text.find("|").unwrap();
        let m_end = text.find("after").unwrap() - 1;
        let e = Escaped::new(text, &[k..k + 16, m..m_end]);
        assert_eq!(
            e.text,
            "data:\n  k: <redacted>\n  m: <redacted>\n\n\nafter: 1\n"
        );
        assert_eq!(&e.text[e.map(k)..e.map_end(k + 16)], REDACTED);
        assert_eq!(&e.text[e.map(k + 3)..e.map_end(k + 5)], REDACTED);
        let a = text.find("after").unwrap();
        assert_eq!(&e.text[e.map(a)..e.map_end(a + 5)], "after");
    }
}
