//! TLS214: issuer annotations cert-manager refuses to combine.

use crate::checks::{Check, Ctx};
use crate::diagnostic::Diagnostic;

pub struct Rule;

impl Check for Rule {
    fn id(&self) -> &'static str {
        "TLS214"
    }

    fn run(&self, cx: &Ctx, out: &mut Vec<Diagnostic>) {
        for o in cx.graph.objects {
            let Some((key, _)) = o
                .meta
                .annotations
                .iter()
                .find(|(k, _)| k.v == "cert-manager.io/cluster-issuer")
            else {
                continue;
            };
            let clash: Vec<_> = o
                .meta
                .annotations
                .iter()
                .filter(|(k, _)| {
                    matches!(
                        k.v.as_str(),
                        "cert-manager.io/issuer"
                            | "cert-manager.io/issuer-kind"
                            | "cert-manager.io/issuer-group"
                    )
                })
                .collect();
            if clash.is_empty() {
                continue;
            }
            let names: Vec<&str> = clash.iter().map(|(k, _)| k.v.as_str()).collect();
            let mut d = Diagnostic::new(
                self.id(),
                key.span,
                format!(
                    "{}: `cert-manager.io/cluster-issuer` cannot be combined with {}; cert-manager creates no Certificate",
                    o.key,
                    names.join(", ")
                ),
            )
            .label("conflicting issuer annotations")
            .help("keep either cert-manager.io/cluster-issuer, or cert-manager.io/issuer (with issuer-kind/issuer-group for external issuers)")
            .on(o);
            for (k, _) in clash {
                d = d.related(k.span, "conflicts with cluster-issuer");
            }
            out.push(d);
        }
    }
}
