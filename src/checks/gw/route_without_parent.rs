//! GW120: a route without parentRefs attaches to nothing.

use crate::checks::{Check, Ctx};
use crate::diagnostic::Diagnostic;
use crate::model::Spec;

pub struct Rule;

impl Check for Rule {
    fn id(&self) -> &'static str {
        "GW120"
    }

    fn run(&self, cx: &Ctx, out: &mut Vec<Diagnostic>) {
        let delegated = super::delegation_targets(cx);
        for o in cx.graph.objects {
            let Spec::Route(route) = &o.spec else {
                continue;
            };
            // A parentRefs value of the wrong type is API505's finding.
            if !route.parent_refs.is_empty()
                || route.use_default_gateways
                || route.parent_refs_malformed
                || delegated.contains(&(o.key.namespace.as_str(), "*"))
                || delegated.contains(&(o.key.namespace.as_str(), o.key.name.as_str()))
            {
                continue;
            }
            let span = o.spec_span;
            out.push(
                Diagnostic::new(
                    self.id(),
                    span,
                    format!(
                        "{} has no parentRefs, so it attaches to no Gateway and serves no traffic",
                        o.key
                    ),
                )
                .label("no spec.parentRefs")
                .help("add `parentRefs` naming the Gateway (and `namespace` if it lives elsewhere)")
                .on(o),
            );
        }
    }
}
