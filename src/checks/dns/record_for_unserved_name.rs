//! DNS303: an A record points at a Gateway's address, but no listener of that Gateway admits the
//! record's name.

use crate::checks::{Check, Ctx};
use crate::diagnostic::Diagnostic;
use crate::model::read::unresolved;

pub struct Rule;

impl Check for Rule {
    fn id(&self) -> &'static str {
        "DNS303"
    }

    fn run(&self, cx: &Ctx, out: &mut Vec<Diagnostic>) {
        let g = cx.graph;
        let dns = &g.dns;
        for rec in &dns.records {
            let Some(fqdn) = &rec.fqdn else { continue };
            if unresolved(fqdn) {
                continue;
            }
            for target in &rec.ipv4 {
                let Some(gws) = dns.by_ip.get(target.v.as_str()) else {
                    continue;
                };
                // Several Gateways asking for one IP: any of them admitting the name is enough.
                if gws.iter().any(|gw| dns.admits(*gw, fqdn)) {
                    continue;
                }
                let gw = g.obj(gws[0]);
                let o = g.obj(rec.obj);
                let mut d = Diagnostic::new(
                    self.id(),
                    rec.name_span,
                    format!(
                        "{}: the A record `{fqdn}` points at {}, the address of {}, but no listener of that Gateway admits `{fqdn}`: requests for it get no route",
                        o.key, target.v, gw.key
                    ),
                )
                .label("name the Gateway does not serve")
                .related(target.span, "the Gateway's address")
                .help("add a listener (or widen a listener hostname) for the name on the Gateway, or remove or rename the record")
                .on(o);
                if let Some(lb) = dns.lbs.get(&gws[0]) {
                    if let Some(ip) = lb.requested_ip {
                        d = d.related(ip.span, format!("{} asks for {}", gw.key, ip.v));
                    }
                }
                out.push(d);
                break;
            }
        }
    }
}
