//! GW104: no candidate listener of a parentRef admits the route's namespace (NotAllowedByListeners).

use crate::checks::{Check, Ctx};
use crate::diagnostic::Diagnostic;
use crate::model::Spec;

pub struct Rule;

impl Check for Rule {
    fn id(&self) -> &'static str {
        "GW104"
    }

    fn run(&self, cx: &Ctx, out: &mut Vec<Diagnostic>) {
        let g = cx.graph;
        for a in &g.attachments {
            if !a.namespace_rejected() {
                continue;
            }
            let route = g.obj(a.route);
            let Spec::Route(spec) = &route.spec else {
                continue;
            };
            let Some(pr) = spec.parent_refs.get(a.parent_ref) else {
                continue;
            };
            let Some(parent) = a.parent.map(|p| g.obj(p)) else {
                continue;
            };
            let ns = &route.key.namespace;
            let mut reasons = Vec::new();
            let mut d = Diagnostic::new(self.id(), pr.target.span, String::new())
                .label("route namespace not allowed")
                .on(route);
            for v in &a.verdicts {
                let Some(l) = super::listener(g, v.listener) else {
                    continue;
                };
                let from = l.allowed_routes.from.as_ref();
                let how = match from.map(|f| f.v.as_str()) {
                    None => format!(
                        "allowedRoutes.namespaces.from is Same (the default), so only namespace `{}` may attach",
                        parent.key.namespace
                    ),
                    Some("Same") => format!(
                        "allowedRoutes.namespaces.from is Same, so only namespace `{}` may attach",
                        parent.key.namespace
                    ),
                    Some("Selector") => {
                        format!("its namespace selector does not match namespace `{ns}`")
                    }
                    Some(other) => format!("allowedRoutes.namespaces.from is {other}"),
                };
                reasons.push(format!("listener `{}`: {how}", l.name()));
                let span = from
                    .map(|f| f.span)
                    .or(l.name.as_ref().map(|n| n.span))
                    .unwrap_or(l.span);
                d = d.related(
                    span,
                    format!(
                        "{} does not admit routes from `{ns}`",
                        super::listener_label(g, v.listener)
                    ),
                );
            }
            d.message = format!(
                "{} is not allowed by {} (NotAllowedByListeners): {}",
                route.key,
                parent.key,
                reasons.join("; ")
            );
            if a.outcome == crate::graph::attach::Outcome::NoMatchingListenerHostname {
                d.message.push_str(" (its hostnames match no listener either: status shows NoMatchingListenerHostname)");
            }
            d = d.help(format!(
                "on the listener, set `allowedRoutes.namespaces.from: Selector` with a selector matching `kubernetes.io/metadata.name: {ns}` (or `from: All`); a ReferenceGrant does not govern attachment"
            ));
            out.push(d);
        }
    }
}
