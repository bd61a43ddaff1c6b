//! TLS223: an HTTPS/TLS listener without a hostname serves one certificate for every name.

use crate::checks::{Check, Ctx};
use crate::diagnostic::Diagnostic;

pub struct Rule;

impl Check for Rule {
    fn id(&self) -> &'static str {
        "TLS223"
    }

    fn run(&self, cx: &Ctx, out: &mut Vec<Diagnostic>) {
        for (_, o, l) in super::all_listeners(cx.graph) {
            if !matches!(l.protocol(), "HTTPS" | "TLS") || l.hostname.is_some() {
                continue;
            }
            let span = l.name.as_ref().map(|n| n.span).unwrap_or(l.span);
            out.push(
                Diagnostic::new(
                    self.id(),
                    span,
                    format!(
                        "{}: listener `{}` has no hostname: it serves its certificate for every name on port {} and admits routes for any hostname",
                        o.key,
                        l.name(),
                        l.port.as_ref().map(|p| p.v.to_string()).unwrap_or_else(|| "?".into())
                    ),
                )
                .label("no hostname")
                .help("set `hostname` so certificate coverage, DNS and cert-manager's Gateway annotations can use it")
                .on(o),
            );
        }
    }
}
