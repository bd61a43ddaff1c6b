//! IST601: an Istio Gateway's `selector` matches no gateway workload the cluster runs.

use crate::checks::{Check, Ctx};
use crate::diagnostic::Diagnostic;
use crate::graph::istio::{AKS_ADDON_GATEWAY_NAMESPACE, AKS_ADDON_GATEWAYS, Selected};

pub struct Rule;

impl Check for Rule {
    fn id(&self) -> &'static str {
        "IST601"
    }

    fn run(&self, cx: &Ctx, out: &mut Vec<Diagnostic>) {
        let g = cx.graph;
        for (id, o, gw) in super::gateways(g) {
            if g.istio.selected.get(&id) != Some(&Selected::Nothing) {
                continue;
            }
            let span = gw.selector_span.unwrap_or(o.spec_span);
            let sel = super::selector_text(&gw.selector);
            let mut d = Diagnostic::new(
                self.id(),
                span,
                format!(
                    "{}: selector `{sel}` matches no gateway workload, so no proxy serves this Gateway (istioctl: IST0101 selector)",
                    o.key
                ),
            )
            .label("matches no gateway pods")
            .on(o);
            let upstream = gw
                .selector
                .iter()
                .any(|(k, v)| k.v == "istio" && v.v == "ingressgateway");
            d = if cx.config.aks_istio() && upstream {
                d.help(format!(
                    "the AKS Istio add-on's gateways are labelled `istio: {}` or `istio: {}` (in `{AKS_ADDON_GATEWAY_NAMESPACE}`); upstream's `istio: ingressgateway` matches nothing there",
                    AKS_ADDON_GATEWAYS[0], AKS_ADDON_GATEWAYS[1]
                ))
            } else {
                d.help("select the labels of a gateway Deployment's pods, or declare a gateway installed elsewhere under `externals.istioGatewayWorkloads` in .gwlint.yaml")
            };
            out.push(d);
        }
    }
}
