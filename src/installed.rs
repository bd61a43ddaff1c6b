//! Controller versions the repository installs itself. Which API versions are served depends on
//! the release of External Secrets Operator and cert-manager in the cluster; when the
//! configuration does not say, the release the repository's own Flux HelmReleases install is
//! the best witness (a repository on ESO 0.10 serves `external-secrets.io/v1beta1`, which the
//! default target no longer does).

use crate::config::{Config, Version};
use crate::model::{Object, Spec};

/// The configuration with the ESO and cert-manager targets the repository's HelmReleases pin,
/// where the configuration left them unset and every release of the chart agrees on one
/// `major.minor`. Notes say what was taken from where.
pub fn targets(cfg: &Config, objects: &[Object], notes: &mut Vec<String>) -> Option<Config> {
    let want = [
        ("external-secrets", !cfg.targets.external_secrets_set),
        ("cert-manager", !cfg.targets.cert_manager_set),
    ];
    let mut out: Option<Config> = None;
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
    fn exact_versions_only() {
        assert_eq!(exact("0.10.7"), Some(Version::new(0, 10)));
        assert_eq!(exact("v1.16.2"), Some(Version::new(1, 16)));
        assert_eq!(exact("1.17.0-rc.1"), Some(Version::new(1, 17)));
        assert_eq!(exact(">=1.0.0"), None);
        assert_eq!(exact("1.x"), None);
        assert_eq!(exact("1.2.*"), None);
    }
}
