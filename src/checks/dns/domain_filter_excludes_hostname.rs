//! DNS313: external-dns (Azure providers) watches a route's Gateway, but none of its
//! `--domain-filter`s covers the route hostname, so no record is published for it.

use crate::source::Text;
use std::collections::HashSet;

use crate::checks::{Check, Ctx};
use crate::diagnostic::Diagnostic;
use crate::graph::attach;
use crate::model::dns::ExternalDnsArgs;
use crate::model::{Object, Spec};

pub struct Rule;

/// The external-dns source that reads a route kind.
fn source_for(kind: &str) -> Option<&'static str> {
    Some(match kind {
        "HTTPRoute" => "gateway-httproute",
        "GRPCRoute" => "gateway-grpcroute",
        "TLSRoute" => "gateway-tlsroute",
        "TCPRoute" => "gateway-tcproute",
        "UDPRoute" => "gateway-udproute",
        _ => return None,
    })
}

fn domain_matches(filter: &str, name: &str) -> bool {
    let f = filter.trim().trim_end_matches('.').to_ascii_lowercase();
    if f.is_empty() {
        return true;
    }
    // `.example.com` means subdomains only; `example.com` the domain and its subdomains.
    match f.strip_prefix('.') {
        Some(sub) => name.ends_with(&format!(".{sub}")),
        None => name == f || name.ends_with(&format!(".{f}")),
    }
}

fn split(list: &[crate::source::Sp<Text>]) -> impl Iterator<Item = &str> {
    list.iter()
        .flat_map(|f| f.v.split(','))
        .filter(|p| !p.trim().is_empty())
}

fn covers(a: &ExternalDnsArgs, name: &str) -> bool {
    let name = name
        .trim_start_matches("*.")
        .trim_end_matches('.')
        .to_ascii_lowercase();
    let included =
        a.domain_filters.is_empty() || split(&a.domain_filters).any(|f| domain_matches(f, &name));
    included && !split(&a.exclude_domains).any(|f| domain_matches(f, &name))
}

fn watches(a: &ExternalDnsArgs, route: &Object, gateway: &Object) -> bool {
    let Some(source) = source_for(&route.key.kind) else {
        return false;
    };
    a.sources
        .iter()
        .any(|s| s.v.split(',').any(|p| p.trim() == source))
        && a.namespace
            .as_ref()
            .is_none_or(|n| n.is_empty() || *n == route.key.namespace)
        && a.gateway_namespace
            .as_ref()
            .is_none_or(|n| n.is_empty() || *n == gateway.key.namespace)
        && a.gateway_name
            .as_ref()
            .is_none_or(|n| n.is_empty() || *n == gateway.key.name)
}

impl Check for Rule {
    fn id(&self) -> &'static str {
        "DNS313"
    }

    fn run(&self, cx: &Ctx, out: &mut Vec<Diagnostic>) {
        let g = cx.graph;
        let azure: Vec<(usize, &ExternalDnsArgs)> = g
            .dns
            .external_dns
            .iter()
            .filter(|(_, a)| {
                a.provider
                    .as_ref()
                    .is_some_and(|p| matches!(p.v.as_str(), "azure" | "azure-private-dns"))
            })
            .map(|(id, a)| (*id, *a))
            .collect();
        if azure.is_empty() {
            return;
        }
        let mut seen = HashSet::new();
        for a in &g.attachments {
            let route = g.obj(a.route);
            let Spec::Route(r) = &route.spec else {
                continue;
            };
            for v in a.accepted() {
                let Some(gw) = attach::gateway_of(g, v.listener.owner) else {
                    continue;
                };
                let gateway = g.obj(gw);
                let watching: Vec<&(usize, &ExternalDnsArgs)> = azure
                    .iter()
                    .filter(|(_, x)| watches(x, route, gateway))
                    .collect();
                // An instance with filters gwlint cannot evaluate may publish anything.
                if watching.is_empty() || watching.iter().any(|(_, x)| x.opaque_filter) {
                    continue;
                }
                let listener = attach::listeners_of(g.obj(v.listener.owner)).get(v.listener.index);
                let lh = listener
                    .and_then(|l| l.hostname.as_ref())
                    .map(|h| h.v.as_str());
                for h in &r.hostnames {
                    let Some(name) = crate::graph::hostname::intersect(lh, Some(&h.v)) else {
                        continue;
                    };
                    if crate::model::read::unresolved(&name)
                        || watching.iter().any(|(_, x)| covers(x, &name))
                        || !seen.insert(h.span)
                    {
                        continue;
                    }
                    let mut d = Diagnostic::new(
                        self.id(),
                        h.span,
                        format!(
                            "{}: `{name}` is served by {}, which external-dns watches, but no --domain-filter of the external-dns instances watching it covers the name, so no DNS record is published",
                            route.key, gateway.key
                        ),
                    )
                    .label("excluded by every domain filter")
                    .help("add the zone to a --domain-filter of the external-dns Deployment, or fix the hostname")
                    .on(route);
                    d = d.related_each(&watching, |(id, x)| {
                        let o = g.obj(*id);
                        let span = x.domain_filters.first().map(|f| f.span).unwrap_or(x.span);
                        (
                            span,
                            format!(
                                "{} filters: {}",
                                o.key,
                                split(&x.domain_filters).collect::<Vec<_>>().join(", ")
                            ),
                        )
                    });
                    out.push(d);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters() {
        assert!(domain_matches("example.com", "example.com"));
        assert!(domain_matches("example.com", "a.example.com"));
        assert!(!domain_matches("example.com", "aexample.com"));
        assert!(!domain_matches(".example.com", "example.com"));
        assert!(domain_matches(".example.com", "a.example.com"));
    }
}
