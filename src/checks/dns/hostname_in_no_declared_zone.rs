//! DNS301: a hostname a Gateway, route or ACME Certificate uses lies in no declared DNS zone.

use std::collections::HashSet;

use crate::checks::{Check, Ctx};
use crate::diagnostic::Diagnostic;
use crate::graph::RefKind;
use crate::model::{GATEWAY_GROUP, GATEWAY_X_GROUP, Object, Spec};
use crate::source::Sp;

pub struct Rule;

impl Check for Rule {
    fn id(&self) -> &'static str {
        "DNS301"
    }

    fn run(&self, cx: &Ctx, out: &mut Vec<Diagnostic>) {
        let g = cx.graph;
        let dns = &g.dns;
        // Without any declared zone every name would be reported: the check needs a zone.
        if !dns.has_zones() {
            return;
        }
        let mut names: Vec<(&Object, &Sp<String>, &str)> = Vec::new();
        // external-dns `…/hostname` values, split at commas, with the span of the whole value.
        let mut published: Vec<(&Object, Sp<String>)> = Vec::new();
        for o in g.objects {
            for l in crate::graph::attach::listeners_of(o) {
                if let Some(h) = &l.hostname {
                    names.push((o, h, "listener hostname"));
                }
            }
        }
        // Routes on a Gateway or ListenerSet; mesh routes (parentRef to a Service) name services.
        let mut gateway_routes = HashSet::new();
        for r in &g.refs {
            if r.kind == RefKind::ParentRef
                && matches!(r.target.group.as_str(), GATEWAY_GROUP | GATEWAY_X_GROUP)
            {
                gateway_routes.insert(r.from);
            }
        }
        let mut routes: Vec<usize> = gateway_routes.into_iter().collect();
        routes.sort_unstable();
        for id in routes {
            let o = g.obj(id);
            if let Spec::Route(route) = &o.spec {
                for h in &route.hostnames {
                    names.push((o, h, "route hostname"));
                }
            }
            for (k, v) in &o.meta.annotations {
                if super::external_dns_annotation(&k.v).is_some_and(|(_, n)| n == "hostname") {
                    for part in v.v.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                        published.push((o, Sp::new(part.to_string(), v.span)));
                    }
                }
            }
        }
        for n in crate::checks::tls::acme_names(cx) {
            names.push((n.cert, n.name, "ACME certificate name"));
        }
        let mut zone_list: Vec<&str> = dns.zones.iter().map(|z| z.name.as_str()).collect();
        zone_list.sort_unstable();
        zone_list.dedup();
        let shown = if zone_list.len() > 4 {
            format!("{}, …", zone_list[..4].join(", "))
        } else {
            zone_list.join(", ")
        };
        let mut seen = HashSet::new();
        let published_names = published
            .iter()
            .map(|(o, h)| (*o, h, "external-dns hostname annotation"));
        for (o, h, what) in names.into_iter().chain(published_names) {
            if h.v == "*" || super::cluster_local(&h.v) || dns.in_any_zone(&h.v) {
                continue;
            }
            if !seen.insert((h.span, h.v.clone())) {
                continue;
            }
            out.push(
                Diagnostic::new(
                    self.id(),
                    h.span,
                    format!(
                        "{}: {what} `{}` is in no declared DNS zone (declared: {shown}), so no record for it is managed here",
                        o.key, h.v
                    ),
                )
                .label("in no declared zone")
                .help("fix the name, or declare its zone: an Azure Service Operator PrivateDnsZone/DnsZone, an external-dns --domain-filter, or `dns.privateZones`/`dns.publicZones` in .gwlint.yaml")
                .on(o),
            );
        }
    }
}
