//! DNS301: a hostname a Gateway, route or ACME Certificate uses lies in no declared DNS zone,
//! although it belongs to a domain the declared zones are in (or one spelled almost like it).

use crate::source::Text;
use std::collections::{HashMap, HashSet};

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
        let mut names: Vec<(&Object, &Sp<Text>, &str)> = Vec::new();
        // external-dns `…/hostname` values, split at commas, with the span of the whole value.
        let mut published: Vec<(&Object, Sp<Text>)> = Vec::new();
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
                        published.push((o, Sp::new(part.into(), v.span)));
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
        // Names of domains no declared zone belongs to are managed elsewhere (another repository,
        // another DNS provider): only names of the zones' own domains, or of a domain spelled
        // almost like one, are reported.
        let zone_domains: HashSet<&str> = dns.zones.iter().map(|z| registrable(&z.name)).collect();
        let mut verdicts: HashMap<String, Option<Option<&str>>> = HashMap::new();
        let mut seen = HashSet::new();
        let published_names = published
            .iter()
            .map(|(o, h)| (*o, h, "external-dns hostname annotation"));
        for (o, h, what) in names.into_iter().chain(published_names) {
            if h.v == "*" || super::cluster_local(&h.v) || dns.in_any_zone(&h.v) {
                continue;
            }
            let lower =
                h.v.trim_start_matches("*.")
                    .trim_end_matches('.')
                    .to_ascii_lowercase();
            let domain = registrable(&lower).to_string();
            let verdict = *verdicts
                .entry(domain.clone())
                .or_insert_with(|| near_domain(&domain, &zone_domains));
            let Some(similar) = verdict else { continue };
            if !seen.insert((h.span, h.v.clone())) {
                continue;
            }
            let hint = match similar {
                Some(d) => format!(" (`{domain}` looks like a misspelling of `{d}`)"),
                None => String::new(),
            };
            out.push(
                Diagnostic::new(
                    self.id(),
                    h.span,
                    format!(
                        "{}: {what} `{}` is in no declared DNS zone{hint} (declared: {shown}), so no record for it is managed here",
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

/// The registrable part of a name: its last two labels, or three under a two-letter country
/// code with a short second level (`example.co.uk`).
fn registrable(name: &str) -> &str {
    let labels: Vec<&str> = name.rsplitn(4, '.').collect();
    let take = match labels.as_slice() {
        [tld, second, _, ..] if tld.len() == 2 && second.len() <= 3 => 3,
        _ => 2,
    };
    if labels.len() <= take {
        return name;
    }
    let cut: usize = labels[..take].iter().map(|l| l.len() + 1).sum();
    &name[name.len() + 1 - cut..]
}

/// `Some(None)`: a zone's own domain; `Some(Some(d))`: within two edits of zone domain `d`;
/// `None`: an unrelated domain.
fn near_domain<'z>(domain: &str, zone_domains: &HashSet<&'z str>) -> Option<Option<&'z str>> {
    if zone_domains.contains(domain) {
        return Some(None);
    }
    let mut best: Option<&str> = None;
    for d in zone_domains {
        if d.len().abs_diff(domain.len()) <= 2
            && d.len() >= 5
            && edit_distance(d, domain) <= 2
            && best.is_none_or(|b| *d < b)
        {
            best = Some(d);
        }
    }
    best.map(Some)
}

/// Levenshtein distance with adjacent transpositions counted as one edit.
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut prev2 = vec![0usize; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0usize; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                cur[j] = cur[j].min(prev2[j - 2] + 1);
            }
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registrable_domains() {
        assert_eq!(registrable("app.internal.example.com"), "example.com");
        assert_eq!(registrable("example.com"), "example.com");
        assert_eq!(registrable("www.shop.example.co.uk"), "example.co.uk");
        assert_eq!(registrable("internal"), "internal");
    }

    #[test]
    fn near_misses() {
        let zones: HashSet<&str> = ["example.com"].into_iter().collect();
        assert_eq!(near_domain("example.com", &zones), Some(None));
        assert_eq!(
            near_domain("exmaple.com", &zones),
            Some(Some("example.com"))
        );
        assert_eq!(near_domain("example.co", &zones), Some(Some("example.com")));
        assert_eq!(near_domain("contoso.com", &zones), None);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}
