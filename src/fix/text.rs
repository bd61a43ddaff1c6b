//! Edits that keep a file's style: a scalar replaced in the quoting it was written in, a line
//! inserted with its sibling's indentation and the file's line break.

use super::Edit;
use crate::source::Span;

/// Whether `s` reads back as the same string when written plain in YAML: a name made of the
/// characters Kubernetes names use, and nothing a YAML 1.1 or 1.2 reader takes for another type.
pub fn plain_safe(s: &str) -> bool {
    let first = s.chars().next();
    !s.is_empty()
        && first.is_some_and(|c| c.is_ascii_alphabetic())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '/'))
        && !matches!(
            s.to_ascii_lowercase().as_str(),
            "y" | "n" | "yes" | "no" | "on" | "off" | "true" | "false" | "null"
        )
        && !s.contains("..")
}

/// `s` as a double-quoted YAML scalar.
pub fn double_quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The bytes of the one-line scalar that starts at `span`: a quoted scalar up to its closing
/// quote, a plain one without trailing blanks or comment. The parser's span of a quoted scalar
/// can run on over a comment after it.
pub fn scalar_extent(text: &str, span: Span) -> Span {
    let Some(raw) = text.get(span.range()) else {
        return span;
    };
    let len = match raw.as_bytes().first() {
        Some(b'"') => {
            let mut escaped = false;
            raw.char_indices()
                .skip(1)
                .find(|&(_, c)| {
                    let close = c == '"' && !escaped;
                    escaped = c == '\\' && !escaped;
                    close
                })
                .map_or(raw.len(), |(i, _)| i + 1)
        }
        Some(b'\'') => {
            let b = raw.as_bytes();
            let mut i = 1;
            loop {
                match b.get(i) {
                    Some(b'\'') if b.get(i + 1) == Some(&b'\'') => i += 2,
                    Some(b'\'') => break i + 1,
                    Some(_) => i += 1,
                    None => break raw.len(),
                }
            }
        }
        _ => {
            let cut = raw
                .find(" #")
                .or_else(|| raw.find("\t#"))
                .unwrap_or(raw.len());
            raw[..cut].trim_end().len()
        }
    };
    Span::new(span.file, span.start as usize, span.start as usize + len)
}

/// An edit that makes the scalar at `span` read `value`, in the quoting the scalar was written
/// in (plain stays plain where the value allows). None when the span is not a one-line scalar.
pub fn replace_scalar(text: &str, span: Span, value: &str) -> Option<Edit> {
    let span = scalar_extent(text, span);
    let raw = text.get(span.range())?;
    if raw.is_empty() || raw.contains(['\n', '\r']) {
        return None;
    }
    let new = match raw.as_bytes()[0] {
        b'"' => double_quoted(value),
        b'\'' => format!("'{}'", value.replace('\'', "''")),
        // Block scalars, anchors, aliases, tags and flow collections are left alone.
        b'|' | b'>' | b'&' | b'*' | b'!' | b'{' | b'[' => return None,
        _ if plain_safe(value) => value.to_string(),
        _ => double_quoted(value),
    };
    Some(Edit::replace(span, new))
}

/// The line break the line holding `at` ends with (`\n` when it ends the file without one:
/// the file's first line break then, else LF).
pub fn line_break(text: &str, at: usize) -> &'static str {
    let rest = text.get(at..).unwrap_or("");
    let end = match rest.find('\n') {
        Some(i) => at + i,
        None => match text.find('\n') {
            Some(i) => i,
            None => return "\n",
        },
    };
    if end > 0 && text.as_bytes()[end - 1] == b'\r' {
        "\r\n"
    } else {
        "\n"
    }
}

/// Where the line holding `at` starts.
fn line_start(text: &str, at: usize) -> usize {
    text.get(..at)
        .and_then(|t| t.rfind('\n'))
        .map_or(0, |i| i + 1)
}

/// An edit that inserts `line` (without a line break) as a new line after the block-style key
/// at `key` (the span of a mapping key such as `kind`, whose value ends on its line), indented
/// as that key is. None when the key is not the first thing on its line after indentation (or
/// a list item's `- `), or its line holds a flow collection or continues on the next.
pub fn insert_line_after_key(text: &str, key: Span, line: &str) -> Option<Edit> {
    let k = key.start as usize;
    let start = line_start(text, k);
    let lead = text.get(start..k)?;
    if !lead.chars().all(|c| c == ' ' || c == '-') || lead.contains("--") {
        return None;
    }
    let end = text.get(k..)?.find('\n').map_or(text.len(), |i| k + i + 1);
    let this = text.get(k..end)?;
    // Only `key: value` with a scalar value on the line.
    let value = this.split_once(':').map_or("", |(_, v)| v).trim();
    if value.is_empty() || value.starts_with(['{', '[', '|', '>', '&', '*', '!']) {
        return None;
    }
    // The value must end on this line: the next line is not indented deeper than the key.
    let indent = lead.len();
    let next = text.get(end..).unwrap_or("");
    let next_indent = next.len() - next.trim_start_matches(' ').len();
    let next_blank = next.trim().is_empty() || next.trim_start().starts_with('#');
    if !next.is_empty()
        && !next_blank
        && next_indent > indent
        && !next.trim_start().starts_with("- ")
    {
        return None;
    }
    let brk = line_break(text, k);
    let pad = " ".repeat(indent);
    let at_eof_without_break = end == text.len() && !text.ends_with('\n');
    let new = if at_eof_without_break {
        format!("{brk}{pad}{line}")
    } else {
        format!("{pad}{line}{brk}")
    };
    Some(Edit::insert(key.file, end as u32, new))
}

/// The span of the block-style key `key` whose value is at `value` on the same line
/// (`kind: Secret`: the `kind`). None when the line is not `key: value`.
pub fn key_before(text: &str, value: Span, key: &str) -> Option<Span> {
    let v = value.start as usize;
    let start = line_start(text, v);
    let before = text.get(start..v)?.trim_end_matches([' ', '\t']);
    let k = before.strip_suffix(':')?.strip_suffix(key)?.len();
    let lead = text.get(start..start + k)?;
    if !lead.chars().all(|c| c == ' ' || c == '-') {
        return None;
    }
    Some(Span::new(value.file, start + k, start + k + key.len()))
}

/// An edit that deletes the block mapping entry whose key is at `key`: the key's line and the
/// lines of its value (more indented, or a sequence written at the key's indentation), but not
/// the blank or comment lines after it. None when the key is not alone at the start of its line
/// (a flow mapping, or the first key of a list item, whose `- ` would go with it).
pub fn delete_entry(text: &str, key: Span) -> Option<Edit> {
    let k = key.start as usize;
    let start = line_start(text, k);
    let lead = text.get(start..k)?;
    if !lead.bytes().all(|b| b == b' ') {
        return None;
    }
    let indent = lead.len();
    let first_end = text.get(k..)?.find('\n').map_or(text.len(), |i| k + i + 1);
    let key_line = text.get(k..first_end)?;
    if key_line.contains(['{', '[']) && !key_line.trim_end().ends_with(':') {
        let value = key_line.split_once(':').map_or("", |(_, v)| v).trim_start();
        if value.starts_with(['{', '[']) {
            return None;
        }
    }
    let mut end = first_end;
    let mut at = first_end;
    while at < text.len() {
        let line_end = text
            .get(at..)?
            .find('\n')
            .map_or(text.len(), |i| at + i + 1);
        let line = text.get(at..line_end)?;
        let body = line.trim_start_matches(' ');
        let this_indent = line.len() - body.len();
        let blank = body.trim().is_empty() || body.starts_with('#');
        if !blank {
            let item = body.starts_with("- ") || body.trim_end() == "-";
            if this_indent < indent
                || (this_indent == indent && !item)
                || body.starts_with("---")
                || body.starts_with("...")
            {
                break;
            }
            end = line_end;
        }
        at = line_end;
    }
    Some(Edit::delete(Span::new(key.file, start, end)))
}

/// An edit that deletes the whole lines holding `span` (with their line breaks), when nothing
/// but `span` and whitespace is on them. None otherwise.
pub fn delete_lines(text: &str, span: Span) -> Option<Edit> {
    let r = span.range();
    let start = line_start(text, r.start);
    let end = text
        .get(r.end..)?
        .find('\n')
        .map_or(text.len(), |i| r.end + i + 1);
    let before = text.get(start..r.start)?;
    let after = text.get(r.end..end)?;
    if !before.trim().is_empty() || !after.trim().is_empty() {
        return None;
    }
    Some(Edit::delete(Span::new(span.file, start, end)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apply(text: &str, e: Edit) -> String {
        match e {
            Edit::Replace { span, text: t } => {
                format!(
                    "{}{}{}",
                    &text[..span.start as usize],
                    t,
                    &text[span.end as usize..]
                )
            }
            Edit::Create { .. } => unreachable!(),
        }
    }

    #[test]
    fn scalars_keep_their_quoting() {
        let text = "a: \"x\"\nb: 'y'\nc: z\n";
        let sp = |s: &str| {
            let at = text.find(s).unwrap();
            Span::new(0, at, at + s.len())
        };
        assert_eq!(
            apply(text, replace_scalar(text, sp("\"x\""), "w").unwrap()),
            "a: \"w\"\nb: 'y'\nc: z\n"
        );
        assert_eq!(
            apply(text, replace_scalar(text, sp("'y'"), "it's").unwrap()),
            "a: \"x\"\nb: 'it''s'\nc: z\n"
        );
        assert_eq!(
            apply(text, replace_scalar(text, sp("z"), "on").unwrap()),
            "a: \"x\"\nb: 'y'\nc: \"on\"\n"
        );
    }

    #[test]
    fn lines_go_after_the_key_with_its_indentation_and_line_break() {
        let text = "- kind: Secret\r\n  metadata:\r\n    name: x\r\n";
        let at = text.find("kind").unwrap();
        let e = insert_line_after_key(text, Span::new(0, at, at + 4), "type: kubernetes.io/tls")
            .unwrap();
        assert_eq!(
            apply(text, e),
            "- kind: Secret\r\n  type: kubernetes.io/tls\r\n  metadata:\r\n    name: x\r\n"
        );
        let text = "kind: Secret";
        let e = insert_line_after_key(text, Span::new(0, 0, 4), "type: a").unwrap();
        assert_eq!(apply(text, e), "kind: Secret\ntype: a");
        let text = "kind:\n  Secret\n";
        assert!(insert_line_after_key(text, Span::new(0, 0, 4), "type: a").is_none());
    }

    #[test]
    fn a_duplicate_entry_goes_with_its_value() {
        let text = "metadata:\n  labels:\n    a: b\n  # kept\n  name: x\n  labels:\n  - c\n";
        let at = text.find("labels").unwrap();
        let e = delete_entry(text, Span::new(0, at, at + 6)).unwrap();
        assert_eq!(
            apply(text, e),
            "metadata:\n  # kept\n  name: x\n  labels:\n  - c\n"
        );
        let at = text.rfind("labels").unwrap();
        let e = delete_entry(text, Span::new(0, at, at + 6)).unwrap();
        assert_eq!(
            apply(text, e),
            "metadata:\n  labels:\n    a: b\n  # kept\n  name: x\n"
        );
    }

    #[test]
    fn whole_lines_are_deleted() {
        let text = "a: 1\n  # gwlint-ignore GW101\nb: 2\n";
        let at = text.find('#').unwrap();
        let e = delete_lines(text, Span::new(0, at, at + 21)).unwrap();
        assert_eq!(apply(text, e), "a: 1\nb: 2\n");
    }
}
