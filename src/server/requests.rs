//! Requests answered from the last complete snapshot: definition, references, hover, document
//! symbols, code actions.

use lsp_types::{
    CodeActionOrCommand, CodeActionParams, DocumentSymbol, DocumentSymbolParams,
    DocumentSymbolResponse, GotoDefinitionParams, GotoDefinitionResponse, Hover, HoverContents,
    HoverParams, Location, MarkupContent, MarkupKind, ReferenceParams, SymbolKind,
    TextDocumentPositionParams, Uri,
};

use super::actions;
use super::position::{self, Encoding};
use super::uri;
use super::workspace::Snapshot;
use crate::graph::nav::{Anchor, Target};
use crate::source::{FileId, SourceFile};

pub struct Ctx<'a> {
    pub snap: &'a Snapshot,
    pub enc: Encoding,
    pub can_create: bool,
}

impl Ctx<'_> {
    fn file(&self, u: &Uri) -> Option<&SourceFile> {
        let path = uri::to_path(u)?;
        let id = self.snap.file_id(&path)?;
        self.snap.outcome.files.get(id as usize)
    }

    /// The file and byte offset of a position.
    fn locate(&self, p: &TextDocumentPositionParams) -> Option<(&SourceFile, u32)> {
        let f = self.file(&p.text_document.uri)?;
        let at = position::offset(&f.text, f.lines(), self.enc, p.position);
        Some((f, u32::try_from(at).ok()?))
    }

    fn anchor(&self, p: &TextDocumentPositionParams) -> Option<&Anchor> {
        let (f, at) = self.locate(p)?;
        self.snap.nav().at(f.id, at)
    }

    fn location(&self, t: &Target) -> Option<Location> {
        let f = self.snap.outcome.files.get(t.span.file as usize)?;
        Some(Location::new(
            uri::from_path(&f.path)?,
            position::range(f, self.enc, t.span),
        ))
    }

    pub fn definition(&self, p: GotoDefinitionParams) -> Option<GotoDefinitionResponse> {
        let a = self.anchor(&p.text_document_position_params)?;
        let locations: Vec<Location> = a
            .definitions
            .iter()
            .filter_map(|t| self.location(t))
            .collect();
        (!locations.is_empty()).then_some(GotoDefinitionResponse::Array(locations))
    }

    pub fn references(&self, p: ReferenceParams) -> Option<Vec<Location>> {
        let a = self.anchor(&p.text_document_position)?;
        let mut out = Vec::new();
        if p.context.include_declaration {
            out.extend(self.location(&Target {
                span: a.span,
                label: String::new(),
            }));
        }
        out.extend(a.references.iter().filter_map(|t| self.location(t)));
        Some(out)
    }

    pub fn hover(&self, p: HoverParams) -> Option<Hover> {
        let pos = &p.text_document_position_params;
        let (f, at) = self.locate(pos)?;
        let (text, span) = match rule_at(f, at) {
            Some(found) => found,
            None => {
                let a = self.snap.nav().at(f.id, at)?;
                (a.hover.clone()?, a.span)
            }
        };
        Some(Hover {
            contents: HoverContents::Markup(MarkupContent {
                kind: MarkupKind::Markdown,
                value: text,
            }),
            range: Some(position::range(f, self.enc, span)),
        })
    }

    pub fn symbols(&self, p: DocumentSymbolParams) -> Option<DocumentSymbolResponse> {
        let f = self.file(&p.text_document.uri)?;
        #[allow(deprecated)]
        let symbols = self
            .snap
            .nav()
            .symbols_of(f.id)
            .iter()
            .map(|s| DocumentSymbol {
                name: format!("{} {}", s.kind, s.name),
                detail: (!s.namespace.is_empty()).then(|| s.namespace.clone()),
                kind: SymbolKind::OBJECT,
                tags: None,
                deprecated: None,
                range: position::range(f, self.enc, s.range),
                selection_range: position::range(f, self.enc, s.selection),
                children: None,
            })
            .collect();
        Some(DocumentSymbolResponse::Nested(symbols))
    }

    pub fn code_actions(&self, p: CodeActionParams) -> Option<Vec<CodeActionOrCommand>> {
        let f = self.file(&p.text_document.uri)?;
        let start = position::offset(&f.text, f.lines(), self.enc, p.range.start);
        let end = position::offset(&f.text, f.lines(), self.enc, p.range.end);
        let req = actions::Request {
            snap: self.snap,
            file: f.id as FileId,
            start: u32::try_from(start).ok()?,
            end: u32::try_from(end).ok()?,
            enc: self.enc,
            can_create: self.can_create,
            only: p.context.only,
        };
        Some(
            actions::code_actions(&req)
                .into_iter()
                .map(CodeActionOrCommand::CodeAction)
                .collect(),
        )
    }
}

/// The rule named at `at` in a `# gwlint-ignore:` comment or a `gwlint.io/ignore` annotation:
/// its summary, and the span of its name.
fn rule_at(f: &SourceFile, at: u32) -> Option<(String, crate::source::Span)> {
    let lines = f.lines();
    let line = lines.line_of(at as usize);
    let start = lines.line_start(line, f.text.len());
    let text = lines.line_text(&f.text, line);
    let marker = text
        .find("gwlint-ignore:")
        .or_else(|| text.find(crate::suppress::ANNOTATION))?;
    let col = (at as usize).checked_sub(start)?;
    if col < marker {
        return None;
    }
    let is_word = |c: char| c.is_ascii_alphanumeric() || c == '-';
    let from = text[..col.min(text.len())]
        .rfind(|c: char| !is_word(c))
        .map_or(0, |i| i + 1);
    let to = text[from..]
        .find(|c: char| !is_word(c))
        .map_or(text.len(), |i| from + i);
    let word = text.get(from..to)?;
    let rule = crate::rules::find(word)?;
    let page = super::diagnostics::rule_page(rule.id)
        .map(|u| format!("\n\n[{} documentation]({})", rule.id, u.as_str()))
        .unwrap_or_default();
    let hover = format!(
        "**{}** {} ({})\n\n{}{page}",
        rule.id,
        rule.name,
        rule.severity.as_str(),
        rule.summary
    );
    Some((
        hover,
        crate::source::Span::new(f.id, start + from, start + to),
    ))
}
