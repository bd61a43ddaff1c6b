//! Byte offsets of the pipeline's spans to and from LSP positions: a line and a column counted in
//! the negotiated encoding's code units (UTF-16 unless the client offers UTF-8).

use lsp_types::{Position, PositionEncodingKind, Range};

use crate::source::{LineIndex, SourceFile, Span};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf16,
}

impl Encoding {
    /// UTF-8 when the client lists it (no conversion at all), else UTF-16, which every client
    /// must support.
    pub fn negotiate(offered: Option<&[PositionEncodingKind]>) -> Encoding {
        match offered {
            Some(kinds) if kinds.contains(&PositionEncodingKind::UTF8) => Encoding::Utf8,
            _ => Encoding::Utf16,
        }
    }

    pub fn kind(self) -> PositionEncodingKind {
        match self {
            Encoding::Utf8 => PositionEncodingKind::UTF8,
            Encoding::Utf16 => PositionEncodingKind::UTF16,
        }
    }

    fn units(self, s: &str) -> usize {
        match self {
            Encoding::Utf8 => s.len(),
            Encoding::Utf16 => s.encode_utf16().count(),
        }
    }
}

/// The position of byte `offset` of `text`.
pub fn position(text: &str, lines: &LineIndex, enc: Encoding, offset: usize) -> Position {
    let offset = floor_char_boundary(text, offset.min(text.len()));
    let line = lines.line_of(offset);
    let start = lines.line_start(line, text.len()).min(offset);
    let col = enc.units(text.get(start..offset).unwrap_or(""));
    Position::new(line as u32, col as u32)
}

/// The byte offset of a position; a column past the line's end means the end of the line (as
/// the protocol says), a line past the end means the end of the text.
pub fn offset(text: &str, lines: &LineIndex, enc: Encoding, pos: Position) -> usize {
    let line = pos.line as usize;
    if line >= lines.line_count() {
        return text.len();
    }
    let line_text = lines.line_text(text, line);
    let start = lines.line_start(line, text.len());
    let want = pos.character as usize;
    let mut units = 0;
    for (i, c) in line_text.char_indices() {
        if units >= want {
            return start + i;
        }
        units += match enc {
            Encoding::Utf8 => c.len_utf8(),
            Encoding::Utf16 => c.len_utf16(),
        };
    }
    start + line_text.len()
}

pub fn range(file: &SourceFile, enc: Encoding, span: Span) -> Range {
    let lines = file.lines();
    Range::new(
        position(&file.text, lines, enc, span.start as usize),
        position(&file.text, lines, enc, span.end as usize),
    )
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_counts_surrogate_pairs() {
        let text = "a: \"é😀x\"\nb: 1\n";
        let lines = LineIndex::new(text);
        let x = text.find('x').unwrap_or(0);
        let p = position(text, &lines, Encoding::Utf16, x);
        // a, :, space, quote (4) + é (1) + 😀 (2)
        assert_eq!(p, Position::new(0, 7));
        assert_eq!(offset(text, &lines, Encoding::Utf16, p), x);
        let p8 = position(text, &lines, Encoding::Utf8, x);
        assert_eq!(p8, Position::new(0, 10));
        assert_eq!(offset(text, &lines, Encoding::Utf8, p8), x);
        assert_eq!(
            offset(text, &lines, Encoding::Utf16, Position::new(1, 99)),
            text.len() - 1
        );
        assert_eq!(
            offset(text, &lines, Encoding::Utf16, Position::new(9, 0)),
            text.len()
        );
    }
}
