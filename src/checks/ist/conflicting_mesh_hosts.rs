//! IST613: several VirtualServices bound to the mesh define overlapping hosts in the same
//! scope.

use foldhash::{HashMap, HashMapExt};

use crate::checks::{Check, Ctx};
use crate::diagnostic::Diagnostic;
use crate::graph::istio::fqdn;
use crate::model::istio::VirtualService;
use crate::source::Span;

pub struct Rule;

/// A VirtualService's first overlapping host, its span, and the others with their host spans.
type Found = (String, Span, Vec<(usize, Span)>);

/// Where a mesh VirtualService's hosts apply, as Istio scopes them: every namespace (`None`)
/// when it is exported to all (no exportTo, or `*`), otherwise its own namespace.
fn scope<'a>(vs: &VirtualService, ns: &'a str) -> Option<&'a str> {
    let all = vs.export_to.is_empty() || vs.export_to.iter().any(|e| e.v == "*");
    (!all).then_some(ns)
}

impl Check for Rule {
    fn id(&self) -> &'static str {
        "IST613"
    }

    fn run(&self, cx: &Ctx, out: &mut Vec<Diagnostic>) {
        let g = cx.graph;
        let mesh: Vec<_> = super::virtual_services(g)
            .filter(|(_, _, vs)| vs.binds_mesh())
            .collect();
        // Host (fully qualified) → (VirtualService index, host span).
        let mut by_host: HashMap<String, Vec<(usize, Span)>> = HashMap::new();
        let mut hosts: Vec<(usize, String, Span)> = Vec::new();
        for (i, (_, o, vs)) in mesh.iter().enumerate() {
            for h in &vs.hosts {
                if crate::graph::istio::opaque(&h.v) {
                    continue;
                }
                let full = fqdn(&h.v, &o.key.namespace);
                let list = by_host.entry(full.clone()).or_default();
                if !list.iter().any(|(x, _)| *x == i) {
                    list.push((i, h.span));
                    hosts.push((i, full, h.span));
                }
            }
        }
        let scopes: Vec<Option<&str>> = mesh
            .iter()
            .map(|(_, o, vs)| scope(vs, &o.key.namespace))
            .collect();
        let compatible = |a: usize, b: usize| match (scopes[a], scopes[b]) {
            (Some(x), Some(y)) => x == y,
            _ => true,
        };
        // VirtualService → (its host, span, the others with the host they overlap on).
        let mut found: Vec<Option<Found>> = vec![None; mesh.len()];
        let mut note = |i: usize, host: &str, span: Span, other: (usize, Span)| {
            let f = found[i].get_or_insert_with(|| (host.to_string(), span, Vec::new()));
            if !f.2.iter().any(|(j, _)| *j == other.0) && f.2.len() < 50 {
                f.2.push(other);
            }
        };
        for (i, host, span) in &hosts {
            for pattern in crate::graph::istio::covering(host) {
                let Some(list) = by_host.get(&pattern) else {
                    continue;
                };
                for &(j, jspan) in list.iter().take(2000) {
                    if j == *i
                        || mesh[j].1.key == mesh[*i].1.key
                        || !compatible(*i, j)
                        || g.apart(mesh[j].0, mesh[*i].0)
                    {
                        continue;
                    }
                    note(*i, host, *span, (j, jspan));
                    note(j, &pattern, jspan, (*i, *span));
                }
            }
        }
        for (i, f) in found.into_iter().enumerate() {
            let Some((host, span, others)) = f else {
                continue;
            };
            let o = mesh[i].1;
            let names: Vec<String> = others
                .iter()
                .map(|(j, _)| mesh[*j].1.key.to_string())
                .collect();
            let mut d = Diagnostic::new(
                self.id(),
                span,
                format!(
                    "{}: host `{host}` overlaps hosts that {} define for the mesh in the same scope; sidecars apply one VirtualService per host, so which routes win is undefined (istioctl: IST0109)",
                    o.key,
                    names.join(", ")
                ),
            )
            .label("host defined by another mesh VirtualService")
            .on(o);
            for (j, s) in &others {
                d = d.related(
                    *s,
                    format!("{} defines an overlapping host", mesh[*j].1.key),
                );
            }
            out.push(
                d.help("merge the VirtualServices into one, or export them to distinct namespaces"),
            );
        }
    }
}
