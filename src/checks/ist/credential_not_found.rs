//! IST602: an Istio Gateway's `tls.credentialName` names no Secret in the namespace of the
//! gateway workload, where Istio reads it.

use crate::checks::{Check, Ctx};
use crate::config::Severity;
use crate::diagnostic::Diagnostic;
use crate::graph::{RefKind, Resolution};

pub struct Rule;

impl Check for Rule {
    fn id(&self) -> &'static str {
        "IST602"
    }

    fn run(&self, cx: &Ctx, out: &mut Vec<Diagnostic>) {
        let g = cx.graph;
        for r in &g.refs {
            if r.kind != RefKind::IstioCredential || r.resolution != Resolution::Missing {
                continue;
            }
            let from = cx.obj(r.from);
            let t = &r.target;
            let workload = g
                .istio
                .selected
                .get(&r.from)
                .and_then(|s| match s {
                    crate::graph::istio::Selected::Workloads(ws) => ws
                        .iter()
                        .map(|&i| &g.istio.workloads[i])
                        .find(|w| w.namespace == t.namespace),
                    _ => None,
                })
                .map(|w| w.describe(g))
                .unwrap_or_default();
            let mut d = Diagnostic::new(
                self.id(),
                r.span,
                format!(
                    "{}: credentialName `{}`: no Secret `{}` in namespace `{}`, where the gateway workload runs ({workload}); Istio reads the credential from the workload's namespace, not the Gateway's (istioctl: IST0101 credentialName)",
                    from.key, t.name, t.name, t.namespace
                ),
            )
            .label(format!("no Secret `{}` in `{}`", t.name, t.namespace))
            .on(from);
            if cx.config.allow_external_secrets {
                d = d.severity(Severity::Warning);
            }
            // The classic mistake: the Secret (or the Certificate writing it) is in the
            // Gateway's namespace or another one.
            let gw_ns = from.key.namespace.as_str();
            let produced_here = g.producers.get(gw_ns, &t.name).iter().map(|p| {
                let o = g.obj(p.obj);
                (
                    p.span,
                    format!(
                        "{} writes Secret `{}` in namespace `{gw_ns}`",
                        o.key, t.name
                    ),
                    crate::source::Text::from(gw_ns),
                )
            });
            let elsewhere = produced_here
                .chain(g.same_name("", "Secret", &t.name).iter().map(|&id| {
                    let o = g.obj(id);
                    (o.name_span(), o.key.to_string(), o.key.namespace.clone())
                }))
                .find(|(_, _, ns)| *ns != t.namespace);
            d = match elsewhere {
                Some((span, what, ns)) => d
                    .related(span, format!("{what}: that namespace is not the gateway workload's"))
                    .help(format!(
                        "create the Secret in `{}` (for a cert-manager Certificate, set its namespace to `{}`), not in `{ns}`",
                        t.namespace, t.namespace
                    )),
                None => d.help(format!(
                    "create Secret `{}` in namespace `{}`, or declare it under `externals.secrets` if it is managed outside the repository",
                    t.name, t.namespace
                )),
            };
            out.push(d);
        }
    }
}
