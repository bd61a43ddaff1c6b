//! Controller versions the repository installs itself. Which API versions are served depends on
//! the release of External Secrets Operator and cert-manager in the cluster; when the
//! configuration does not say, the release the repository's own Flux HelmReleases install is
//! the best witness (a repository on ESO 0.10 serves `external-secrets.io/v1beta1`, which the
//! default target no longer does).

use crate::config::{Channel, Config, Version};
use crate::model::{Object, Spec};

/// The configuration with the ESO and cert-manager targets the repository's HelmReleases pin,
/// where the configuration left them unset and every release of the chart agrees on one
/// `major.minor`. Notes say what was taken from where.
pub fn targets(cfg: &Config, objects: &[Object], notes: &mut Vec<String>) -> Option<Config> {
    // The few objects that can say what is installed, found in one pass over all of them.
    let objects: Vec<&Object> = objects
        .iter()
        .filter(|o| {
            matches!(
                o.spec,
                Spec::Kustomization(_) | Spec::HelmRelease(_) | Spec::ChartRepository(_)
            )
        })
        .collect();
    let mut out: Option<Config> = None;
    if !cfg.targets.gateway_api_set
        && let Some((bundle, channel, from)) = gateway_api_bundle(&objects)
    {
        let c = out.get_or_insert_with(|| cfg.clone());
        c.targets.gateway_api = bundle;
        c.targets.gateway_api_channel = channel.or(c.targets.gateway_api_channel);
        notes.push(format!("target Gateway API {bundle}: {from}"));
    }
    let want = [
        ("external-secrets", !cfg.targets.external_secrets_set),
        ("cert-manager", !cfg.targets.cert_manager_set),
    ];
    for (chart, wanted) in want {
        if !wanted {
            continue;
        }
        let versions: Vec<Option<Version>> = objects
            .iter()
            .filter_map(|o| match &o.spec {
                Spec::HelmRelease(h) if h.chart.as_deref() == Some(chart) => {
                    Some(h.chart_version.as_deref().and_then(exact))
                }
                _ => None,
            })
            .collect();
        let Some(Some(first)) = versions.first().copied() else {
            continue;
        };
        if versions.iter().any(|v| *v != Some(first)) {
            continue;
        }
        let c = out.get_or_insert_with(|| cfg.clone());
        match chart {
            "external-secrets" => c.targets.external_secrets = first,
            _ => c.targets.cert_manager = first,
        }
        notes.push(format!(
            "target {chart} {first}: the release the repository's HelmRelease installs"
        ));
    }
    out
}

type MajorMinor = (u32, u32);

/// The Gateway API bundle of Envoy Gateway's chart (`gateway-helm`), whose CRDs it installs,
/// by Envoy Gateway minor release (read from the chart's CRDs at each tag; experimental channel).
const ENVOY_GATEWAY_BUNDLES: &[(MajorMinor, MajorMinor)] = &[
    ((1, 0), (1, 0)),
    ((1, 1), (1, 1)),
    ((1, 2), (1, 2)),
    ((1, 3), (1, 2)),
    ((1, 4), (1, 3)),
    ((1, 5), (1, 3)),
    ((1, 6), (1, 4)),
    ((1, 7), (1, 4)),
    ((1, 8), (1, 5)),
    ((1, 9), (1, 6)),
];

/// The Gateway API bundle the repository installs, when every witness agrees on one: a
/// kustomization resource of a Gateway API release (`…/gateway-api/releases/download/v1.5.1/
/// experimental-install.yaml`, `…/gateway-api/config/crd?ref=v1.5.1`), or the exact version of
/// Envoy Gateway's chart (a HelmRelease of `gateway-helm`, or an OCIRepository of it). With the
/// channel when the witnesses say it, and what they are, for notes.
fn gateway_api_bundle(objects: &[&Object]) -> Option<(Version, Option<Channel>, String)> {
    let mut seen: Vec<(Version, Option<Channel>, &'static str)> = Vec::new();
    for o in objects {
        match &o.spec {
            Spec::Kustomization(k) => {
                seen.extend(
                    k.resources
                        .iter()
                        .filter_map(|r| release_url(r))
                        .map(|(v, c)| (v, Some(c), "a kustomization installs its release")),
                );
            }
            Spec::HelmRelease(h) if h.chart.as_deref() == Some("gateway-helm") => {
                seen.push((
                    envoy_gateway_bundle(h.chart_version.as_deref()?)?,
                    Some(Channel::Experimental),
                    "the Envoy Gateway chart the repository installs",
                ));
            }
            Spec::ChartRepository(r)
                if r.url
                    .as_deref()
                    .is_some_and(|u| u.trim_end_matches('/').ends_with("/gateway-helm")) =>
            {
                seen.push((
                    envoy_gateway_bundle(r.version.as_deref()?)?,
                    Some(Channel::Experimental),
                    "the Envoy Gateway chart the repository installs",
                ));
            }
            _ => {}
        }
    }
    let (v, c, from) = *seen.first()?;
    if seen.iter().any(|s| s.0 != v) {
        return None;
    }
    // A release URL says its channel; Envoy Gateway's chart is experimental. Disagreeing
    // witnesses say nothing about the channel.
    let channel = if seen.iter().all(|s| s.1 == c) {
        c
    } else {
        None
    };
    Some((v, channel, from.to_string()))
}

fn envoy_gateway_bundle(chart_version: &str) -> Option<Version> {
    let v = exact(chart_version)?;
    ENVOY_GATEWAY_BUNDLES
        .iter()
        .find(|((maj, min), _)| Version::new(*maj, *min) == v)
        .map(|(_, (maj, min))| Version::new(*maj, *min))
}

/// The bundle and channel of a Gateway API release URL in a kustomization's resources.
fn release_url(r: &str) -> Option<(Version, Channel)> {
    let rest = &r[r.find("kubernetes-sigs/gateway-api/")? + "kubernetes-sigs/gateway-api/".len()..];
    let channel = if rest.contains("experimental") {
        Channel::Experimental
    } else {
        Channel::Standard
    };
    let version = if let Some(after) = rest.strip_prefix("releases/download/") {
        after.split('/').next()?
    } else if rest.starts_with("config/crd") {
        rest.split(['?', '&'])
            .find_map(|p| p.strip_prefix("ref="))?
    } else {
        return None;
    };
    let v = exact(version)?;
    (Version::new(1, 0) <= v && v <= Version::new(1, 6)).then_some((v, channel))
}

/// `1.16.2`, `v0.10.7` → major.minor; a range (`>=1.0.0`, `1.x`) says nothing exact.
fn exact(v: &str) -> Option<Version> {
    let v = v.trim().strip_prefix('v').unwrap_or(v.trim());
    let mut parts = v.split('.');
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next()?.parse().ok()?;
    let rest = parts.next().unwrap_or("0");
    let patch = rest.split(['-', '+']).next().unwrap_or("");
    patch.parse::<u32>().ok()?;
    Some(Version::new(major, minor))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gateway_api_release_urls() {
        let v = |maj, min| Version::new(maj, min);
        assert_eq!(
            release_url(
                "https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.5.1/experimental-install.yaml"
            ),
            Some((v(1, 5), Channel::Experimental))
        );
        assert_eq!(
            release_url(
                "https://github.com/kubernetes-sigs/gateway-api/config/crd?timeout=120&ref=v1.4.1"
            ),
            Some((v(1, 4), Channel::Standard))
        );
        assert_eq!(release_url("../base"), None);
        assert_eq!(
            release_url(
                "https://github.com/kubernetes-sigs/gateway-api/releases/download/v0.8.0/standard-install.yaml"
            ),
            None
        );
        assert_eq!(envoy_gateway_bundle("1.8.3"), Some(v(1, 5)));
        assert_eq!(envoy_gateway_bundle("v1.9.0"), Some(v(1, 6)));
        assert_eq!(envoy_gateway_bundle("1.x"), None);
        assert_eq!(envoy_gateway_bundle("2.0.0"), None);
    }

    #[test]
    fn exact_versions_only() {
        assert_eq!(exact("0.10.7"), Some(Version::new(0, 10)));
        assert_eq!(exact("v1.16.2"), Some(Version::new(1, 16)));
        assert_eq!(exact("1.17.0-rc.1"), Some(Version::new(1, 17)));
        assert_eq!(exact(">=1.0.0"), None);
        assert_eq!(exact("1.x"), None);
        assert_eq!(exact("1.2.*"), None);
    }
}
