//! IST617: a Gateway API CRD the repository installs is older than the Istio release it runs
//! accepts, so istiod ignores the CRD and every object of its kind.
//!
//! istiod's CRD watcher drops a Gateway API CRD whose `gateway.networking.k8s.io/bundle-version`
//! is below a per-kind minimum that grows with Istio releases. The table below is read from
//! istio/istio (`pkg/kube/kclient/crdwatcher.go` up to 1.29, `pkg/config/schema/gatewayapi`
//! from 1.30): a kind enters the table in the release that moved to a newer API version of it,
//! and a minimum never goes down.

use crate::checks::{Check, Ctx};
use crate::config::{Version, is_aks_istio_revision};
use crate::diagnostic::Diagnostic;
use crate::model::{GATEWAY_GROUP, Object, Spec};
use crate::source::Span;

pub struct Rule;

const BUNDLE_ANNOTATION: &str = "gateway.networking.k8s.io/bundle-version";

/// `(first Istio minor with the minimum, CRD name, minimum bundle)`.
const MINIMUMS: &[(u32, &str, Version)] = &[
    (22, "grpcroutes", Version::new(1, 1)),
    (28, "backendtlspolicies", Version::new(1, 4)),
    (30, "tlsroutes", Version::new(1, 5)),
    (31, "tcproutes", Version::new(1, 6)),
];

/// An Istio release the repository says it runs, and where it says so.
struct Witness<'m> {
    version: Version,
    what: String,
    at: Option<(&'m Object, Span)>,
}

impl Check for Rule {
    fn id(&self) -> &'static str {
        "IST617"
    }

    fn run(&self, cx: &Ctx, out: &mut Vec<Diagnostic>) {
        let g = cx.graph;
        let crds: Vec<&Object> = g
            .objects
            .iter()
            .filter(|o| matches!(&o.spec, Spec::Crd(c) if c.group == GATEWAY_GROUP))
            .collect();
        if crds.is_empty() {
            return;
        }
        // Every control plane must accept the CRD: the oldest release decides, so the finding
        // holds for each of them.
        let Some(istio) = witnesses(cx).into_iter().min_by_key(|w| w.version) else {
            return;
        };
        if istio.version.major != 1 {
            return;
        }
        for o in crds {
            let Some(plural) = o.key.name.strip_suffix(".gateway.networking.k8s.io") else {
                continue;
            };
            let Some(&(_, _, minimum)) = MINIMUMS
                .iter()
                .find(|(since, name, _)| *name == plural && istio.version.minor >= *since)
            else {
                continue;
            };
            // Without the annotation istiod ignores the CRD too, but says so in its own log;
            // istioctl stays silent there, and so does gwlint.
            let Some(bundle) = o.meta.annotation(BUNDLE_ANNOTATION) else {
                continue;
            };
            let Some(installed) = bundle_version(&bundle.v) else {
                continue;
            };
            if installed >= minimum {
                continue;
            }
            let mut d = Diagnostic::new(
                self.id(),
                bundle.span,
                format!(
                    "CRD {} is Gateway API bundle {} but Istio {}.{} ({}) accepts it from {minimum} on: istiod ignores the CRD, so no {} is processed (istioctl: IST0176)",
                    o.key.name,
                    bundle.v,
                    istio.version.major,
                    istio.version.minor,
                    istio.what,
                    crd_kind(o),
                ),
            )
            .label(format!("below {minimum}"))
            .help(format!(
                "install the Gateway API CRDs of bundle {minimum} or later (for every kind: bundles are released as a whole)"
            ))
            .on(o);
            if let Some((w, span)) = istio.at {
                d = d.related(span, format!("{}: Istio {}", w.key, istio.what));
            }
            out.push(d);
        }
    }
}

fn crd_kind(o: &Object) -> &str {
    match &o.spec {
        Spec::Crd(c) => c.kind.as_str(),
        _ => "",
    }
}

/// `v1.4.1`, `v1.5.0-rc.1` → major.minor (a pre-release counts as its release, as istiod reads
/// it); anything else is not a bundle version.
fn bundle_version(s: &str) -> Option<Version> {
    let s = s.trim().strip_prefix('v')?;
    let release = s.split(['-', '+']).next()?;
    let mut parts = release.split('.');
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next()?.parse().ok()?;
    parts.next()?.parse::<u32>().ok()?;
    parts.next().is_none().then_some(Version::new(major, minor))
}

/// `1.26.2`, `1.26.2-distroless`, `v1.26.2` → 1.26; a range or a floating tag says nothing.
fn release(s: &str) -> Option<Version> {
    let s = s.trim();
    let s = s.strip_prefix('v').unwrap_or(s);
    let release = s.split(['-', '+']).next()?;
    let mut parts = release.split('.');
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next()?.parse().ok()?;
    parts.next()?.parse::<u32>().ok()?;
    parts.next().is_none().then_some(Version::new(major, minor))
}

/// `asm-1-26` → 1.26.
fn aks_revision(rev: &str) -> Option<Version> {
    if !is_aks_istio_revision(rev) {
        return None;
    }
    let minor = rev.strip_prefix(crate::config::AKS_ISTIO_REVISION_PREFIX)?;
    Some(Version::new(1, minor.parse().ok()?))
}

/// The Istio releases the configuration and the repository pin: AKS add-on revisions
/// (`targets.istioRevisions`, `istio.io/rev` labels), Flux HelmReleases of the `istiod` chart
/// with an exact version, and IstioOperator `spec.tag`.
fn witnesses<'m>(cx: &Ctx<'_, 'm>) -> Vec<Witness<'m>> {
    let mut out = Vec::new();
    for rev in &cx.config.targets.istio_revisions {
        if let Some(version) = aks_revision(rev) {
            out.push(Witness {
                version,
                what: format!("AKS add-on revision {rev} in targets.istioRevisions"),
                at: None,
            });
        }
    }
    for o in cx.graph.objects {
        if let Some((_, v)) = o.meta.labels.iter().find(|(k, _)| k.v == "istio.io/rev")
            && let Some(version) = aks_revision(&v.v)
        {
            out.push(Witness {
                version,
                what: format!("AKS add-on revision {}", v.v),
                at: Some((o, v.span)),
            });
        }
        match &o.spec {
            Spec::HelmRelease(h) if h.chart.as_deref() == Some("istiod") => {
                if let Some(version) = h.chart_version.as_deref().and_then(release) {
                    out.push(Witness {
                        version,
                        what: format!("chart istiod {}", h.chart_version.as_deref().unwrap_or("")),
                        at: Some((o, o.name_span())),
                    });
                }
            }
            Spec::IstioOperator(op) => {
                if let Some(tag) = &op.tag
                    && let Some(version) = release(&tag.v)
                {
                    out.push(Witness {
                        version,
                        what: format!("IstioOperator tag {}", tag.v),
                        at: Some((o, tag.span)),
                    });
                }
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions() {
        assert_eq!(bundle_version("v1.4.1"), Some(Version::new(1, 4)));
        assert_eq!(bundle_version("v1.5.0-rc.1"), Some(Version::new(1, 5)));
        assert_eq!(bundle_version("1.5"), None);
        assert_eq!(release("1.26.2-distroless"), Some(Version::new(1, 26)));
        assert_eq!(release("1.26.x"), None);
        assert_eq!(release(">=1.26.0"), None);
        assert_eq!(aks_revision("asm-1-26"), Some(Version::new(1, 26)));
        assert_eq!(aks_revision("canary"), None);
    }

    #[test]
    fn minimums_only_grow() {
        for w in MINIMUMS.windows(2) {
            assert!(w[0].0 <= w[1].0);
        }
    }
}
