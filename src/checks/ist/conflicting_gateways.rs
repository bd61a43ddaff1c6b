//! IST605: two Istio Gateways on the same workload (one selector within the other) serve an
//! overlapping host on the same port.

use foldhash::{HashMap, HashMapExt};

use crate::checks::{Check, Ctx};
use crate::diagnostic::Diagnostic;
use crate::graph::istio::{hosts_overlap, opaque, server_host};

pub struct Rule;

/// (other gateway, port, host, own port span, other's port span).
type Conflict = (usize, i64, String, crate::source::Span, crate::source::Span);

impl Check for Rule {
    fn id(&self) -> &'static str {
        "IST605"
    }

    fn run(&self, cx: &Ctx, out: &mut Vec<Diagnostic>) {
        let g = cx.graph;
        // Servers by port: (gateway, host, span of the port).
        let mut by_port: HashMap<i64, Vec<(usize, &str, crate::source::Span)>> = HashMap::new();
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
                for h in s.hosts.iter().filter(|h| !opaque(&h.v)) {
                    by_port
                        .entry(port.v)
                        .or_default()
                        .push((gi, server_host(&h.v).1, port.span));
                }
            }
        }
        let mut ports: Vec<_> = by_port.into_iter().collect();
        ports.sort_unstable_by_key(|(p, _)| *p);
        // (gateway index) → conflicts (other index, port, host).
        let mut found: Vec<Vec<Conflict>> = vec![Vec::new(); gws.len()];
        for (port, entries) in &ports {
            // Gateways per port are few in practice; a pathological input is bounded.
            if entries.len() > 2000 {
                continue;
            }
            for (i, a) in entries.iter().enumerate() {
                for b in &entries[i + 1..] {
                    // The same object defined twice (overlays, copies) does not conflict with
                    // itself.
                    if a.0 == b.0 || gws[a.0].1.key == gws[b.0].1.key {
                        continue;
                    }
                    let (sa, sb) = (&gws[a.0].2.selector, &gws[b.0].2.selector);
                    let same_workload =
                        super::selector_subset(sa, sb) || super::selector_subset(sb, sa);
                    if !same_workload || !hosts_overlap(a.1, b.1) {
                        continue;
                    }
                    let host = if a.1 == "*" { b.1 } else { a.1 };
                    if !found[a.0].iter().any(|f| f.0 == b.0) {
                        found[a.0].push((b.0, *port, host.to_string(), a.2, b.2));
                    }
                    if !found[b.0].iter().any(|f| f.0 == a.0) {
                        found[b.0].push((a.0, *port, host.to_string(), b.2, a.2));
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
