//! TLS209: a hostname only a one-label wildcard certificate could serve, deeper or itself a wildcard.

use super::Gap;
use crate::checks::{Check, Ctx};
use crate::diagnostic::Diagnostic;

pub struct Rule;

impl Check for Rule {
    fn id(&self) -> &'static str {
        "TLS209"
    }

    fn run(&self, cx: &Ctx, out: &mut Vec<Diagnostic>) {
        for gap in super::coverage_gaps(cx)
            .iter()
            .filter(|g| g.gap == Gap::Wildcard)
        {
            let why = if gap.host.starts_with("*.") {
                format!(
                    "`{}` is a wildcard: the certificate serves only names one label below it",
                    gap.host
                )
            } else {
                format!(
                    "`{}` is more than one label below the certificate's wildcard, which covers exactly one label",
                    gap.host
                )
            };
            let mut d = Diagnostic::new(
                self.id(),
                gap.span,
                format!("{why} ({})", crate::checks::gw::listener_label(cx.graph, gap.listener)),
            )
            .label("not servable by the wildcard certificate")
            .help("list the precise names in the Certificate's dnsNames, or route only names one label below the wildcard")
            .on(gap.at);
            d = d.related_each(gap.related.iter(), |(span, msg)| (*span, msg.clone()));
            out.push(d);
        }
    }
}
