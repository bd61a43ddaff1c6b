//! SEC412: a ReferenceGrant to every Secret of a namespace.

use crate::checks::{Check, Ctx};
use crate::diagnostic::Diagnostic;
use crate::model::Spec;

pub struct Rule;

impl Check for Rule {
    fn id(&self) -> &'static str {
        "SEC412"
    }

    fn run(&self, cx: &Ctx, out: &mut Vec<Diagnostic>) {
        for o in cx.graph.objects {
            let Spec::ReferenceGrant(grant) = &o.spec else {
                continue;
            };
            for t in &grant.to {
                if t.kind_or("") != "Secret" || t.name.is_some() {
                    continue;
                }
                out.push(
                    Diagnostic::new(
                        self.id(),
                        t.span,
                        format!(
                            "{} lets its referrers read every Secret in namespace `{}`",
                            o.key, o.key.namespace
                        ),
                    )
                    .label("grants all Secrets")
                    .help("name the Secret (`to.name`) so only that certificate can be referenced")
                    .on(o),
                );
            }
        }
    }
}
