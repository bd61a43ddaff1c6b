//! API501: an `apiVersion` the target cluster does not serve; the apply fails.

use super::served::{self, Product, Status};
use crate::checks::{Check, Ctx};
use crate::diagnostic::Diagnostic;

pub struct Rule;

impl Check for Rule {
    fn id(&self) -> &'static str {
        "API501"
    }

    fn run(&self, cx: &Ctx, out: &mut Vec<Diagnostic>) {
        pre_v04_group(cx, out);
        let t = &cx.config.targets;
        for (obj, v, version) in super::verdicts(cx) {
            if v.status != Status::NotServed
                || super::crd_serves(cx, &v, v.group, &obj.key.kind, version)
            {
                continue;
            }
            let kind = &obj.key.kind;
            let target = served::target_label(v.product, t);
            let help = super::use_instead(&v, cx, version)
                .or_else(|| later_bundle(&v, cx, kind, version))
                .unwrap_or_else(|| format!("{target} serves no version of {kind}"));
            let fix = super::version_fix(&v, cx, obj, version);
            let d = Diagnostic::new(
                    self.id(),
                    obj.api_version.span,
                    format!(
                        "{}: {} is not served by {target}; served versions of {kind}: {}. The apply fails with \"no matches for kind\"",
                        obj.key,
                        obj.api_version.v,
                        v.served_list(t)
                    ),
                )
                .label("not served by the target version")
                .help(help)
                .on(obj);
            out.push(match fix {
                Some(f) => d.fix(f),
                None => d,
            });
        }
    }
}

/// For a Gateway API kind no served version of which exists yet: the bundle that brings it, and
/// the experimental stand-in where there is one.
fn later_bundle(v: &served::Verdict, cx: &Ctx, kind: &str, version: &str) -> Option<String> {
    if v.product != Product::GatewayApi {
        return None;
    }
    let t = &cx.config.targets;
    let stand_in = match kind {
        "ListenerSet" => {
            " (bundles v1.3 and v1.4 have the experimental XListenerSet, gateway.networking.x-k8s.io/v1alpha1)"
        }
        "XListenerSet" => " (from v1.5 on it is ListenerSet, gateway.networking.k8s.io/v1)",
        _ => "",
    };
    match v.first_bundle_serving(version, t) {
        Some(b) => Some(format!(
            "{kind} {version} needs Gateway API {b} or later{stand_in}; if the cluster has it, set `targets.gatewayAPI` in .gwlint.yaml"
        )),
        None if !stand_in.is_empty() => {
            Some(format!("{kind} {version} is not in this bundle{stand_in}"))
        }
        None => None,
    }
}

/// Objects of `networking.x-k8s.io`, Gateway API's group before v0.4.0: no release has served it
/// since 2021, unless the repository installs such a CRD itself.
fn pre_v04_group(cx: &Ctx, out: &mut Vec<Diagnostic>) {
    let group = served::GATEWAY_PRE_V04_GROUP;
    let installed = cx
        .graph
        .objects
        .iter()
        .any(|o| matches!(&o.spec, crate::model::Spec::Crd(c) if c.group == group));
    if installed {
        return;
    }
    for obj in cx.graph.objects.iter().filter(|o| o.key.group == group) {
        out.push(
            Diagnostic::new(
                "API501",
                obj.api_version.span,
                format!(
                    "{}: {} is not served: `{group}` is Gateway API's group before v0.4.0, which no release has served since 2021. The apply fails with \"no matches for kind\"",
                    obj.key, obj.api_version.v
                ),
            )
            .label("group served by no Gateway API release")
            .help("write `gateway.networking.k8s.io/v1` (the fields changed since v0.3: check the object against the current API)")
            .on(obj),
        );
    }
}
