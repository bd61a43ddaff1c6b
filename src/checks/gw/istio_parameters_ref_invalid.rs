//! GW124: an Istio Gateway whose `spec.infrastructure.parametersRef` is not a local ConfigMap.

use crate::checks::{Check, Ctx};
use crate::diagnostic::Diagnostic;
use crate::graph::attach;
use crate::model::Spec;

pub struct Rule;

impl Check for Rule {
    fn id(&self) -> &'static str {
        "GW124"
    }

    fn run(&self, cx: &Ctx, out: &mut Vec<Diagnostic>) {
        let g = cx.graph;
        for o in g.objects {
            let Spec::Gateway(gw) = &o.spec else { continue };
            let Some(pr) = &gw.infrastructure.parameters_ref else {
                continue;
            };
            if !attach::is_istio(g, o) {
                continue;
            }
            let group = pr.group_or("");
            let kind = pr.kind_or("");
            let name = pr.name.as_ref().map(|n| n.v.as_str()).unwrap_or("");
            let message = if !(group.is_empty() && kind == "ConfigMap") {
                format!(
                    "{}: Istio accepts only a core ConfigMap as infrastructure.parametersRef, not {}{}",
                    o.key,
                    if group.is_empty() {
                        String::new()
                    } else {
                        format!("{group}/")
                    },
                    kind
                )
            } else if !g.config_map_exists(&o.key.namespace, name) {
                format!(
                    "{}: infrastructure.parametersRef ConfigMap {}/{} does not exist",
                    o.key, o.key.namespace, name
                )
            } else {
                continue;
            };
            out.push(
                Diagnostic::new(self.id(), pr.span, message)
                    .label("invalid parametersRef")
                    .help("point it at a ConfigMap (group \"\", kind ConfigMap) in the Gateway's namespace holding the deployment overrides")
                    .on(o),
            );
        }
    }
}
