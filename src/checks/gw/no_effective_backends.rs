//! GW121: a route rule that can send traffic nowhere.

use crate::checks::{Check, Ctx};
use crate::diagnostic::Diagnostic;
use crate::model::Spec;

pub struct Rule;

impl Check for Rule {
    fn id(&self) -> &'static str {
        "GW121"
    }

    fn run(&self, cx: &Ctx, out: &mut Vec<Diagnostic>) {
        for o in cx.graph.objects {
            let Spec::Route(route) = &o.spec else {
                continue;
            };
            let http = matches!(o.key.kind.as_str(), "HTTPRoute" | "GRPCRoute");
            for (i, rule) in route.rules.iter().enumerate() {
                let message = if rule.backend_refs.is_empty() {
                    // A redirect answers the request; so may an ExtensionRef filter (an
                    // implementation's direct response or redirect, such as Envoy Gateway's
                    // HTTPRouteFilter), which gwlint cannot see into.
                    let answers = rule
                        .filter_types
                        .iter()
                        .any(|t| t == "RequestRedirect" || t == "ExtensionRef");
                    if !http || answers {
                        continue;
                    }
                    // Written empty, the list says what the author wants: matching requests
                    // answered with an error, a deny rule where the API has none.
                    if rule.no_backends_written {
                        out.push(
                            Diagnostic::new(
                                self.id(),
                                rule.span,
                                format!(
                                    "{}: rule {i} sets `backendRefs: []`, so the Gateway answers matching requests with an error response (5xx), as a deny rule would",
                                    o.key
                                ),
                            )
                            .severity(crate::config::Severity::Info)
                            .label("no backend, written on purpose")
                            .on(o),
                        );
                        continue;
                    }
                    format!(
                        "{}: rule {i} has no backendRefs and no RequestRedirect or ExtensionRef filter, so matching requests get an error response",
                        o.key
                    )
                } else if rule
                    .backend_refs
                    .iter()
                    .all(|b| b.weight.as_ref().is_some_and(|w| w.v == 0))
                {
                    format!(
                        "{}: every backendRef of rule {i} has weight 0, so the rule receives no traffic",
                        o.key
                    )
                } else {
                    continue;
                };
                out.push(
                    Diagnostic::new(self.id(), rule.span, message)
                        .label("no effective backend")
                        .help(
                            "add a backendRef with a non-zero weight, or a RequestRedirect filter",
                        )
                        .on(o),
                );
            }
        }
    }
}
