//! TLS220: an ACME Certificate name that no solver of its issuer selects.

use crate::checks::{Check, Ctx};
use crate::diagnostic::Diagnostic;

pub struct Rule;

impl Check for Rule {
    fn id(&self) -> &'static str {
        "TLS220"
    }

    fn run(&self, cx: &Ctx, out: &mut Vec<Diagnostic>) {
        for n in super::acme_names(cx) {
            if n.solver.is_some() {
                continue;
            }
            out.push(
                Diagnostic::new(
                    self.id(),
                    n.name.span,
                    format!(
                        "{}: no solver of {} matches `{}` (by selector.dnsNames, dnsZones or matchLabels); cert-manager cannot request the certificate",
                        n.cert.key, n.issuer.key, n.name.v
                    ),
                )
                .label("no ACME solver for this name")
                .help("add a solver without selector as a fallback, or one whose selector.dnsZones contains this name's zone")
                .on(n.cert),
            );
        }
    }
}
