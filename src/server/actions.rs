//! Code actions: the fixes findings carry, suppressing a finding with a comment, removing an
//! unused suppression, and fixing every safe finding of a document.

use std::collections::HashMap;

use lsp_types::{
    CodeAction, CodeActionKind, CreateFile, DocumentChangeOperation, DocumentChanges, OneOf,
    OptionalVersionedTextDocumentIdentifier, ResourceOp, TextDocumentEdit, TextEdit, Uri,
    WorkspaceEdit,
};

use super::diagnostics;
use super::position::{self, Encoding};
use super::uri;
use super::workspace::Snapshot;
use crate::diagnostic::Diagnostic;
use crate::fix::{Applicability, Edit, Fix};
use crate::source::{FileId, SourceFile, Span};

pub const FIX_ALL: &str = "source.fixAll.gwlint";

const MARKER: &str = "# gwlint-ignore: ";

pub struct Request<'a> {
    pub snap: &'a Snapshot,
    pub file: FileId,
    /// Byte range asked about.
    pub start: u32,
    pub end: u32,
    pub enc: Encoding,
    /// The client can create files in a workspace edit.
    pub can_create: bool,
    /// Kinds the client asked for (`None`: all).
    pub only: Option<Vec<CodeActionKind>>,
}

fn wants(only: &Option<Vec<CodeActionKind>>, kind: &CodeActionKind) -> bool {
    match only {
        None => true,
        Some(kinds) => kinds.iter().any(|k| {
            kind.as_str() == k.as_str() || kind.as_str().starts_with(&format!("{}.", k.as_str()))
        }),
    }
}

/// The workspace edit of a set of edits; `None` when an edit cannot be expressed (a file the
/// client cannot create, a path that is not a URI).
fn workspace_edit(
    snap: &Snapshot,
    edits: &[Edit],
    enc: Encoding,
    can_create: bool,
) -> Option<WorkspaceEdit> {
    let files = &snap.outcome.files;
    let mut by_file: Vec<(Uri, Vec<TextEdit>)> = Vec::new();
    let mut creates = Vec::new();
    for e in edits {
        match e {
            Edit::Replace { span, text } => {
                let f = files.get(span.file as usize)?;
                let u = uri::from_path(&f.path)?;
                let te = TextEdit::new(position::range(f, enc, *span), text.clone());
                match by_file.iter_mut().find(|(x, _)| *x == u) {
                    Some((_, v)) => v.push(te),
                    None => by_file.push((u, vec![te])),
                }
            }
            Edit::Create { path, text } => {
                if !can_create {
                    return None;
                }
                creates.push((path.clone(), text.clone()));
            }
        }
    }
    if creates.is_empty() {
        // The protocol's type keys edits by `Uri`, whose lazily parsed parts are cells; their
        // equality and hash never change.
        #[allow(clippy::mutable_key_type)]
        let changes: HashMap<Uri, Vec<TextEdit>> = by_file.into_iter().collect();
        return Some(WorkspaceEdit {
            changes: Some(changes),
            ..WorkspaceEdit::default()
        });
    }
    let mut ops = Vec::new();
    for (path, text) in creates {
        // Relative to the repository root: the folder the server lints.
        let abs = snap.root.join(path);
        let u = uri::from_path(&abs)?;
        ops.push(DocumentChangeOperation::Op(ResourceOp::Create(
            CreateFile {
                uri: u.clone(),
                options: None,
                annotation_id: None,
            },
        )));
        ops.push(DocumentChangeOperation::Edit(TextDocumentEdit {
            text_document: OptionalVersionedTextDocumentIdentifier {
                uri: u,
                version: None,
            },
            edits: vec![OneOf::Left(TextEdit::new(
                lsp_types::Range::default(),
                text,
            ))],
        }));
    }
    for (u, edits) in by_file {
        ops.push(DocumentChangeOperation::Edit(TextDocumentEdit {
            text_document: OptionalVersionedTextDocumentIdentifier {
                uri: u,
                version: None,
            },
            edits: edits.into_iter().map(OneOf::Left).collect(),
        }));
    }
    Some(WorkspaceEdit {
        document_changes: Some(DocumentChanges::Operations(ops)),
        ..WorkspaceEdit::default()
    })
}

fn title(fix: &Fix) -> String {
    match fix.applicability {
        Applicability::Safe | Applicability::DisplayOnly => fix.title.clone(),
        Applicability::Unsafe => format!("{} (unsafe fix)", fix.title),
    }
}

/// The edit that suppresses `d` with a comment on the line above it: a new comment with the
/// line's indentation, or the rule added to a suppression comment already there.
fn suppress_edit(file: &SourceFile, d: &Diagnostic) -> Edit {
    let lines = file.lines();
    let line = lines.line_of(d.span.start as usize);
    let start = lines.line_start(line, file.text.len());
    if line > 0 {
        let above = lines.line_text(&file.text, line - 1);
        let trimmed = above.trim_start();
        if let Some(rest) = trimmed.strip_prefix(MARKER) {
            // Put the rule first in the list the comment already holds.
            let at = lines.line_start(line - 1, file.text.len()) + above.len() - rest.len();
            return Edit::insert(file.id, at as u32, format!("{},", d.rule));
        }
    }
    let text = lines.line_text(&file.text, line);
    let indent = &text[..text.len() - text.trim_start_matches([' ', '\t']).len()];
    let newline = if file.text[start..].contains("\r\n") {
        "\r\n"
    } else {
        "\n"
    };
    Edit::insert(
        file.id,
        start as u32,
        format!("{indent}{MARKER}{}{newline}", d.rule),
    )
}

/// The edit that removes an unused suppression comment: its whole line when the comment is
/// alone on it, otherwise the comment and the blanks before it.
fn remove_suppression(file: &SourceFile, d: &Diagnostic) -> Option<Edit> {
    let text = &file.text;
    if !text.get(d.span.range())?.starts_with('#') {
        // An annotation: removing a key may leave an empty map; left to the user.
        return None;
    }
    let lines = file.lines();
    let line = lines.line_of(d.span.start as usize);
    let start = lines.line_start(line, text.len());
    let before = &text[start..d.span.start as usize];
    if before.trim().is_empty() {
        let next = lines.line_start(line + 1, text.len());
        return Some(Edit::delete(Span::new(file.id, start, next)));
    }
    let from = start + before.trim_end_matches([' ', '\t']).len();
    let line_end = start + lines.line_text(text, line).len();
    Some(Edit::delete(Span::new(file.id, from, line_end)))
}

fn action(
    title: String,
    kind: CodeActionKind,
    d: Option<lsp_types::Diagnostic>,
    edit: WorkspaceEdit,
    preferred: bool,
) -> CodeAction {
    CodeAction {
        title,
        kind: Some(kind),
        diagnostics: d.map(|d| vec![d]),
        edit: Some(edit),
        is_preferred: preferred.then_some(true),
        ..CodeAction::default()
    }
}

pub fn code_actions(req: &Request) -> Vec<CodeAction> {
    let snap = req.snap;
    let files = &snap.outcome.files;
    let Some(file) = files.get(req.file as usize) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let quickfix = CodeActionKind::QUICKFIX;
    if wants(&req.only, &quickfix) {
        for d in snap.diagnostics_of(req.file) {
            // Touching the range asked about (an empty range at a finding's end counts).
            if d.span.end < req.start || d.span.start > req.end {
                continue;
            }
            let lsp = diagnostics::convert(files, d, req.enc);
            for fix in &d.fixes {
                if let Some(edit) = workspace_edit(snap, &fix.edits, req.enc, req.can_create) {
                    let preferred = fix.applicability == Applicability::Safe;
                    out.push(action(
                        title(fix),
                        quickfix.clone(),
                        lsp.clone(),
                        edit,
                        preferred,
                    ));
                }
            }
            if d.rule == crate::suppress::UNUSED {
                // The finding's own fix (the fix model's) removes it already.
                if let (true, Some(e)) = (d.fixes.is_empty(), remove_suppression(file, d)) {
                    if let Some(edit) = workspace_edit(snap, &[e], req.enc, false) {
                        out.push(action(
                            "Remove unused suppression".into(),
                            quickfix.clone(),
                            lsp.clone(),
                            edit,
                            d.fixes.is_empty(),
                        ));
                    }
                }
                continue;
            }
            let e = suppress_edit(file, d);
            if let Some(edit) = workspace_edit(snap, &[e], req.enc, false) {
                out.push(action(
                    format!("Suppress {} on this line", d.rule),
                    quickfix.clone(),
                    lsp,
                    edit,
                    false,
                ));
            }
        }
    }
    let fix_all = CodeActionKind::from(FIX_ALL);
    if req.only.is_some() && wants(&req.only, &fix_all) {
        if let Some(a) = fix_all_action(snap, req.file, req.enc) {
            out.push(a);
        }
    }
    out
}

/// Every safe fix of the document whose edits all lie in it, skipping any that overlaps one
/// taken before (in the order of the findings).
pub fn fix_all_action(snap: &Snapshot, file: FileId, enc: Encoding) -> Option<CodeAction> {
    let mut taken: Vec<(u32, u32)> = Vec::new();
    let mut edits = Vec::new();
    for d in snap.diagnostics_of(file) {
        for fix in d
            .fixes
            .iter()
            .filter(|f| f.applicability == Applicability::Safe)
        {
            let spans: Option<Vec<Span>> = fix
                .edits
                .iter()
                .map(|e| match e {
                    Edit::Replace { span, .. } if span.file == file => Some(*span),
                    _ => None,
                })
                .collect();
            let Some(spans) = spans else { continue };
            let overlaps = spans.iter().any(|s| {
                taken.iter().any(|&(a, b)| {
                    s.start < b && a < s.end || (s.start == a && (s.start == s.end || a == b))
                })
            });
            if overlaps {
                continue;
            }
            taken.extend(spans.iter().map(|s| (s.start, s.end)));
            edits.extend(fix.edits.iter().cloned());
            // One fix per finding: the first safe one is the best.
            break;
        }
    }
    if edits.is_empty() {
        return None;
    }
    let edit = workspace_edit(snap, &edits, enc, false)?;
    Some(action(
        "Fix all safe gwlint findings".into(),
        CodeActionKind::from(FIX_ALL),
        None,
        edit,
        false,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::workspace;

    /// The fixture's GW101 finding, given a safe and an unsafe fix as a rule would attach them.
    fn snapshot_with_fixes() -> (Snapshot, FileId, Span) {
        let root = std::fs::canonicalize("testdata/lsp/workspace").expect("fixture");
        let (opts, errors) = workspace::options(&root, &workspace::Settings::default());
        assert!(errors.is_empty(), "{errors:?}");
        let mut snap = workspace::build_complete(&opts, &mut crate::incremental::Cache::new());
        let d = snap
            .outcome
            .diagnostics
            .iter_mut()
            .find(|d| d.rule == "GW101")
            .expect("the fixture's GW101");
        let span = d.span;
        d.fixes = vec![
            Fix::safe(
                "Change the name to `public`",
                vec![Edit::replace(span, "public")],
            ),
            Fix::unsafe_("Remove the parentRef", vec![Edit::delete(span)]),
        ];
        (snap, span.file, span)
    }

    #[test]
    fn fixes_are_quick_fixes_and_fix_all_takes_the_safe_ones() {
        let (snap, file, span) = snapshot_with_fixes();
        let req = Request {
            snap: &snap,
            file,
            start: span.start,
            end: span.start,
            enc: Encoding::Utf16,
            can_create: false,
            only: None,
        };
        let actions = code_actions(&req);
        let titles: Vec<(&str, Option<bool>)> = actions
            .iter()
            .map(|a| (a.title.as_str(), a.is_preferred))
            .collect();
        assert_eq!(
            titles,
            [
                ("Change the name to `public`", Some(true)),
                ("Remove the parentRef (unsafe fix)", None),
                ("Suppress GW101 on this line", None),
            ]
        );
        let fix_all = fix_all_action(&snap, file, Encoding::Utf16).expect("a fix-all action");
        let edits: Vec<TextEdit> = fix_all
            .edit
            .and_then(|e| e.changes)
            .expect("changes")
            .into_values()
            .flatten()
            .collect();
        assert_eq!(edits.len(), 1);
        assert_eq!(edits[0].new_text, "public");
        assert_eq!(
            edits[0].range,
            lsp_types::Range::new(
                lsp_types::Position::new(7, 10),
                lsp_types::Position::new(7, 16)
            )
        );
        // Asked for source actions only: the fix-all, no quick fixes.
        let only = Request {
            only: Some(vec![CodeActionKind::SOURCE]),
            ..req
        };
        let titles: Vec<String> = code_actions(&only).into_iter().map(|a| a.title).collect();
        assert_eq!(titles, ["Fix all safe gwlint findings"]);
    }

    #[test]
    fn suppression_joins_a_comment_above() {
        let text = "a:\n  # gwlint-ignore: GW102 reason\n  b: 1\n";
        let f = SourceFile::new(0, "x.yaml".into(), text.into(), vec![], vec![]);
        let at = text.find("b: 1").expect("b") as u32;
        let d = Diagnostic::new("GW101", Span::new(0, at as usize, at as usize + 1), "m");
        let Edit::Replace { span, text: t } = suppress_edit(&f, &d) else {
            panic!("an insertion")
        };
        assert_eq!(
            (span.start as usize, t.as_str()),
            (text.find("GW102").expect("x"), "GW101,")
        );
        let lone = "a:\n  b: 1\n";
        let f = SourceFile::new(0, "x.yaml".into(), lone.into(), vec![], vec![]);
        let d = Diagnostic::new("GW101", Span::new(0, 5, 6), "m");
        let Edit::Replace { span, text: t } = suppress_edit(&f, &d) else {
            panic!("an insertion")
        };
        assert_eq!((span.start, t.as_str()), (3, "  # gwlint-ignore: GW101\n"));
    }
}
