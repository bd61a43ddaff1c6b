//! Findings as every stage and report format sees them.

use crate::config::Severity;
use crate::model::ObjKey;
use crate::source::Span;

/// Related locations kept per finding. A reference into a crowded namespace (thousands of grants,
/// writers or listeners) would otherwise list all of them in each of its thousands of findings:
/// output growing with the square of the input.
pub const MAX_RELATED: usize = 10;

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
    /// Related locations past `MAX_RELATED`, counted; `close_related` names the count.
    pub omitted_related: usize,
    /// Edits that would mend the finding, best first.
    pub fixes: Vec<crate::fix::Fix>,
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
            omitted_related: 0,
            fixes: Vec::new(),
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

    /// Adds a related location, or counts it once the finding has `MAX_RELATED`.
    pub fn related(self, span: Span, message: impl Into<String>) -> Self {
        self.related_each([(span, message)], |(span, message)| (span, message.into()))
    }

    /// A related location for each item; `describe` runs only for the locations that are kept,
    /// so a long list costs no formatting past the cap.
    pub fn related_each<T>(
        mut self,
        items: impl IntoIterator<Item = T>,
        mut describe: impl FnMut(T) -> (Span, String),
    ) -> Self {
        for item in items {
            if self.related.len() < MAX_RELATED {
                let (span, message) = describe(item);
                self.related.push(Related { span, message });
            } else {
                self.omitted_related += 1;
            }
        }
        self
    }

    /// `related_each` over the first items of a list of `total`, when the caller knows the
    /// total: only as many items are read as can be kept, so each of a thousand findings about
    /// one crowded object costs the cap, not the crowd.
    pub fn related_first<T>(
        mut self,
        items: impl IntoIterator<Item = T>,
        total: usize,
        describe: impl FnMut(T) -> (Span, String),
    ) -> Self {
        let before = self.related.len();
        let room = MAX_RELATED.saturating_sub(before);
        self = self.related_each(items.into_iter().take(room), describe);
        let kept = self.related.len() - before;
        self.omitted_related += total.saturating_sub(kept);
        self
    }

    /// Says in the last related message how many were left out.
    pub fn close_related(&mut self) {
        if self.omitted_related == 0 {
            return;
        }
        if let Some(last) = self.related.last_mut() {
            last.message
                .push_str(&format!(" (and {} more not shown)", self.omitted_related));
        }
        self.omitted_related = 0;
    }

    /// Attaches a fix; the first attached is offered first.
    pub fn fix(mut self, fix: crate::fix::Fix) -> Self {
        self.fixes.push(fix);
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
