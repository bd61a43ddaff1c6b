//! TLS208: the certificate a listener serves does not cover a hostname it serves.

use super::Gap;
use crate::checks::{Check, Ctx};
use crate::diagnostic::Diagnostic;

pub struct Rule;

impl Check for Rule {
    fn id(&self) -> &'static str {
        "TLS208"
    }

    fn run(&self, cx: &Ctx, out: &mut Vec<Diagnostic>) {
        for gap in super::coverage_gaps(cx)
            .iter()
            .filter(|g| g.gap == Gap::NotCovered)
        {
            let mut d = Diagnostic::new(
                self.id(),
                gap.span,
                format!(
                    "`{}` is served by {} but its certificate does not cover it: clients get a name mismatch",
                    gap.host,
                    crate::checks::gw::listener_label(cx.graph, gap.listener)
                ),
            )
            .label("not covered by the certificate")
            .help("add the name to the Certificate's dnsNames (a wildcard `*.example.com` covers exactly one label)")
            .on(gap.at);
            d = d.related_each(gap.related.iter(), |(span, msg)| (*span, msg.clone()));
            out.push(d);
        }
    }
}
