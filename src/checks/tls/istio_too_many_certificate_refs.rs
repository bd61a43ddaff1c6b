//! TLS224: Istio serves at most two certificates (RSA and ECDSA) per listener.

use crate::checks::{Check, Ctx};
use crate::diagnostic::Diagnostic;

pub struct Rule;

impl Check for Rule {
    fn id(&self) -> &'static str {
        "TLS224"
    }

    fn run(&self, cx: &Ctx, out: &mut Vec<Diagnostic>) {
        for (id, o, l) in super::all_listeners(cx.graph) {
            let Some(tls) = &l.tls else { continue };
            if tls.certificate_refs.len() <= 2 || !super::istio_owner(cx.graph, id.owner) {
                continue;
            }
            out.push(
                Diagnostic::new(
                    self.id(),
                    tls.certificate_refs_span.unwrap_or(tls.span),
                    format!(
                        "{}: listener `{}` has {} certificateRefs; Istio accepts at most 2 (one RSA, one ECDSA)",
                        o.key,
                        l.name(),
                        tls.certificate_refs.len()
                    ),
                )
                .label("too many certificateRefs for Istio")
                .help("keep one certificate per key type; split other names onto listeners with their own hostnames")
                .on(o),
            );
        }
    }
}
