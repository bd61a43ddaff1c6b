//! Fixes: what a finding's author knows the right text to be, as edits to files.
//!
//! One model serves `gwlint check --fix`, SARIF `fixes` and the language server's code actions.
//! An edit never re-serialises a document: it replaces a byte range of a file the run read (so
//! the file's indentation, quoting, comments and line endings stay), or creates a file.

pub mod apply;
pub mod diff;
pub mod nearest;
pub mod run;
pub mod text;

use crate::source::{FileId, Span};

/// How sure the fix is to be what the user meant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Applicability {
    /// Certainly what the user wanted, and nothing else changes: applied by `--fix`.
    Safe,
    /// Plausible, but a human must confirm (it may change meaning or widen access): applied only
    /// with `--unsafe-fixes`.
    Unsafe,
    /// Shown as a suggestion, never applied by the command line.
    DisplayOnly,
}

impl Applicability {
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::Safe => "safe",
            Applicability::Unsafe => "unsafe",
            Applicability::DisplayOnly => "display-only",
        }
    }
}

/// One change to one file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Edit {
    /// Replace the bytes of `span` (an insertion when the span is empty) in a file the run read.
    Replace { span: Span, text: String },
    /// Create a file that does not exist, relative to the repository root.
    Create {
        path: std::path::PathBuf,
        text: String,
    },
}

impl Edit {
    pub fn replace(span: Span, text: impl Into<String>) -> Edit {
        Edit::Replace {
            span,
            text: text.into(),
        }
    }

    pub fn insert(file: FileId, at: u32, text: impl Into<String>) -> Edit {
        Edit::Replace {
            span: Span {
                file,
                start: at,
                end: at,
            },
            text: text.into(),
        }
    }

    pub fn delete(span: Span) -> Edit {
        Edit::Replace {
            span,
            text: String::new(),
        }
    }
}

/// A titled set of edits applied together, or not at all.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    /// Imperative, in the user's terms: "Change the name to `store-v2`".
    pub title: String,
    pub applicability: Applicability,
    pub edits: Vec<Edit>,
}

impl Fix {
    pub fn new(title: impl Into<String>, applicability: Applicability, edits: Vec<Edit>) -> Fix {
        Fix {
            title: title.into(),
            applicability,
            edits,
        }
    }

    pub fn safe(title: impl Into<String>, edits: Vec<Edit>) -> Fix {
        Fix::new(title, Applicability::Safe, edits)
    }

    pub fn unsafe_(title: impl Into<String>, edits: Vec<Edit>) -> Fix {
        Fix::new(title, Applicability::Unsafe, edits)
    }
}
