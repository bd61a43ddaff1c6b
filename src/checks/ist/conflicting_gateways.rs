//! IST605: two Istio Gateways on the same workload (one selector within the other) serve an
//! overlapping host on the same port.

use foldhash::{HashMap, HashMapExt};

use crate::checks::{Check, Ctx};
use crate::diagnostic::Diagnostic;
use crate::graph::istio::{covering, opaque, server_host};

pub struct Rule;

/// (gateway index, span of its port, plain-text HTTP).
type Server = (usize, crate::source::Span, bool);

/// (other gateway, port, host, own port span, other's port span).
type Conflict = (usize, i64, String, crate::source::Span, crate::source::Span);

impl Check for Rule {
    fn id(&self) -> &'static str {
        "IST605"
    }

    fn run(&self, cx: &Ctx, out: &mut Vec<Diagnostic>) {
        let g = cx.graph;
        // Servers by port and host (lower case): (gateway, span of the port).
        let mut by_host: HashMap<(i64, String), Vec<Server>> = HashMap::new();
        let mut entries: Vec<(usize, i64, String, crate::source::Span, bool)> = Vec::new();
        let gws: Vec<_> = super::gateways(g).collect();
        for (gi, (_, _, gw)) in gws.iter().enumerate() {
            if gw
                .selector
                .iter()
                .any(|(k, v)| opaque(&k.v) || opaque(&v.v))
            {
                continue;
            }
            for s in &gw.servers {
                let Some(port) = &s.port else { continue };
                let plain = plain_http(s);
                for h in s.hosts.iter().filter(|h| !opaque(&h.v)) {
                    let host = server_host(&h.v)
                        .1
                        .trim_end_matches('.')
                        .to_ascii_lowercase();
                    by_host
                        .entry((port.v, host.clone()))
                        .or_default()
                        .push((gi, port.span, plain));
                    entries.push((gi, port.v, host, port.span, plain));
                }
            }
        }
        // Gateway index → conflicts. Each server host meets the servers of the same port whose
        // host is equal or a wildcard covering it; the pair is noted on both sides.
        let mut found: Vec<Vec<Conflict>> = vec![Vec::new(); gws.len()];
        for (a, port, host, a_span, a_plain) in &entries {
            for pattern in covering(host) {
                let Some(list) = by_host.get(&(*port, pattern)) else {
                    continue;
                };
                for &(b, b_span, b_plain) in list.iter().take(2000) {
                    // The same object defined twice (overlays, copies) does not conflict with
                    // itself. Plain-text HTTP servers of one port are merged into one server
                    // whose virtual hosts take every Gateway's routes: nothing is lost.
                    if *a == b
                        || gws[*a].1.key == gws[b].1.key
                        || (*a_plain && b_plain)
                        || g.apart(gws[*a].0, gws[b].0)
                    {
                        continue;
                    }
                    let (sa, sb) = (&gws[*a].2.selector, &gws[b].2.selector);
                    if !(super::selector_subset(sa, sb) || super::selector_subset(sb, sa)) {
                        continue;
                    }
                    if !found[*a].iter().any(|f| f.0 == b) {
                        found[*a].push((b, *port, host.clone(), *a_span, b_span));
                    }
                    if !found[b].iter().any(|f| f.0 == *a) {
                        found[b].push((*a, *port, host.clone(), b_span, *a_span));
                    }
                }
            }
        }
        for (gi, conflicts) in found.iter().enumerate() {
            let Some((_, port, host, span, _)) = conflicts.first() else {
                continue;
            };
            let (_, o, gw) = gws[gi];
            let others: Vec<String> = conflicts
                .iter()
                .map(|c| gws[c.0].1.key.to_string())
                .collect();
            let mut d = Diagnostic::new(
                self.id(),
                *span,
                format!(
                    "{}: conflicts with {} (workload selector {}, port {port}, host `{host}`): the proxy keeps one server for the port and host, and the other Gateway's routes are lost (istioctl: IST0145)",
                    o.key,
                    others.join(", "),
                    super::selector_text(&gw.selector)
                ),
            )
            .label("same workload, port and host as another Gateway")
            .on(o);
            for c in conflicts {
                d = d.related(
                    c.4,
                    format!("{} serves port {} for `{}` too", gws[c.0].1.key, c.1, c.2),
                );
            }
            out.push(
                d.help("merge the servers into one Gateway, or give them distinct hosts or ports"),
            );
        }
    }
}

/// Whether a server is plain-text HTTP (HTTP, HTTP2, gRPC; no TLS but a redirect): Istio
/// merges such servers of one port into one, whatever Gateway declares them.
fn plain_http(s: &crate::model::istio::Server) -> bool {
    let http = s.protocol.as_ref().is_some_and(|p| {
        ["HTTP", "HTTP2", "GRPC", "GRPC-WEB"]
            .iter()
            .any(|h| p.v.eq_ignore_ascii_case(h))
    });
    http && s
        .tls
        .as_ref()
        .is_none_or(|t| t.mode.is_none() && t.credential_names.is_empty())
}
