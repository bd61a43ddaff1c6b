//! IST604: an Istio Gateway server listens on a port that no Service in front of its gateway
//! workload forwards to.

use foldhash::{HashMap, HashMapExt};

use crate::checks::{Check, Ctx};
use crate::diagnostic::Diagnostic;
use crate::graph::ObjId;
use crate::graph::istio::Selected;
use crate::model::Spec;

pub struct Rule;

impl Check for Rule {
    fn id(&self) -> &'static str {
        "IST604"
    }

    fn run(&self, cx: &Ctx, out: &mut Vec<Diagnostic>) {
        let g = cx.graph;
        let mut services: HashMap<&str, Vec<ObjId>> = HashMap::new();
        for (id, o) in g.objects.iter().enumerate() {
            if let Spec::Service(s) = &o.spec {
                if !s.selector.is_empty() {
                    services
                        .entry(o.key.namespace.as_str())
                        .or_default()
                        .push(id);
                }
            }
        }
        for (id, o, gw) in super::gateways(g) {
            let Some(Selected::Workloads(ws)) = g.istio.selected.get(&id) else {
                continue;
            };
            // The ports the Services in front of the selected workloads forward to: the
            // gateway proxy listens on the server port, which is a Service's target port.
            let mut ports: Vec<i64> = Vec::new();
            let mut fronting: Vec<ObjId> = Vec::new();
            for &wi in ws {
                let w = &g.istio.workloads[wi];
                for &sid in services
                    .get(w.namespace.as_str())
                    .map_or(&[][..], Vec::as_slice)
                {
                    let Spec::Service(s) = &g.obj(sid).spec else {
                        continue;
                    };
                    let selects = s
                        .selector
                        .iter()
                        .all(|(k, v)| w.labels.iter().any(|(wk, wv)| *wk == k.v && *wv == v.v));
                    if !selects {
                        continue;
                    }
                    fronting.push(sid);
                    for p in &s.ports {
                        let tcp = p.protocol.as_ref().is_none_or(|pr| pr.v == "TCP");
                        // Istio translates a server port equal to a Service port to that
                        // port's target port, so either number reaches the proxy.
                        if tcp {
                            ports.extend(p.target_port);
                            ports.extend(p.port.as_ref().map(|n| n.v));
                        }
                    }
                }
            }
            if fronting.is_empty() {
                continue;
            }
            fronting.sort_unstable();
            fronting.dedup();
            let mut reported = Vec::new();
            for server in &gw.servers {
                let Some(port) = &server.port else { continue };
                if ports.contains(&port.v) || reported.contains(&port.v) {
                    continue;
                }
                reported.push(port.v);
                let svc = g.obj(fronting[0]);
                let mut d = Diagnostic::new(
                    self.id(),
                    port.span,
                    format!(
                        "{}: server port {} is neither a port nor a target port of the Service in front of the gateway workload ({}), so traffic through that Service never reaches it (istioctl: IST0162)",
                        o.key, port.v, svc.key
                    ),
                )
                .label(format!("no Service port forwards to {}", port.v))
                .on(o);
                let s_span = match &svc.spec {
                    Spec::Service(s) => s.ports_span.unwrap_or(svc.name_span()),
                    _ => svc.name_span(),
                };
                d = d.related(s_span, format!("{}'s ports", svc.key)).help(format!(
                    "add port {} to the Service (or a port whose targetPort is {}), or listen on a port the Service exposes",
                    port.v, port.v
                ));
                out.push(d);
            }
        }
    }
}
