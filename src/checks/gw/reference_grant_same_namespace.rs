//! GW116: a ReferenceGrant `from` entry in the grant's own namespace: such references need no grant.

use crate::checks::{Check, Ctx};
use crate::diagnostic::Diagnostic;
use crate::model::Spec;

pub struct Rule;

impl Check for Rule {
    fn id(&self) -> &'static str {
        "GW116"
    }

    fn run(&self, cx: &Ctx, out: &mut Vec<Diagnostic>) {
        for o in cx.graph.objects {
            let Spec::ReferenceGrant(grant) = &o.spec else {
                continue;
            };
            for f in &grant.from {
                let Some(ns) = &f.namespace else { continue };
                if ns.v != o.key.namespace {
                    continue;
                }
                out.push(
                    Diagnostic::new(
                        self.id(),
                        ns.span,
                        format!(
                            "{}: `from` namespace `{}` is the grant's own namespace; same-namespace references need no ReferenceGrant",
                            o.key, ns.v
                        ),
                    )
                    .label("grant's own namespace")
                    .help("a ReferenceGrant lives in the target's namespace and lists the other namespaces that may refer into it; remove this entry or move the grant")
                    .on(o),
                );
            }
        }
    }
}
