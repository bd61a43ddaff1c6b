//! API506: an Istio deployment override written under `spec.infrastructure.annotations`, where
//! Istio never reads it.

use crate::checks::{Check, Ctx};
use crate::diagnostic::Diagnostic;
use crate::model::Spec;

pub struct Rule;

/// Keys Istio reads from the Gateway's own `metadata.annotations` (domain §2.9.1).
const METADATA_ONLY: &[(&str, &str)] = &[
    (
        "gateway.istio.io/name-override",
        "the name of the generated Deployment and Service",
    ),
    (
        "gateway.istio.io/service-account",
        "the generated ServiceAccount's name",
    ),
    (
        "networking.istio.io/service-type",
        "the generated Service's type",
    ),
];

impl Check for Rule {
    fn id(&self) -> &'static str {
        "API506"
    }

    fn run(&self, cx: &Ctx, out: &mut Vec<Diagnostic>) {
        for obj in cx.graph.objects {
            let Spec::Gateway(gw) = &obj.spec else {
                continue;
            };
            for (key, _) in &gw.infrastructure.annotations {
                let Some((_, what)) = METADATA_ONLY.iter().find(|(k, _)| *k == key.v) else {
                    continue;
                };
                let mut d = Diagnostic::new(
                    self.id(),
                    key.span,
                    format!(
                        "{}: `{}` is under spec.infrastructure.annotations, but Istio reads it only from the Gateway's metadata.annotations; here it is merely copied onto the generated resources and does not set {what}",
                        obj.key, key.v
                    ),
                )
                .label("Istio does not read this here")
                .help(format!("move `{}` to the Gateway's metadata.annotations", key.v))
                .on(obj);
                if let Some(existing) = obj.meta.annotation(&key.v) {
                    d = d.related(existing.span, "the metadata annotation Istio does read");
                }
                out.push(d);
            }
        }
    }
}
