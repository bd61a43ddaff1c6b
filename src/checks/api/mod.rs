//! API5xx: versions and schema. API505 type errors are raised by the model's reader.

pub mod aks_gateway_api_prerequisites;
pub mod api_version_not_served;
pub mod deprecated_api_version;
pub mod duplicate_object;
pub mod experimental_on_standard_channel;
pub mod istio_annotation_misplaced;
pub mod served;

pub const SCHEMA_VIOLATION: &str = "API505";

use crate::checks::Ctx;
use crate::model::{Object, Spec};

/// Objects whose `apiVersion` a served-version table knows, with the target's verdict and the
/// version as written.
pub(crate) fn verdicts<'m>(
    cx: &Ctx<'_, 'm>,
) -> impl Iterator<Item = (&'m Object, served::Verdict, &'m str)> {
    let targets = &cx.config.targets;
    cx.graph.objects.iter().filter_map(move |o| {
        let av = o.api_version.v.as_str();
        let v = served::lookup(av, &o.key.kind, targets)?;
        let version = av.rsplit_once('/').map(|(_, v)| v).unwrap_or(av);
        Some((o, v, version))
    })
}

/// Whether a CustomResourceDefinition in the input serves this version: the repository installs
/// its own CRDs, and they decide. Not for Gateway API under `profile: aks-istio`, where AKS manages
/// those CRDs and does not let a repository replace them.
pub(crate) fn crd_serves(
    cx: &Ctx,
    v: &served::Verdict,
    group: &str,
    kind: &str,
    version: &str,
) -> bool {
    if cx.config.aks_istio() && v.product == served::Product::GatewayApi {
        return false;
    }
    cx.graph.objects.iter().any(|o| match &o.spec {
        Spec::Crd(crd) => {
            crd.group == group
                && crd.kind == kind
                && crd.served_versions.iter().any(|v| v == version)
        }
        _ => false,
    })
}

/// `change apiVersion to …` for the version a kind should use, when there is one.
pub(crate) fn use_instead(v: &served::Verdict, cx: &Ctx, version: &str) -> Option<String> {
    let rec = v.recommended(&cx.config.targets)?;
    let note = if v.product == served::Product::ExternalSecrets && version == "v1beta1" {
        " (the fields are the same as in v1beta1)"
    } else if v.product == served::Product::CertManager {
        " (some fields moved in v1; `cmctl convert` rewrites old manifests)"
    } else if !v.in_standard_channel(rec, &cx.config.targets) {
        " (served by the experimental channel only)"
    } else {
        ""
    };
    Some(format!(
        "change it to `apiVersion: {}/{rec}`{note}",
        v.group
    ))
}

/// Pairs of (kind, from, to) whose schemas are the same: Gateway API served the beta and GA
/// versions of these kinds from one schema, and External Secrets' v1 kept v1beta1's fields.
/// Changing only the version of such an object changes nothing else: a safe fix.
fn same_schema(v: &served::Verdict, kind: &str, from: &str, to: &str) -> bool {
    match v.product {
        served::Product::GatewayApi => matches!(
            (kind, from, to),
            ("Gateway" | "GatewayClass" | "HTTPRoute", "v1beta1", "v1")
                | ("GRPCRoute", "v1alpha2", "v1")
                | ("ReferenceGrant", "v1alpha2", "v1beta1" | "v1")
        ),
        served::Product::ExternalSecrets => from == "v1beta1" && to == "v1",
        _ => false,
    }
}

/// The fix that sets the recommended served version: safe where the schemas are the same,
/// else unsafe (fields may have moved; the object must be checked against the new version).
pub(crate) fn version_fix(
    v: &served::Verdict,
    cx: &Ctx,
    obj: &Object,
    version: &str,
) -> Option<crate::fix::Fix> {
    let rec = v.recommended(&cx.config.targets)?;
    if !v.in_standard_channel(rec, &cx.config.targets)
        && v.in_standard_channel(version, &cx.config.targets)
    {
        return None;
    }
    let to = format!("{}/{rec}", v.group);
    let edit = crate::fix::text::replace_scalar(cx.text(obj.file), obj.api_version.span, &to)?;
    Some(if same_schema(v, &obj.key.kind, version, rec) {
        crate::fix::Fix::safe(
            format!("Change apiVersion to `{to}` (same schema)"),
            vec![edit],
        )
    } else {
        crate::fix::Fix::unsafe_(
            format!("Change apiVersion to `{to}` (check the fields against that version)"),
            vec![edit],
        )
    })
}
