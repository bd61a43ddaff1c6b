//! DNS304: a Gateway serves a name of a private DNS zone, but Istio will give it a public Azure
//! load balancer.

use crate::checks::{Check, Ctx};
use crate::diagnostic::Diagnostic;
use crate::graph::dns::LB_INTERNAL;

pub struct Rule;

impl Check for Rule {
    fn id(&self) -> &'static str {
        "DNS304"
    }

    fn run(&self, cx: &Ctx, out: &mut Vec<Diagnostic>) {
        let g = cx.graph;
        let dns = &g.dns;
        if !dns.has_private() {
            return;
        }
        for (gw, lb, s, zone) in super::lbs_serving(dns, false, |n| dns.private_only(n)) {
            let o = g.obj(gw);
            let why = match lb.effective(LB_INTERNAL) {
                Some(v) => format!("`{LB_INTERNAL}` is `{}`, not \"true\"", v.v),
                None => format!("{} lack `{LB_INTERNAL}: \"true\"`", super::lb_source(lb)),
            };
            let mut d = Diagnostic::new(
                self.id(),
                super::lb_span(o),
                format!(
                    "{}: serves `{}` of the private zone `{}`, but Istio creates a public Azure load balancer for it: {why}; the private A record would have to point at a public IP",
                    o.key, s.name, zone.name
                ),
            )
            .label("public load balancer for a private name")
            .related(s.span, format!("`{}` served here", s.name))
            .help(format!("add `{LB_INTERNAL}: \"true\"` under spec.infrastructure.annotations (Istio copies exactly those onto the Service)"))
            .on(o);
            if let Some(span) = zone.span(g) {
                d = d.related(
                    span,
                    format!("private zone `{}` ({})", zone.name, zone.origin(g)),
                );
            }
            out.push(d);
        }
    }
}
