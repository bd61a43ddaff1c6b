//! IST607: a VirtualService is bound to a gateway that serves none of its hosts.

use crate::checks::{Check, Ctx};
use crate::diagnostic::Diagnostic;
use crate::graph::attach::listeners_of;
use crate::graph::istio::{fqdn, hosts_overlap, server_host};
use crate::model::Spec;

pub struct Rule;

impl Check for Rule {
    fn id(&self) -> &'static str {
        "IST607"
    }

    fn run(&self, cx: &Ctx, out: &mut Vec<Diagnostic>) {
        let g = cx.graph;
        let bindings = super::gateway_bindings(g);
        for (id, o, vs) in super::virtual_services(g) {
            if vs.hosts.is_empty() {
                continue;
            }
            let Some(bound) = bindings.get(&id) else {
                continue;
            };
            let vs_ns = o.key.namespace.as_str();
            let hosts: Vec<String> = vs.hosts.iter().map(|h| fqdn(&h.v, vs_ns)).collect();
            for (gid, r) in bound {
                let gw = g.obj(*gid);
                // The gateway's hosts this VirtualService may bind to.
                let served: Vec<&str> = match &gw.spec {
                    Spec::IstioGateway(igw) => igw
                        .servers
                        .iter()
                        .flat_map(|s| s.hosts.iter())
                        .filter_map(|h| {
                            let (ns, host) = server_host(&h.v);
                            let visible = ns == "*"
                                || ns == vs_ns
                                || (ns == "." && gw.key.namespace == vs_ns);
                            visible.then_some(host)
                        })
                        .collect(),
                    Spec::Gateway(_) => listeners_of(gw)
                        .iter()
                        .map(|l| l.hostname.as_ref().map_or("*", |h| h.v.as_str()))
                        .collect(),
                    _ => continue,
                };
                if served.iter().any(|s| crate::graph::istio::opaque(s))
                    || hosts.iter().any(|h| crate::graph::istio::opaque(h))
                {
                    continue;
                }
                let found = hosts
                    .iter()
                    .any(|h| served.iter().any(|s| hosts_overlap(s, h)));
                if found {
                    continue;
                }
                let shown: Vec<&str> = vs.hosts.iter().map(|h| h.v.as_str()).collect();
                let mut d = Diagnostic::new(
                    self.id(),
                    r.span,
                    format!(
                        "{}: gateway {} serves none of its hosts ({}) {}, so the routes never apply there (istioctl: IST0132)",
                        o.key,
                        gw.key,
                        shown.join(", "),
                        if matches!(gw.spec, Spec::IstioGateway(_)) {
                            format!("for namespace `{vs_ns}`")
                        } else {
                            "on any listener".to_string()
                        }
                    ),
                )
                .label("no server of this gateway serves the VirtualService's hosts")
                .on(o);
                d = d.related(
                    gw.name_span(),
                    if served.is_empty() {
                        format!("{} serves no host this VirtualService may bind to", gw.key)
                    } else {
                        format!("{} serves: {}", gw.key, served.join(", "))
                    },
                );
                out.push(d.help("add the host to a server of the Gateway (as `host` or `namespace/host` for the VirtualService's namespace), or bind the VirtualService to the Gateway that serves it"));
            }
        }
    }
}
