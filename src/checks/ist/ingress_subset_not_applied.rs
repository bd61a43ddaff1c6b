//! IST614: a gateway VirtualService routes to a host without a subset while a mesh
//! VirtualService splits that host by subset: the split does not apply to ingress traffic.

use foldhash::{HashMap, HashMapExt};

use crate::checks::{Check, Ctx};
use crate::diagnostic::Diagnostic;
use crate::graph::istio::fqdn;
use crate::model::istio::RouteKind;

pub struct Rule;

impl Check for Rule {
    fn id(&self) -> &'static str {
        "IST614"
    }

    fn run(&self, cx: &Ctx, out: &mut Vec<Diagnostic>) {
        let g = cx.graph;
        // Hosts that mesh VirtualServices route by subset → the first such VirtualService.
        let mut split: HashMap<String, usize> = HashMap::new();
        for (id, o, vs) in super::virtual_services(g) {
            if !vs.binds_mesh() {
                continue;
            }
            let ns = o.key.namespace.as_str();
            if !vs.destinations.iter().any(|d| d.subset.is_some()) {
                continue;
            }
            for h in &vs.hosts {
                split.entry(fqdn(&h.v, ns)).or_insert(id);
            }
        }
        if split.is_empty() {
            return;
        }
        let bindings = super::gateway_bindings(g);
        for (id, o, vs) in super::virtual_services(g) {
            if vs.binds_mesh() {
                continue;
            }
            let Some(gws) = bindings.get(&id) else {
                continue;
            };
            let ns = o.key.namespace.as_str();
            let mut seen = Vec::new();
            for d in &vs.destinations {
                let (Some(host), None, RouteKind::Http) = (&d.host, &d.subset, d.route) else {
                    continue;
                };
                let full = fqdn(&host.v, ns);
                let Some(&mesh_vs) = split.get(&full) else {
                    continue;
                };
                if seen.contains(&full) {
                    continue;
                }
                seen.push(full);
                let m = g.obj(mesh_vs);
                let gw = g.obj(gws[0].0);
                out.push(
                    Diagnostic::new(
                        self.id(),
                        host.span,
                        format!(
                            "{}: routes requests from gateway {} to `{}` without a subset, and the subset routing of {} for that host applies to sidecars only, not to these requests (istioctl: IST0140)",
                            o.key, gw.key, host.v, m.key
                        ),
                    )
                    .label("mesh subset routing skipped for ingress traffic")
                    .related(m.name_span(), format!("{} splits `{}` by subset for the mesh", m.key, host.v))
                    .help("route to the subsets in this VirtualService too, or add the gateway to the mesh VirtualService's `gateways`")
                    .on(o),
                );
            }
        }
    }
}
