//! TLS216: an HTTP-01 solver chosen for a wildcard name, which HTTP-01 cannot validate.

use crate::checks::{Check, Ctx};
use crate::diagnostic::Diagnostic;

pub struct Rule;

impl Check for Rule {
    fn id(&self) -> &'static str {
        "TLS216"
    }

    fn run(&self, cx: &Ctx, out: &mut Vec<Diagnostic>) {
        for n in super::acme_names(cx) {
            let Some((_, solver)) = n.solver else {
                continue;
            };
            if !n.name.v.starts_with("*.") || !solver.is_http01() {
                continue;
            }
            out.push(
                Diagnostic::new(
                    self.id(),
                    n.name.span,
                    format!(
                        "{}: `{}` is a wildcard, but {} selects an HTTP-01 solver for it; ACME CAs validate wildcards only with DNS-01",
                        n.cert.key, n.name.v, n.issuer.key
                    ),
                )
                .label("wildcard with HTTP-01")
                .related(solver.span, "the HTTP-01 solver chosen for it")
                .help("add a DNS-01 solver whose selector matches this name (selector.dnsZones or dnsNames)")
                .on(n.cert),
            );
        }
    }
}
