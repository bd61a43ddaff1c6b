//! Source files, byte spans and their line/column positions.

use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

/// Index of a file in the run's file table.
pub type FileId = u32;

/// A byte range in one source file. Offsets are into the file's text after a leading BOM, if any.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Span {
    pub file: FileId,
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(file: FileId, start: usize, end: usize) -> Span {
        let clamp = |v: usize| u32::try_from(v).unwrap_or(u32::MAX);
        Span {
            file,
            start: clamp(start),
            end: clamp(end.max(start)),
        }
    }

    pub fn range(&self) -> Range<usize> {
        self.start as usize..self.end as usize
    }
}

/// A string of the model: most Kubernetes names and values fit in its 24 inline bytes, so the
/// model makes one allocation less per field.
pub type Text = compact_str::CompactString;

/// A value together with the span of the YAML node it came from.
#[derive(Clone, Debug, PartialEq)]
pub struct Sp<T> {
    pub v: T,
    pub span: Span,
}

impl<T> Sp<T> {
    pub fn new(v: T, span: Span) -> Self {
        Sp { v, span }
    }
}

impl Sp<Text> {
    pub fn as_str(&self) -> &str {
        &self.v
    }
}

/// 1-based line and column; columns count characters (Unicode scalar values).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

/// Line starts of a text, with YAML's notion of a line break (LF, CRLF or lone CR).
#[derive(Clone, Debug, Default)]
pub struct LineIndex {
    /// u32 like spans: every file's text is indexed by u32 offsets.
    starts: Vec<u32>,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let bytes = text.as_bytes();
        // Counted first so the index, kept for the whole run, has no slack; lone CRs are rare.
        let mut starts = Vec::with_capacity(bytes.iter().filter(|&&b| b == b'\n').count() + 1);
        starts.push(0);
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'\n' => starts.push(i as u32 + 1),
                b'\r' => {
                    if bytes.get(i + 1) == Some(&b'\n') {
                        i += 1;
                    }
                    starts.push(i as u32 + 1);
                }
                _ => {}
            }
            i += 1;
        }
        LineIndex { starts }
    }

    /// Byte offset where the 0-based line `line` starts; past the end, the text length.
    pub fn line_start(&self, line: usize, text_len: usize) -> usize {
        self.starts.get(line).map_or(text_len, |&s| s as usize)
    }

    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// Byte offset of each line's start.
    pub fn starts(&self) -> &[u32] {
        &self.starts
    }

    /// 0-based line containing byte `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        self.starts
            .partition_point(|&s| s as usize <= offset)
            .saturating_sub(1)
    }

    pub fn position(&self, text: &str, offset: usize) -> Position {
        let offset = offset.min(text.len());
        let line = self.line_of(offset);
        let start = self.starts[line] as usize;
        let column = text
            .get(start..offset)
            .map(|s| s.chars().count())
            .unwrap_or(offset - start);
        Position {
            line: line + 1,
            column: column + 1,
        }
    }

    /// Text of the 0-based line without its line break.
    pub fn line_text<'t>(&self, text: &'t str, line: usize) -> &'t str {
        let start = self.line_start(line, text.len());
        let end = self.line_start(line + 1, text.len());
        text.get(start..end)
            .unwrap_or("")
            .trim_end_matches(['\n', '\r'])
    }
}

/// Lines of context shown around a snippet.
pub const CONTEXT_LINES: usize = 2;

/// Field paths by (document start, document end, offset).
type FieldPaths = HashMap<(u32, u32, u32), String>;

/// Values derived from one text, one per type.
#[derive(Default)]
struct Derived(Vec<Arc<dyn std::any::Any + Send + Sync>>);

impl std::fmt::Debug for Derived {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} derived values", self.0.len())
    }
}

/// A file that was read and decoded. Findings point into it.
///
/// Cloning is cheap: the text and what is derived from it alone (the line index, field paths)
/// are shared, so a long-lived client keeps a file between runs without copying it, and what one
/// run derives from the text serves the next.
#[derive(Clone, Debug)]
pub struct SourceFile {
    pub id: FileId,
    /// Path as shown to users: relative to the working directory where possible.
    pub path: PathBuf,
    pub text: Arc<String>,
    /// Built on first use: after parsing, only files with findings need their line index, and a
    /// whole repository's indexes are a fifth of the size of its text.
    lines: Arc<OnceLock<LineIndex>>,
    /// Field paths already found in this text, by (document start, document end, offset).
    field_paths: Arc<Mutex<FieldPaths>>,
    /// Whether the text is SOPS-encrypted or has Flux variables, once asked.
    rewritten: Arc<OnceLock<bool>>,
    /// The path it was found for and its lexically normalised form: the resolve stage looks every
    /// file up by the latter on every run. Kept with the path it came from because `path` is
    /// public and a copy may be given another (the server shows absolute paths).
    normalized: Arc<OnceLock<(PathBuf, PathBuf)>>,
    /// What rules derive from the text alone, found once per text (see [`SourceFile::derived`]).
    derived: Arc<Mutex<Derived>>,
    /// Byte ranges whose text must never be shown (Secret values).
    pub redactions: Vec<Range<usize>>,
    /// Byte ranges in which no snippet may be shown at all (broken documents that mention a Secret).
    pub no_snippet: Vec<Range<usize>>,
}

impl SourceFile {
    pub fn new(
        id: FileId,
        path: PathBuf,
        text: String,
        redactions: Vec<Range<usize>>,
        no_snippet: Vec<Range<usize>>,
    ) -> SourceFile {
        SourceFile {
            id,
            path,
            text: Arc::new(text),
            lines: Arc::default(),
            field_paths: Arc::default(),
            rewritten: Arc::default(),
            derived: Arc::default(),
            normalized: Arc::default(),
            redactions,
            no_snippet,
        }
    }

    /// True when something rewrites this text before it is applied (SOPS decrypts it, Flux
    /// substitutes `${…}` variables): an edit to it is not an edit of what is deployed. Asked
    /// of every file by some rules, so found once per text.
    pub fn rewritten_before_apply(&self) -> bool {
        *self
            .rewritten
            .get_or_init(|| self.text.contains("sops:") || self.text.contains("${"))
    }

    /// The value of type `T` derived from this file (its text and id), made by `make` on first
    /// use. A long-lived client keeps a file whose text did not change, and with it what rules
    /// derived from it in earlier runs; a file keeps its id while it is kept.
    pub fn derived<T: std::any::Any + Send + Sync>(
        &self,
        make: impl FnOnce(&SourceFile) -> T,
    ) -> Arc<T> {
        // A poisoned memo is only a lost shortcut: the value is made again.
        if let Ok(memo) = self.derived.lock() {
            if let Some(v) = memo
                .0
                .iter()
                .find_map(|v| Arc::clone(v).downcast::<T>().ok())
            {
                return v;
            }
        }
        // Made outside the lock: `make` may ask for another derived value of this file.
        let v = Arc::new(make(self));
        if let Ok(mut memo) = self.derived.lock() {
            if !memo.0.iter().any(|v| v.is::<T>()) {
                memo.0
                    .push(Arc::clone(&v) as Arc<dyn std::any::Any + Send + Sync>);
            }
        }
        v
    }

    /// The field paths this text is known to have at `offsets` within the document `doc`
    /// (None where not known yet).
    pub fn known_field_paths(&self, doc: (u32, u32), offsets: &[u32]) -> Vec<Option<String>> {
        // A poisoned memo is only a lost shortcut: the paths are found again.
        let Ok(memo) = self.field_paths.lock() else {
            return vec![None; offsets.len()];
        };
        offsets
            .iter()
            .map(|&o| memo.get(&(doc.0, doc.1, o)).cloned())
            .collect()
    }

    /// Remembers field paths found in this text (see [`SourceFile::known_field_paths`]).
    pub fn remember_field_paths(
        &self,
        doc: (u32, u32),
        found: impl Iterator<Item = (u32, String)>,
    ) {
        if let Ok(mut memo) = self.field_paths.lock() {
            memo.extend(found.map(|(o, p)| ((doc.0, doc.1, o), p)));
        }
    }

    /// The path lexically normalised ([`crate::kustomize::normalize`]), found once per file.
    pub fn normalized_path(&self) -> Cow<'_, Path> {
        let (from, norm) = self
            .normalized
            .get_or_init(|| (self.path.clone(), crate::kustomize::normalize(&self.path)));
        if from.as_os_str() == self.path.as_os_str() {
            Cow::Borrowed(norm)
        } else {
            Cow::Owned(crate::kustomize::normalize(&self.path))
        }
    }

    pub fn empty(id: FileId, path: &std::path::Path) -> SourceFile {
        SourceFile::new(id, path.to_path_buf(), String::new(), vec![], vec![])
    }

    pub fn lines(&self) -> &LineIndex {
        self.lines.get_or_init(|| LineIndex::new(&self.text))
    }

    pub fn position(&self, offset: usize) -> Position {
        self.lines().position(&self.text, offset)
    }

    pub fn display_path(&self) -> String {
        self.path.to_string_lossy().replace('\\', "/")
    }

    /// True when a snippet around `span`, with `CONTEXT_LINES` lines either side, may be shown.
    pub fn snippet_allowed(&self, span: Span) -> bool {
        let lines = self.lines();
        let first = lines
            .line_of(span.start as usize)
            .saturating_sub(CONTEXT_LINES);
        let last = lines.line_of(span.end as usize) + CONTEXT_LINES + 1;
        let r = lines.line_start(first, self.text.len())..lines.line_start(last, self.text.len());
        !self
            .no_snippet
            .iter()
            .any(|z| r.start < z.end && z.start <= r.end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_characters_and_all_line_breaks() {
        let text = "a: ü\r\nb: x\rc: y\n";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_count(), 4);
        let off = text.find('x').unwrap();
        assert_eq!(idx.position(text, off), Position { line: 2, column: 4 });
        let off = text.find('y').unwrap();
        assert_eq!(idx.position(text, off), Position { line: 3, column: 4 });
        let off = text.find('\r').unwrap();
        assert_eq!(idx.position(text, off), Position { line: 1, column: 5 });
    }
}
