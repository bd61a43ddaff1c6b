//! TLS204: `tls` where the protocol allows none, HTTPS passthrough, or TLS without a mode.

use crate::checks::{Check, Ctx};
use crate::diagnostic::Diagnostic;

pub struct Rule;

impl Check for Rule {
    fn id(&self) -> &'static str {
        "TLS204"
    }

    fn run(&self, cx: &Ctx, out: &mut Vec<Diagnostic>) {
        for (_, o, l) in super::all_listeners(cx.graph) {
            let Some(tls) = &l.tls else { continue };
            let (span, message, help) = match (l.protocol(), &tls.mode) {
                ("HTTP" | "TCP" | "UDP", _) => (
                    tls.span,
                    format!(
                        "{}: listener `{}` has protocol {} but sets `tls` (tls must not be specified for protocols ['HTTP', 'TCP', 'UDP'])",
                        o.key,
                        l.name(),
                        l.protocol()
                    ),
                    "remove the `tls` block, or use protocol HTTPS or TLS",
                ),
                ("HTTPS", Some(m)) if m.v == "Passthrough" => (
                    m.span,
                    format!(
                        "{}: listener `{}` is HTTPS with `mode: Passthrough` (tls mode must be Terminate for protocol HTTPS)",
                        o.key,
                        l.name()
                    ),
                    "use protocol TLS for passthrough, or mode Terminate",
                ),
                ("TLS", None) => (
                    tls.span,
                    format!(
                        "{}: listener `{}` has protocol TLS but no `tls.mode` (tls mode must be set for protocol TLS)",
                        o.key,
                        l.name()
                    ),
                    "set `mode: Passthrough` or `mode: Terminate`",
                ),
                _ => continue,
            };
            out.push(
                Diagnostic::new(self.id(), span, message)
                    .label("invalid tls")
                    .help(help)
                    .on(o),
            );
        }
    }
}
