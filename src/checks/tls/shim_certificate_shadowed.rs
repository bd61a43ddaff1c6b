//! TLS215: an explicit Certificate has the name cert-manager would generate for a Gateway.

use crate::checks::{Check, Ctx};
use crate::diagnostic::Diagnostic;
use crate::graph::producers;
use crate::model::{CERT_MANAGER_GROUP, ObjKey};

pub struct Rule;

impl Check for Rule {
    fn id(&self) -> &'static str {
        "TLS215"
    }

    fn run(&self, cx: &Ctx, out: &mut Vec<Diagnostic>) {
        let g = cx.graph;
        for o in g.objects {
            for (name, span) in producers::shim_certificates(o) {
                let Some(cert) = g.get(&ObjKey::new(
                    CERT_MANAGER_GROUP,
                    "Certificate",
                    &o.key.namespace,
                    &name,
                )) else {
                    continue;
                };
                let c = g.obj(cert);
                out.push(
                    Diagnostic::new(
                        self.id(),
                        c.name_span(),
                        format!(
                            "{} has the name cert-manager would give the Certificate it generates from {}; cert-manager leaves it as it is, so the Gateway's annotations and listener hostnames have no effect on it",
                            c.key, o.key
                        ),
                    )
                    .label("shadows the generated Certificate")
                    .related(span, "cert-manager would generate a Certificate of this name")
                    .help("remove the explicit Certificate, or remove the issuer annotation from the Gateway")
                    .on(c),
                );
            }
        }
    }
}
