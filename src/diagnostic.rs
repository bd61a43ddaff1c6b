//! Findings as every stage and report format sees them.

use crate::config::Severity;
use crate::model::ObjKey;
use crate::source::Span;

#[derive(Clone, Debug, PartialEq)]
pub struct Related {
    pub span: Span,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    /// Rule id, e.g. `GW101`.
    pub rule: &'static str,
    pub severity: Severity,
    pub message: String,
    /// The field that is wrong.
    pub span: Span,
    /// Short text shown at the primary span.
    pub label: Option<String>,
    /// The other end of the reference, or other places that explain the finding.
    pub related: Vec<Related>,
    pub help: Option<String>,
    /// The object the finding is about, when there is one.
    pub object: Option<ObjKey>,
    /// Field path inside the object's document (`spec.parentRefs[0].name`): with the object, an
    /// identity that survives edits elsewhere in the file. Filled in after the checks, from `doc`.
    pub field: Option<String>,
    /// Byte range of the object's document, for computing `field`.
    pub doc: Option<std::ops::Range<u32>>,
}

impl Diagnostic {
    pub fn new(rule: &'static str, span: Span, message: impl Into<String>) -> Diagnostic {
        let severity = crate::rules::meta(rule)
            .map(|m| m.severity)
            .unwrap_or(Severity::Error);
        Diagnostic {
            rule,
            severity,
            message: message.into(),
            span,
            label: None,
            related: Vec::new(),
            help: None,
            object: None,
            field: None,
            doc: None,
        }
    }

    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn related(mut self, span: Span, message: impl Into<String>) -> Self {
        self.related.push(Related {
            span,
            message: message.into(),
        });
        self
    }

    pub fn severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    pub fn on(mut self, obj: &crate::model::Object) -> Self {
        self.doc = Some(obj.doc.clone());
        self.object = Some(obj.key.clone());
        self
    }
}
