//! API503: a kind, version or field that only the experimental-channel CRDs of the target bundle
//! define, on a cluster that installs the standard channel only.

use super::served::{self, Status};
use crate::checks::{Check, Ctx};
use crate::config::Version;
use crate::diagnostic::Diagnostic;

pub struct Rule;

impl Check for Rule {
    fn id(&self) -> &'static str {
        "API503"
    }

    fn run(&self, cx: &Ctx, out: &mut Vec<Diagnostic>) {
        if !cx.config.standard_channel_only() {
            return;
        }
        let t = &cx.config.targets;
        let bundle = t.gateway_api;
        let why = if cx.config.aks_istio() {
            "profile aks-istio: AKS managed Gateway API CRDs"
        } else {
            "targets.gatewayAPIChannel: standard"
        };
        for (obj, v, version) in super::verdicts(cx) {
            if v.product != served::Product::GatewayApi {
                continue;
            }
            match v.status {
                Status::ExperimentalOnly => {
                    let help = super::use_instead(&v, cx, version)
                        .or_else(|| {
                            v.first_standard_bundle(t).map(|(b, standard)| {
                                format!("{} is in the standard channel from Gateway API {b} on, as {}/{standard}; until then it needs the experimental CRDs, which a standard-only cluster does not have", obj.key.kind, v.group)
                            })
                        })
                        .unwrap_or_else(|| {
                            let successor = if obj.key.kind == "XListenerSet" {
                                "; its standard successor is ListenerSet (gateway.networking.k8s.io/v1, bundle v1.5)"
                            } else {
                                ""
                            };
                            format!("{} needs the experimental CRDs, which a standard-only cluster does not have{successor}", obj.key.kind)
                        });
                    out.push(
                        Diagnostic::new(
                            self.id(),
                            obj.api_version.span,
                            format!(
                                "{}: {} {} exists only in the experimental channel of Gateway API {bundle}, and the cluster has the standard-channel CRDs only ({why}); the apply fails",
                                obj.key, obj.api_version.v, obj.key.kind
                            ),
                        )
                        .label("experimental channel only")
                        .help(help)
                        .on(obj),
                    );
                }
                Status::Served | Status::Deprecated => fields(self.id(), obj, bundle, why, out),
                Status::NotServed => {}
            }
        }
    }
}

fn fields(
    id: &'static str,
    obj: &crate::model::Object,
    bundle: Version,
    why: &str,
    out: &mut Vec<Diagnostic>,
) {
    let minor = match bundle.major {
        0 => 0,
        1 => bundle.minor.min(6) as u8,
        _ => 6,
    };
    for u in &obj.channel_fields {
        if !u.field.experimental_only_in(minor) {
            continue;
        }
        let help = match u.field.standard_from {
            Some(from) => format!(
                "remove it, or target a bundle whose standard channel has it (Gateway API v1.{from} or later, `targets.gatewayAPI`)"
            ),
            None => "remove it: no standard-channel bundle up to v1.6 defines it".to_string(),
        };
        out.push(
            Diagnostic::new(
                id,
                u.span,
                format!(
                    "{}: `{}` is defined only by the experimental-channel CRDs of Gateway API {bundle}, and the cluster has the standard-channel CRDs only ({why}); the field is pruned or rejected by the API server, depending on the client's field validation",
                    obj.key, u.field.path
                ),
            )
            .label("experimental-channel field")
            .help(help)
            .on(obj),
        );
    }
}
