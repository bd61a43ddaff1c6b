//! TLS202: an HTTPS or TLS listener without a `tls` block.

use crate::checks::{Check, Ctx};
use crate::diagnostic::Diagnostic;

pub struct Rule;

impl Check for Rule {
    fn id(&self) -> &'static str {
        "TLS202"
    }

    fn run(&self, cx: &Ctx, out: &mut Vec<Diagnostic>) {
        for (_, o, l) in super::all_listeners(cx.graph) {
            let Some(p) = &l.protocol else { continue };
            if !matches!(p.v.as_str(), "HTTPS" | "TLS") || l.tls.is_some() {
                continue;
            }
            out.push(
                Diagnostic::new(
                    self.id(),
                    p.span,
                    format!("{}: listener `{}` has protocol {} but no `tls` block", o.key, l.name(), p.v),
                )
                .label("needs tls")
                .help("add `tls: {mode: Terminate, certificateRefs: [{name: <secret>}]}` (or `mode: Passthrough` for TLS)")
                .on(o),
            );
        }
    }
}
