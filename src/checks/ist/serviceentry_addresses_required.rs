//! IST619: a ServiceEntry without addresses has a TCP (or unset-protocol) port, which sidecars
//! can only match by port number.

use crate::checks::{Check, Ctx};
use crate::diagnostic::Diagnostic;
use crate::model::Spec;

pub struct Rule;

impl Check for Rule {
    fn id(&self) -> &'static str {
        "IST619"
    }

    fn run(&self, cx: &Ctx, out: &mut Vec<Diagnostic>) {
        for o in cx.graph.objects {
            let Spec::ServiceEntry(se) = &o.spec else {
                continue;
            };
            if se.addresses || se.status_addresses {
                continue;
            }
            for p in &se.port_specs {
                // `protocol: ""` is unset, as Istio reads it.
                let written = p.protocol.as_ref().filter(|x| !x.v.is_empty());
                if written.is_some_and(|x| !x.v.eq_ignore_ascii_case("TCP")) {
                    continue;
                }
                let proto = if written.is_some() {
                    "TCP"
                } else {
                    "no protocol (TCP)"
                };
                let span = p.protocol.as_ref().map_or(p.number.span, |x| x.span);
                out.push(
                    Diagnostic::new(
                        self.id(),
                        span,
                        format!(
                            "{}: port {} has {proto} and the ServiceEntry sets no addresses: unless the mesh allocates addresses itself (DNS proxying with auto-allocation), sidecars match this port's traffic by port alone, for every destination IP, not by host (istioctl: IST0134)",
                            o.key, p.number.v
                        ),
                    )
                    .label("no address to match")
                    .help("set `addresses` (the service's IPs or CIDRs), give the port an application protocol (HTTP, TLS) that names the host, or enable address auto-allocation in the mesh")
                    .on(o),
                );
            }
        }
    }
}
