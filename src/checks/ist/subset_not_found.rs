//! IST612: a VirtualService destination names a subset no DestinationRule for its host defines.

use crate::checks::{Check, Ctx};
use crate::diagnostic::Diagnostic;
use crate::graph::istio::fqdn;
use crate::model::Spec;

pub struct Rule;

impl Check for Rule {
    fn id(&self) -> &'static str {
        "IST612"
    }

    fn run(&self, cx: &Ctx, out: &mut Vec<Diagnostic>) {
        let g = cx.graph;
        for (_, o, vs) in super::virtual_services(g) {
            let ns = o.key.namespace.as_str();
            for d in &vs.destinations {
                let (Some(host), Some(subset)) = (&d.host, &d.subset) else {
                    continue;
                };
                if crate::graph::istio::opaque(&host.v) || crate::graph::istio::opaque(&subset.v) {
                    continue;
                }
                let full = fqdn(&host.v, ns);
                let drs = g.istio.destination_rules(g, &full, ns);
                let defined = drs.iter().any(|&id| match &g.obj(id).spec {
                    Spec::DestinationRule(dr) => dr.subsets.iter().any(|s| s.v == subset.v),
                    _ => false,
                });
                if defined {
                    continue;
                }
                let mut diag = Diagnostic::new(
                    self.id(),
                    subset.span,
                    format!(
                        "{}: subset `{}` of host `{}` is not defined: {} (istioctl: IST0101)",
                        o.key,
                        subset.v,
                        host.v,
                        if drs.is_empty() {
                            format!(
                                "no DestinationRule for `{full}` is visible from namespace `{ns}`"
                            )
                        } else {
                            "the DestinationRules for the host define no such subset".to_string()
                        }
                    ),
                )
                .label("no such subset")
                .on(o);
                for &id in &drs {
                    let dr = g.obj(id);
                    if let Spec::DestinationRule(r) = &dr.spec {
                        let names: Vec<&str> = r.subsets.iter().map(|s| s.v.as_str()).collect();
                        diag = diag.related(
                            dr.name_span(),
                            format!(
                                "{} defines subsets: {}",
                                dr.key,
                                if names.is_empty() {
                                    "none".into()
                                } else {
                                    names.join(", ")
                                }
                            ),
                        );
                    }
                }
                out.push(diag.help("define the subset in a DestinationRule for the host, or route without `subset`; requests to an undefined subset fail with 503"));
            }
        }
    }
}
