//! GW106: every listener that admits the route's namespace and kind shares no hostname with it.

use crate::checks::{Check, Ctx};
use crate::diagnostic::Diagnostic;
use crate::model::Spec;

pub struct Rule;

impl Check for Rule {
    fn id(&self) -> &'static str {
        "GW106"
    }

    fn run(&self, cx: &Ctx, out: &mut Vec<Diagnostic>) {
        let g = cx.graph;
        for a in &g.attachments {
            if !a.hostname_rejected() {
                continue;
            }
            let route = g.obj(a.route);
            let Spec::Route(spec) = &route.spec else {
                continue;
            };
            let Some(first) = spec.hostnames.first() else {
                continue;
            };
            let Some(parent) = a.parent else { continue };
            let route_hosts: Vec<&str> = spec.hostnames.iter().map(|h| h.v.as_str()).collect();
            let mut d = Diagnostic::new(self.id(), first.span, String::new())
                .label("no listener serves these hostnames")
                .on(route);
            let mut listener_hosts = Vec::new();
            for v in a
                .verdicts
                .iter()
                .filter(|v| v.namespace.possible() && v.kind)
            {
                let Some(l) = super::listener(g, v.listener) else {
                    continue;
                };
                if let Some(h) = &l.hostname {
                    listener_hosts.push(format!("`{}` ({})", h.v, l.name()));
                    d = d.related(
                        h.span,
                        format!("{} serves `{}`", super::listener_label(g, v.listener), h.v),
                    );
                }
            }
            d.message = format!(
                "{}: none of its hostnames ({}) matches a listener of {} (NoMatchingListenerHostname); listener hostnames: {}",
                route.key,
                crate::checks::name_list(&route_hosts),
                g.obj(parent).key,
                crate::checks::name_list(&listener_hosts)
            );
            d = d.help("a listener wildcard `*.example.com` matches one or more labels but not `example.com` itself; align the route's hostnames with a listener hostname");
            out.push(d);
        }
    }
}
