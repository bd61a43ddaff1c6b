//! TLS211: an issuerRef kind cert-manager does not know.

use crate::checks::{Check, Ctx};
use crate::diagnostic::Diagnostic;
use crate::model::Spec;

pub struct Rule;

impl Check for Rule {
    fn id(&self) -> &'static str {
        "TLS211"
    }

    fn run(&self, cx: &Ctx, out: &mut Vec<Diagnostic>) {
        for o in cx.graph.objects {
            let Spec::Certificate(c) = &o.spec else {
                continue;
            };
            let Some(ir) = &c.issuer_ref else { continue };
            let Some(kind) = &ir.kind else { continue };
            if !ir.is_builtin_group() || matches!(kind.v.as_str(), "Issuer" | "ClusterIssuer") {
                continue;
            }
            out.push(
                Diagnostic::new(
                    self.id(),
                    kind.span,
                    format!("{}: issuerRef kind `{}` is not Issuer or ClusterIssuer; the webhook rejects it", o.key, kind.v),
                )
                .label("unknown issuer kind")
                .help("use kind Issuer or ClusterIssuer, or set `group` for an external issuer")
                .on(o),
            );
        }
    }
}
