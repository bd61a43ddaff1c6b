//! GW107: a hostname of an accepted route intersects no listener that accepted the route.

use std::collections::BTreeMap;

use crate::checks::{Check, Ctx};
use crate::diagnostic::Diagnostic;
use crate::graph::hostname;
use crate::model::Spec;

pub struct Rule;

impl Check for Rule {
    fn id(&self) -> &'static str {
        "GW107"
    }

    fn run(&self, cx: &Ctx, out: &mut Vec<Diagnostic>) {
        let g = cx.graph;
        let mut accepted_by_route: BTreeMap<usize, Vec<_>> = BTreeMap::new();
        for a in &g.attachments {
            for v in a.accepted() {
                accepted_by_route
                    .entry(a.route)
                    .or_default()
                    .push(v.listener);
            }
        }
        for (route_id, listeners) in accepted_by_route {
            let route = g.obj(route_id);
            let Spec::Route(spec) = &route.spec else {
                continue;
            };
            for h in &spec.hostnames {
                let served = listeners.iter().any(|&id| {
                    super::listener(g, id).is_some_and(|l| {
                        hostname::intersect(l.hostname.as_ref().map(|x| x.v.as_str()), Some(&h.v))
                            .is_some()
                    })
                });
                if served {
                    continue;
                }
                let mut d = Diagnostic::new(
                    self.id(),
                    h.span,
                    format!(
                        "{}: hostname `{}` matches no listener that accepted the route, so it is ignored",
                        route.key, h.v
                    ),
                )
                .label("ignored hostname")
                .on(route);
                let named = listeners.iter().filter_map(|&id| {
                    super::listener(g, id)
                        .and_then(|l| l.hostname.as_ref())
                        .map(|lh| (id, lh))
                });
                d = d.related_each(named, |(id, lh)| {
                    (
                        lh.span,
                        format!("{} serves `{}`", super::listener_label(g, id), lh.v),
                    )
                });
                d = d.help("remove the hostname, or add a listener that serves it");
                out.push(d);
            }
        }
    }
}
