//! TLS203: a Terminate listener with neither certificateRefs nor options.

use crate::checks::{Check, Ctx};
use crate::diagnostic::Diagnostic;

pub struct Rule;

impl Check for Rule {
    fn id(&self) -> &'static str {
        "TLS203"
    }

    fn run(&self, cx: &Ctx, out: &mut Vec<Diagnostic>) {
        for (_, o, l) in super::all_listeners(cx.graph) {
            let Some(tls) = &l.tls else { continue };
            if !matches!(l.protocol(), "HTTPS" | "TLS") || tls.is_passthrough() {
                continue;
            }
            if !tls.certificate_refs.is_empty() || tls.has_options {
                continue;
            }
            out.push(
                Diagnostic::new(
                    self.id(),
                    tls.span,
                    format!("{}: listener `{}` terminates TLS but has no certificateRefs (and no options)", o.key, l.name()),
                )
                .label("no certificate to serve")
                .help("add `certificateRefs` naming the Secret with the certificate")
                .on(o),
            );
        }
    }
}
