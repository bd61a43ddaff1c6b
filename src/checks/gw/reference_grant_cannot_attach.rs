//! GW114: a ReferenceGrant to Gateways or ListenerSets for routes: grants never govern attachment.

use crate::checks::{Check, Ctx};
use crate::diagnostic::Diagnostic;
use crate::model::Spec;

pub struct Rule;

impl Check for Rule {
    fn id(&self) -> &'static str {
        "GW114"
    }

    fn run(&self, cx: &Ctx, out: &mut Vec<Diagnostic>) {
        for o in cx.graph.objects {
            let Spec::ReferenceGrant(grant) = &o.spec else {
                continue;
            };
            let from_route = grant.from.iter().any(|f| {
                f.kind
                    .as_ref()
                    .is_some_and(|k| super::ROUTE_KINDS.contains(&k.v.as_str()))
            });
            if !from_route {
                continue;
            }
            for t in &grant.to {
                let Some(kind) = &t.kind else { continue };
                if !matches!(kind.v.as_str(), "Gateway" | "ListenerSet") {
                    continue;
                }
                out.push(
                    Diagnostic::new(
                        self.id(),
                        kind.span,
                        format!(
                            "{} grants routes access to {}s, but route attachment never uses ReferenceGrants",
                            o.key, kind.v
                        ),
                    )
                    .label("has no effect on attachment")
                    .help("cross-namespace attachment is allowed by the listener's `allowedRoutes.namespaces` (or a Gateway's `allowedListeners` for ListenerSets); remove this entry")
                    .on(o),
                );
            }
        }
    }
}
