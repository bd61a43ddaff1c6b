//! DNS309: an Azure load balancer annotation in a Gateway's metadata while
//! `spec.infrastructure.annotations` is set, so Istio never copies it (R2.9.2).

use crate::checks::{Check, Ctx};
use crate::diagnostic::Diagnostic;

pub struct Rule;

impl Check for Rule {
    fn id(&self) -> &'static str {
        "DNS309"
    }

    fn run(&self, cx: &Ctx, out: &mut Vec<Diagnostic>) {
        let g = cx.graph;
        for (gw, lb) in &g.dns.lbs {
            if !lb.managed || !lb.from_infrastructure {
                continue;
            }
            let o = g.obj(*gw);
            let infra = super::lb_span(o);
            for (k, _) in &o.meta.annotations {
                if !k.v.starts_with("service.beta.kubernetes.io/") {
                    continue;
                }
                out.push(
                    Diagnostic::new(
                        self.id(),
                        k.span,
                        format!(
                            "{}: `{}` is in metadata.annotations, but spec.infrastructure.annotations is set, so Istio copies only those onto the generated Service and ignores this one",
                            o.key, k.v
                        ),
                    )
                    .label("never reaches the Service")
                    .related(infra, "these are the annotations the Service gets")
                    .help("move the annotation under spec.infrastructure.annotations")
                    .on(o),
                );
            }
        }
    }
}
