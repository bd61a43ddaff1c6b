//! IST613: several VirtualServices bound to the mesh define the same host where each other
//! is visible.

use foldhash::{HashMap, HashMapExt};

use crate::checks::{Check, Ctx};
use crate::diagnostic::Diagnostic;
use crate::graph::istio::fqdn;
use crate::model::istio::exported_to;
use crate::model::{Object, istio::VirtualService};
use crate::source::Span;

pub struct Rule;

/// Whether `w` is visible in every namespace `v` is exported to.
fn visible_wherever(v: (&Object, &VirtualService), w: (&Object, &VirtualService)) -> bool {
    let global =
        |vs: &VirtualService| vs.export_to.is_empty() || vs.export_to.iter().any(|e| e.v == "*");
    if global(v.1) {
        return global(w.1);
    }
    v.1.export_to.iter().all(|e| {
        let ns = match e.v.as_str() {
            "." => v.0.key.namespace.as_str(),
            "~" => return true,
            other => other,
        };
        exported_to(&w.1.export_to, &w.0.key.namespace, ns)
    })
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
        let mut by_host: HashMap<String, Vec<(usize, Span)>> = HashMap::new();
        for (i, (_, o, vs)) in mesh.iter().enumerate() {
            for h in &vs.hosts {
                if crate::model::read::unresolved(&h.v) {
                    continue;
                }
                let list = by_host.entry(fqdn(&h.v, &o.key.namespace)).or_default();
                if !list.iter().any(|(x, _)| *x == i) {
                    list.push((i, h.span));
                }
            }
        }
        let mut hosts: Vec<_> = by_host.into_iter().filter(|(_, l)| l.len() > 1).collect();
        hosts.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let mut found: Vec<Option<(String, Span, Vec<(usize, Span)>)>> = vec![None; mesh.len()];
        for (host, list) in &hosts {
            if list.len() > 2000 {
                continue;
            }
            for &(i, span) in list {
                if found[i].is_some() {
                    continue;
                }
                let v = (mesh[i].1, mesh[i].2);
                let others: Vec<(usize, Span)> = list
                    .iter()
                    .copied()
                    .filter(|&(j, _)| j != i && visible_wherever(v, (mesh[j].1, mesh[j].2)))
                    .collect();
                if !others.is_empty() {
                    found[i] = Some((host.clone(), span, others));
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
                    "{}: host `{host}` is also defined for the mesh by {}; sidecars apply only one VirtualService per host, so which routes win is undefined (istioctl: IST0109)",
                    o.key,
                    names.join(", ")
                ),
            )
            .label("host defined by another mesh VirtualService")
            .on(o);
            for (j, s) in &others {
                d = d.related(*s, format!("{} defines it too", mesh[*j].1.key));
            }
            out.push(d.help("merge the VirtualServices into one, or narrow their exportTo"));
        }
    }
}
