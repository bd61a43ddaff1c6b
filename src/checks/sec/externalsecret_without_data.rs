//! SEC405: an ExternalSecret with neither `data` nor `dataFrom`.

use crate::checks::{Check, Ctx};
use crate::diagnostic::Diagnostic;

pub struct Rule;

impl Check for Rule {
    fn id(&self) -> &'static str {
        "SEC405"
    }

    fn run(&self, cx: &Ctx, out: &mut Vec<Diagnostic>) {
        for (o, es) in super::external_secrets(cx.graph.objects) {
            if es.has_data || es.has_data_from {
                continue;
            }
            out.push(
                Diagnostic::new(
                    self.id(),
                    o.spec_span,
                    format!("{} has neither `data` nor `dataFrom`; the webhook rejects it (either data or dataFrom should be specified)", o.key),
                )
                .label("nothing to fetch")
                .help("add `data` entries (secretKey + remoteRef.key) or a `dataFrom` extract/find")
                .on(o),
            );
        }
    }
}
