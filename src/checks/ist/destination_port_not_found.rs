//! IST611: a VirtualService destination names a port its Service does not expose.

use crate::checks::{Check, Ctx};
use crate::diagnostic::Diagnostic;
use crate::graph::istio::HostTarget;
use crate::model::Spec;

pub struct Rule;

impl Check for Rule {
    fn id(&self) -> &'static str {
        "IST611"
    }

    fn run(&self, cx: &Ctx, out: &mut Vec<Diagnostic>) {
        let g = cx.graph;
        for (_, o, vs) in super::virtual_services(g) {
            let ns = o.key.namespace.as_str();
            for d in &vs.destinations {
                let (Some(host), Some(port)) = (&d.host, &d.port) else {
                    continue;
                };
                let HostTarget::Service(sid) = g.istio.resolve_host(g, &host.v, ns) else {
                    continue;
                };
                // Every definition of the Service must lack the port.
                let lacks = g
                    .all(&g.obj(sid).key)
                    .iter()
                    .all(|&id| match &g.obj(id).spec {
                        Spec::Service(s) => {
                            !s.ports.is_empty()
                                && !s
                                    .ports
                                    .iter()
                                    .any(|p| p.port.as_ref().is_some_and(|n| n.v == port.v))
                        }
                        _ => false,
                    });
                if !lacks {
                    continue;
                }
                let svc = g.obj(sid);
                let Spec::Service(s) = &svc.spec else {
                    continue;
                };
                let ports: Vec<String> = s
                    .ports
                    .iter()
                    .filter_map(|p| p.port.as_ref().map(|n| n.v.to_string()))
                    .collect();
                out.push(
                    Diagnostic::new(
                        self.id(),
                        port.span,
                        format!(
                            "{}: destination `{}` port {} is not a port of {} (ports: {}) (istioctl: IST0101)",
                            o.key,
                            host.v,
                            port.v,
                            svc.key,
                            ports.join(", ")
                        ),
                    )
                    .label("no such Service port")
                    .related(s.ports_span.unwrap_or(svc.name_span()), format!("{}'s ports", svc.key))
                    .help("use one of the Service's ports")
                    .on(o),
                );
            }
        }
    }
}
