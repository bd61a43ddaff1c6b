//! DNS311: an external-dns annotation on a kind its Gateway API sources do not read it from:
//! `target` is read from Gateways, `hostname` and `ttl` from routes (domain §6.2).

use crate::checks::{Check, Ctx};
use crate::diagnostic::Diagnostic;
use crate::model::{GATEWAY_GROUP, Spec};

pub struct Rule;

impl Check for Rule {
    fn id(&self) -> &'static str {
        "DNS311"
    }

    fn run(&self, cx: &Ctx, out: &mut Vec<Diagnostic>) {
        // With `--annotation-filter=<prefix>target`, external-dns reads only the routes that
        // carry the annotation: there it selects the route, and is not without effect.
        let filters: Vec<&str> = cx
            .graph
            .objects
            .iter()
            .flat_map(|o| -> Box<dyn Iterator<Item = &str> + '_> {
                match &o.spec {
                    Spec::HelmRelease(h) => {
                        Box::new(h.annotation_filters.iter().map(String::as_str))
                    }
                    Spec::Workload(w) => Box::new(
                        w.external_dns
                            .iter()
                            .flat_map(|a| a.annotation_filters.iter().map(String::as_str)),
                    ),
                    _ => Box::new(std::iter::empty()),
                }
            })
            .collect();
        for o in cx.graph.objects {
            let route = o.is_route();
            let gateway = o.key.group == GATEWAY_GROUP && matches!(o.spec, Spec::Gateway(_));
            if !route && !gateway {
                continue;
            }
            for (k, _) in &o.meta.annotations {
                let Some((prefix, name)) = super::external_dns_annotation(&k.v) else {
                    continue;
                };
                let (why, help) = match name {
                    "target" if route && filters.iter().any(|f| f.contains(k.v.as_str())) => {
                        continue;
                    }
                    "target" if route => (
                        "external-dns reads `target` from the Gateway (or ListenerSet) the route attaches to, not from routes",
                        format!("move `{prefix}target` to the parent Gateway"),
                    ),
                    "hostname" | "ttl" if gateway => (
                        "external-dns reads `hostname` and `ttl` from routes; on a Gateway it is ignored",
                        format!(
                            "put `{prefix}{name}` on the routes (or set the hostnames in their spec.hostnames)"
                        ),
                    ),
                    _ => continue,
                };
                out.push(
                    Diagnostic::new(
                        self.id(),
                        k.span,
                        format!("{}: `{}` has no effect here: {why}", o.key, k.v),
                    )
                    .label("ignored by external-dns")
                    .help(help)
                    .on(o),
                );
            }
        }
    }
}
