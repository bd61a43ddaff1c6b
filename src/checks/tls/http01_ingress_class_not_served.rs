//! TLS217: an HTTP-01 ingress solver for an ingress class nothing serves.

use crate::checks::{Check, Ctx};
use crate::diagnostic::Diagnostic;
use crate::model::certmanager::SolverKind;
use crate::model::{ObjKey, Spec};

pub struct Rule;

impl Check for Rule {
    fn id(&self) -> &'static str {
        "TLS217"
    }

    fn run(&self, cx: &Ctx, out: &mut Vec<Diagnostic>) {
        let g = cx.graph;
        for o in g.objects {
            let Spec::Issuer(issuer) = &o.spec else {
                continue;
            };
            let Some(acme) = &issuer.acme else { continue };
            for s in &acme.solvers {
                let SolverKind::Http01Ingress {
                    class,
                    ingress_class_name,
                    span,
                    ..
                } = &s.kind
                else {
                    continue;
                };
                let Some(class) = ingress_class_name.as_ref().or(class.as_ref()) else {
                    continue;
                };
                let known = g
                    .get(&ObjKey::new(
                        "networking.k8s.io",
                        "IngressClass",
                        "",
                        &class.v,
                    ))
                    .is_some()
                    || cx
                        .config
                        .externals
                        .ingress_classes
                        .iter()
                        .any(|c| *c == class.v);
                if known {
                    continue;
                }
                out.push(
                    Diagnostic::new(
                        self.id(),
                        *span,
                        format!(
                            "{}: the HTTP-01 solver creates an Ingress of class `{}`, but no IngressClass of that name is in the repository or declared; no controller will route the challenge",
                            o.key, class.v
                        ),
                    )
                    .label("no controller serves this ingress class")
                    .related(class.span, "ingress class")
                    .help("on a Gateway API-only cluster use `http01.gatewayHTTPRoute` with parentRefs to a Gateway with an HTTP listener on port 80, or a DNS-01 solver; if the class exists, declare it under `externals.ingressClasses`")
                    .on(o),
                );
            }
        }
    }
}
