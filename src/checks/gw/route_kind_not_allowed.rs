//! GW105: no candidate listener admitting the namespace admits the route's kind.

use crate::checks::{Check, Ctx};
use crate::diagnostic::Diagnostic;
use crate::graph::attach;
use crate::model::Spec;

pub struct Rule;

impl Check for Rule {
    fn id(&self) -> &'static str {
        "GW105"
    }

    fn run(&self, cx: &Ctx, out: &mut Vec<Diagnostic>) {
        let g = cx.graph;
        for a in &g.attachments {
            if !a.kind_rejected() {
                continue;
            }
            let route = g.obj(a.route);
            let Spec::Route(spec) = &route.spec else {
                continue;
            };
            let Some(pr) = spec.parent_refs.get(a.parent_ref) else {
                continue;
            };
            let Some(parent) = a.parent else { continue };
            let istio =
                attach::gateway_of(g, parent).is_some_and(|gw| attach::is_istio(g, g.obj(gw)));
            let mut d = Diagnostic::new(self.id(), pr.target.span, String::new())
                .label(format!("{} not allowed here", route.key.kind))
                .on(route);
            let mut reasons = Vec::new();
            for v in a.verdicts.iter().filter(|v| v.namespace.possible()) {
                let Some(l) = super::listener(g, v.listener) else {
                    continue;
                };
                let kinds = attach::effective_kinds(l, istio).unwrap_or_default();
                let admitted = if kinds.is_empty() {
                    "no route kind".to_string()
                } else {
                    kinds.join(", ")
                };
                reasons.push(format!(
                    "listener `{}` ({}) admits {admitted}",
                    l.name(),
                    l.protocol()
                ));
                let span = l
                    .allowed_routes
                    .kinds_span
                    .or(l.protocol.as_ref().map(|p| p.span))
                    .unwrap_or(l.span);
                d = d.related(
                    span,
                    format!("{} admits {admitted}", super::listener_label(g, v.listener)),
                );
            }
            d.message = format!(
                "{} kind {} is not allowed by {}: {}",
                route.key,
                route.key.kind,
                g.obj(parent).key,
                reasons.join("; ")
            );
            d = d.help("attach the route to a listener whose protocol serves this kind (HTTPRoute/GRPCRoute: HTTP or HTTPS; TLSRoute: TLS; TCPRoute: TCP), or add the kind to `allowedRoutes.kinds`");
            out.push(d);
        }
    }
}
