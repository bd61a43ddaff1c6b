//! DNS305: a Gateway serves a name that exists only in a public DNS zone from an internal Azure
//! load balancer.

use crate::checks::{Check, Ctx};
use crate::diagnostic::Diagnostic;
use crate::graph::dns::LB_INTERNAL;

pub struct Rule;

impl Check for Rule {
    fn id(&self) -> &'static str {
        "DNS305"
    }

    fn run(&self, cx: &Ctx, out: &mut Vec<Diagnostic>) {
        let g = cx.graph;
        let dns = &g.dns;
        for (gw, lb, s, zone) in super::lbs_serving(dns, true, |n| dns.public_only(n)) {
            let o = g.obj(gw);
            let span = lb
                .effective
                .iter()
                .find(|(k, _)| k.v == LB_INTERNAL)
                .map(|(k, _)| k.span)
                .unwrap_or_else(|| super::lb_span(o));
            let mut d = Diagnostic::new(
                self.id(),
                span,
                format!(
                    "{}: serves `{}`, which exists only in the public zone `{}`, from an internal Azure load balancer: clients outside the virtual network resolve the name but cannot reach a private IP",
                    o.key, s.name, zone.name
                ),
            )
            .label("internal load balancer for a public name")
            .related(s.span, format!("`{}` served here", s.name))
            .help("serve public names from a Gateway with a public load balancer, or add a private zone for the name if only the virtual network should use it")
            .on(o);
            if let Some(span) = zone.span(g) {
                d = d.related(
                    span,
                    format!("public zone `{}` ({})", zone.name, zone.origin(g)),
                );
            }
            out.push(d);
        }
    }
}
