//! DNS302: an A record for a name a Gateway serves points at another IP than the address that
//! Gateway asks for.

use crate::checks::{Check, Ctx};
use crate::diagnostic::Diagnostic;
use crate::model::read::unresolved;
use crate::source::{Sp, Span, Text};
use std::collections::{HashMap, HashSet};

/// The Gateways serving a name with the address each asks for.
struct Serving<'m> {
    ips: Vec<(usize, Span, &'m Sp<Text>)>,
    addresses: HashSet<&'m str>,
}

pub struct Rule;

impl Check for Rule {
    fn id(&self) -> &'static str {
        "DNS302"
    }

    fn run(&self, cx: &Ctx, out: &mut Vec<Diagnostic>) {
        let g = cx.graph;
        let dns = &g.dns;
        // Per name, once: many records may hold one name that many Gateways serve.
        let mut by_name: HashMap<&str, Option<Serving>> = HashMap::new();
        for rec in &dns.records {
            let Some(fqdn) = &rec.fqdn else { continue };
            if rec.ipv4.is_empty() || unresolved(fqdn) {
                continue;
            }
            let serving = by_name.entry(fqdn.as_str()).or_insert_with(|| {
                // Every Gateway serving the name must declare its address; one that does not
                // may be the record's target.
                let ips: Option<Vec<(usize, Span, &Sp<Text>)>> = dns
                    .gateways_serving(fqdn)
                    .iter()
                    .map(|(gw, at)| {
                        let lb = dns.lbs.get(gw)?;
                        let ip = lb.requested_ip.filter(|_| lb.managed)?;
                        (!unresolved(&ip.v)).then_some((*gw, *at, ip))
                    })
                    .collect();
                let ips = ips.filter(|v| !v.is_empty())?;
                let addresses = ips.iter().map(|(_, _, ip)| ip.v.as_str()).collect();
                Some(Serving { ips, addresses })
            });
            let Some(Serving { ips, addresses }) = serving else {
                continue;
            };
            let o = g.obj(rec.obj);
            for target in &rec.ipv4 {
                if unresolved(&target.v) || addresses.contains(target.v.as_str()) {
                    continue;
                }
                let (gw, at, ip) = ips[0];
                let gwo = g.obj(gw);
                let mut d = Diagnostic::new(
                    self.id(),
                    target.span,
                    format!(
                        "{}: the A record `{fqdn}` points at {}, but {} serves this name and asks for the address {}",
                        o.key, target.v, gwo.key, ip.v
                    ),
                )
                .label("not the serving Gateway's address")
                .related(ip.span, format!("{} address", gwo.key))
                .help("point the record at the Gateway's address (spec.addresses or the azure-load-balancer-ipv4 annotation), or fix the Gateway's address")
                .on(o);
                d = d.related(at, format!("`{fqdn}` served here"));
                d = d.related_each(ips.iter().skip(1), |(other, _, oip)| {
                    (
                        oip.span,
                        format!("{} also serves it, at {}", g.obj(*other).key, oip.v),
                    )
                });
                out.push(d);
            }
        }
    }
}
