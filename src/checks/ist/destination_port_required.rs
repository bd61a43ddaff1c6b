//! IST610: a VirtualService routes to a Service with several ports without saying which.

use crate::checks::{Check, Ctx};
use crate::diagnostic::Diagnostic;
use crate::graph::istio::HostTarget;
use crate::model::Spec;

pub struct Rule;

impl Check for Rule {
    fn id(&self) -> &'static str {
        "IST610"
    }

    fn run(&self, cx: &Ctx, out: &mut Vec<Diagnostic>) {
        let g = cx.graph;
        for (_, o, vs) in super::virtual_services(g) {
            let ns = o.key.namespace.as_str();
            for d in &vs.destinations {
                let (Some(host), None) = (&d.host, &d.port) else {
                    continue;
                };
                let HostTarget::Service(sid) = g.istio.resolve_host(g, &host.v, ns) else {
                    continue;
                };
                let svc = g.obj(sid);
                let Spec::Service(s) = &svc.spec else {
                    continue;
                };
                if s.ports.len() < 2 {
                    continue;
                }
                let ports: Vec<String> = s
                    .ports
                    .iter()
                    .filter_map(|p| p.port.as_ref().map(|n| n.v.to_string()))
                    .collect();
                out.push(
                    Diagnostic::new(
                        self.id(),
                        host.span,
                        format!(
                            "{}: destination `{}` is {}, which exposes several ports ({}); without `port` the route is ambiguous (istioctl: IST0112)",
                            o.key,
                            host.v,
                            svc.key,
                            ports.join(", ")
                        ),
                    )
                    .label("destination port required")
                    .related(s.ports_span.unwrap_or(svc.name_span()), format!("{}'s ports", svc.key))
                    .help("add `port: {number: …}` to the destination")
                    .on(o),
                );
            }
        }
    }
}
