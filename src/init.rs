//! `gwlint init`: a starter `.gwlint.yaml` fitted to the repository it is written for.
//!
//! The repository is linted once with no configuration, and the commented starter is filled in
//! with what only the cluster can provide, so that `gwlint check` right after `gwlint init`
//! shows findings worth reading:
//! - `externals` for the references that an installed chart or operator satisfies, not a
//!   manifest: GatewayClasses, ClusterIssuers and ClusterSecretStores that are named but not
//!   defined (each listed with a comment saying why; nothing namespaced, such as a Service, is
//!   added, since a missing one is usually a real defect; nor a class one typo from, or a prefix
//!   of, a class the repository defines, which is a slip for it);
//! - `exclude` globs for directories that hold archived or test-fixture manifests, which are
//!   not deployed (`archive`, `old`, `deprecated`, `testdata`, `fixtures`, …);
//! - `externals.istioGatewayWorkloads` for the Istio Gateway selectors that no Deployment or Pod
//!   of the repository matches (their gateway pods are installed by a chart or the mesh
//!   installer); with the AKS add-on, whose gateways the profile knows, the upstream
//!   `istio: ingressgateway` selector is not proposed: the add-on does not run it (IST601);
//! - `profile: aks-istio` when the repository uses the AKS Istio add-on's ingress classes.

use std::collections::BTreeSet;
use std::path::Path;

use crate::graph::istio::{AKS_ADDON_GATEWAYS, Selected, opaque};
use crate::graph::{RefKind, Resolution};
use crate::model::{CERT_MANAGER_GROUP, ESO_GROUP, Spec};
use crate::{Options, config};

/// The commented starter, as `gwlint init` writes it for an empty repository.
pub const STARTER: &str = include_str!("starter-config.yaml");

/// What was learned from linting the repository.
#[derive(Debug, Default)]
pub struct Findings {
    pub gateway_classes: BTreeSet<String>,
    pub cluster_issuers: BTreeSet<String>,
    pub cluster_secret_stores: BTreeSet<String>,
    pub excludes: BTreeSet<String>,
    /// `namespace/label=value,…` for Istio Gateway selectors no workload in the repository
    /// matches.
    pub istio_gateway_workloads: BTreeSet<String>,
    pub aks_istio: bool,
}

/// Istio's default gateway labels: the installer runs these gateways in `istio-system`.
const UPSTREAM_GATEWAYS: &[&str] = &["ingressgateway", "egressgateway"];

/// The external gateway workload to propose for an Istio Gateway whose selector matches nothing
/// in the repository: the namespace of a Service of the repository that selects its pods
/// (`served_from`), else `istio-system` for Istio's default gateways, otherwise the Gateway's own (where the `gateway` chart is commonly installed beside it). `None` for the AKS
/// add-on's gateways (the profile knows them) and, on the add-on, for the upstream default,
/// which the add-on does not run.
fn proposed_workload(
    selector: &[(
        crate::source::Sp<crate::source::Text>,
        crate::source::Sp<crate::source::Text>,
    )],
    gateway_ns: &str,
    served_from: Option<&str>,
    aks_istio: bool,
) -> Option<String> {
    if selector.is_empty() || selector.iter().any(|(k, v)| opaque(&k.v) || opaque(&v.v)) {
        return None;
    }
    let istio = selector
        .iter()
        .find(|(k, _)| k.v == "istio")
        .map(|(_, v)| v.v.as_str());
    if istio.is_some_and(|v| AKS_ADDON_GATEWAYS.contains(&v)) {
        return None;
    }
    let upstream = selector.len() == 1 && istio.is_some_and(|v| UPSTREAM_GATEWAYS.contains(&v));
    if upstream && aks_istio {
        return None;
    }
    let ns = match served_from {
        Some(ns) => ns,
        None if upstream => "istio-system",
        None => gateway_ns,
    };
    let labels: Vec<String> = selector
        .iter()
        .map(|(k, v)| format!("{}={}", k.v, v.v))
        .collect();
    Some(format!("{ns}/{}", labels.join(",")))
}

/// Lints `dir` with no configuration and notes what the starter should say.
pub fn survey(dir: &Path) -> Findings {
    let opts = Options {
        paths: vec![dir.to_path_buf()],
        config: config::Config::default(),
        ..Options::default()
    };
    let (_, mut found) = crate::lint_then(&opts, None, |outcome, g| {
        let mut f = Findings::default();
        for r in &g.refs {
            if r.resolution != Resolution::Missing {
                continue;
            }
            let name = r.target.name.to_string();
            match (r.kind, r.target.group.as_str(), r.target.kind.as_str()) {
                (RefKind::GatewayClass, _, _) => {
                    f.gateway_classes.insert(name);
                }
                (RefKind::IssuerRef | RefKind::ShimIssuer, CERT_MANAGER_GROUP, "ClusterIssuer") => {
                    f.cluster_issuers.insert(name);
                }
                (RefKind::SecretStoreRef, ESO_GROUP, "ClusterSecretStore") => {
                    f.cluster_secret_stores.insert(name);
                }
                _ => {}
            }
        }
        // A missing class that a class of the repository extends (`envoy-ai-gateway` beside
        // `envoy-ai-gateway-basic`) or is one typo from is a mistake to show, not an installed
        // class to declare.
        let defined: Vec<&str> = g
            .objects
            .iter()
            .filter(|o| matches!(o.spec, Spec::GatewayClass(_)))
            .map(|o| o.key.name.as_str())
            .collect();
        f.gateway_classes
            .retain(|c| !resembles_a_defined_class(c, &defined));
        f.aks_istio = g.objects.iter().any(|o| {
            o.meta
                .labels
                .iter()
                .any(|(k, v)| k.v == "istio.io/rev" && v.v.starts_with("asm-"))
                || o.key.namespace == "aks-istio-ingress"
                || matches!(&o.spec, Spec::IstioGateway(gw) if gw.selector.iter().any(|(k, v)| k.v == "istio" && AKS_ADDON_GATEWAYS.contains(&v.v.as_str())))
        });
        // Services by each pair of their selectors, to find those that select a Gateway's pods.
        let mut services: std::collections::HashMap<(&str, &str), Vec<_>> =
            std::collections::HashMap::new();
        for s in g.objects {
            if let Spec::Service(svc) = &s.spec {
                for (k, v) in &svc.selector {
                    services
                        .entry((k.v.as_str(), v.v.as_str()))
                        .or_default()
                        .push((s, &svc.selector));
                }
            }
        }
        for (id, o) in g.objects.iter().enumerate() {
            let Spec::IstioGateway(gw) = &o.spec else {
                continue;
            };
            if g.istio.selected.get(&id) != Some(&Selected::Unknown) {
                continue;
            }
            // Test data (a typo on purpose, a golden output) is not what the cluster runs.
            let path = outcome.file(o.file).normalized_path();
            if crate::kustomize::in_test_data_dir(&path) {
                continue;
            }
            // A Service in the repository that selects the gateway pods says where they run:
            // a Service selects pods of its own namespace only.
            let served_from = gw.selector.first().and_then(|(k, v)| {
                services
                    .get(&(k.v.as_str(), v.v.as_str()))?
                    .iter()
                    .find(|(s, selector)| {
                        !g.files_apart(o.file, s.file)
                            && gw.selector.iter().all(|(k, v)| {
                                selector.iter().any(|(sk, sv)| sk.v == k.v && sv.v == v.v)
                            })
                    })
                    .map(|(s, _)| s.key.namespace.as_str())
            });
            if let Some(w) =
                proposed_workload(&gw.selector, &o.key.namespace, served_from, f.aks_istio)
            {
                f.istio_gateway_workloads.insert(w);
            }
        }
        f
    });
    found.excludes = not_deployed_dirs(dir);
    found
}

/// Whether the missing class `name` looks like a slip for one the repository defines: a defined
/// name that is `name` plus a `-suffix`, or one edit away.
fn resembles_a_defined_class(name: &str, defined: &[&str]) -> bool {
    defined.iter().any(|d| {
        d.strip_prefix(name)
            .is_some_and(|rest| rest.starts_with('-'))
    }) || crate::fix::nearest::nearest(defined.iter().copied(), name).is_some()
}

/// `**/<name>/**` for each not-deployed directory name that occurs under `dir` (bounded walk,
/// `.git` and `target` skipped).
fn not_deployed_dirs(dir: &Path) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut stack = vec![(dir.to_path_buf(), 0usize)];
    let mut seen = 0usize;
    while let Some((d, depth)) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.filter_map(Result::ok) {
            seen += 1;
            if seen > 200_000 {
                return out;
            }
            let Ok(ft) = e.file_type() else { continue };
            if !ft.is_dir() {
                continue;
            }
            let name = e.file_name().to_string_lossy().into_owned();
            if matches!(name.as_str(), ".git" | "target" | "node_modules") {
                continue;
            }
            // Test-data directories (`testdata`, `fixtures`, …) need no exclude: they are left
            // out by default, and an exclude would also hide the objects they define.
            if crate::kustomize::is_archive_name(&name) {
                out.insert(format!("**/{name}/**"));
                continue;
            }
            if depth < 12 {
                stack.push((e.path(), depth + 1));
            }
        }
    }
    out
}

/// YAML flow list of names. Only names of letters, digits, `-`, `.`, `_`, `/` and the glob `*`
/// are written (what Kubernetes names and the excludes use), quoted when YAML would read them as
/// something else; any other name could not be written safely and is left out.
fn list(items: &BTreeSet<String>) -> String {
    let quoted: Vec<String> = items
        .iter()
        .filter(|s| {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '/' | '*'))
        })
        .map(|s| {
            if s.chars().next().is_some_and(|c| c.is_ascii_alphabetic()) && !s.contains('*') {
                s.clone()
            } else {
                format!("\"{s}\"")
            }
        })
        .collect();
    format!("[{}]", quoted.join(", "))
}

/// YAML flow list of always-quoted entries, for values with `=` and `,` (gateway workloads).
/// Only entries of letters, digits and `-._/=,` are written.
fn quoted_list(items: &BTreeSet<String>) -> String {
    let quoted: Vec<String> = items
        .iter()
        .filter(|s| {
            !s.is_empty()
                && s.chars().all(|c| {
                    c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '/' | '=' | ',')
                })
        })
        .map(|s| format!("\"{s}\""))
        .collect();
    format!("[{}]", quoted.join(", "))
}

/// The starter with the survey's findings filled in.
pub fn starter(f: &Findings) -> String {
    let mut out = String::with_capacity(STARTER.len() + 512);
    for line in STARTER.lines() {
        let trimmed = line.trim_start();
        let replaced = if trimmed.starts_with("gatewayClasses: []") && !f.gateway_classes.is_empty()
        {
            Some(format!(
                "  gatewayClasses: {}   # named by Gateways, defined nowhere in the repository: installed with the implementation",
                list(&f.gateway_classes)
            ))
        } else if trimmed.starts_with("clusterIssuers: []") && !f.cluster_issuers.is_empty() {
            Some(format!(
                "  clusterIssuers: {}   # named by Certificates or Gateway annotations, created outside the repository",
                list(&f.cluster_issuers)
            ))
        } else if trimmed.starts_with("clusterSecretStores: []")
            && !f.cluster_secret_stores.is_empty()
        {
            Some(format!(
                "  clusterSecretStores: {}   # named by ExternalSecrets, created outside the repository",
                list(&f.cluster_secret_stores)
            ))
        } else if trimmed.starts_with("istioGatewayWorkloads: []")
            && !f.istio_gateway_workloads.is_empty()
        {
            Some(format!(
                "  istioGatewayWorkloads: {}   # selected by Istio Gateways, run by no Deployment or Pod in the repository (installed by a chart or istioctl); check the namespace: istio-system for Istio's default gateways, else the Gateway's own{}",
                quoted_list(&f.istio_gateway_workloads),
                if f.aks_istio {
                    "; the AKS add-on's gateways are known from profile: aks-istio"
                } else {
                    ""
                }
            ))
        } else if trimmed.starts_with("istioGatewayWorkloads: []") && f.aks_istio {
            Some(
                "  istioGatewayWorkloads: [] # the AKS add-on's ingress gateways (aks-istio-ingress) are known from profile: aks-istio; it does not run Istio's default istio=ingressgateway"
                    .to_string(),
            )
        } else if line.starts_with("exclude: []") && !f.excludes.is_empty() {
            Some(format!(
                "exclude: {}   # archived and test-fixture manifests, which nothing deploys",
                list(&f.excludes)
            ))
        } else if line.starts_with("# profile: aks-istio") && f.aks_istio {
            Some(format!(
                "{}   # (set: the repository uses the AKS Istio add-on)",
                line.trim_start_matches("# ")
            ))
        } else {
            None
        };
        out.push_str(replaced.as_deref().unwrap_or(line));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_empty_survey_writes_the_plain_starter() {
        assert_eq!(starter(&Findings::default()), STARTER);
    }

    #[test]
    fn findings_fill_the_starter_and_it_still_loads() {
        let f = Findings {
            gateway_classes: ["cilium".to_string()].into(),
            cluster_issuers: ["letsencrypt-prod".to_string()].into(),
            cluster_secret_stores: ["azure-kv".to_string()].into(),
            excludes: ["**/archive/**".to_string()].into(),
            istio_gateway_workloads: ["edge/app=edge-gw,istio=custom".to_string()].into(),
            aks_istio: true,
        };
        let text = starter(&f);
        assert!(text.contains("gatewayClasses: [cilium]"));
        assert!(text.contains("clusterIssuers: [letsencrypt-prod]"));
        assert!(text.contains("exclude: [\"**/archive/**\"]"));
        assert!(text.contains("\nprofile: aks-istio"));
        // A name that could not be written as plain YAML is left out, not mangled.
        let odd = ["ok".to_string(), "bad\u{1b}\"x".to_string()].into();
        assert_eq!(list(&odd), "[ok]");
        let dir = std::env::temp_dir().join(format!("gwlint-init-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join(".gwlint.yaml");
        std::fs::write(&p, &text).unwrap();
        let cfg = config::load(&p, &|n| crate::rules::find(n).map(|r| r.id));
        std::fs::remove_dir_all(&dir).ok();
        let cfg = cfg.expect("the filled starter loads");
        assert_eq!(cfg.externals.gateway_classes, ["cilium"]);
        assert_eq!(cfg.exclude, ["**/archive/**"]);
        assert_eq!(
            cfg.externals.istio_gateway_workloads,
            ["edge/app=edge-gw,istio=custom"]
        );
    }

    #[test]
    fn classes_like_defined_ones_are_slips() {
        let defined = ["envoy-ai-gateway-basic", "internal"];
        assert!(resembles_a_defined_class("envoy-ai-gateway", &defined));
        assert!(resembles_a_defined_class("internl", &defined));
        assert!(!resembles_a_defined_class("envoy-ai", &defined[1..]));
        assert!(!resembles_a_defined_class("envoy-ai-gatewa", &defined[..1]));
        assert!(!resembles_a_defined_class("eg", &defined));
    }

    #[test]
    fn gateway_workload_proposals() {
        let sel = |pairs: &[(&str, &str)]| -> Vec<(
            crate::source::Sp<crate::source::Text>,
            crate::source::Sp<crate::source::Text>,
        )> {
            pairs
                .iter()
                .map(|(k, v)| {
                    let span = crate::source::Span::default();
                    (
                        crate::source::Sp::new((*k).into(), span),
                        crate::source::Sp::new((*v).into(), span),
                    )
                })
                .collect()
        };
        let upstream = sel(&[("istio", "ingressgateway")]);
        assert_eq!(
            proposed_workload(&upstream, "shop", None, false).as_deref(),
            Some("istio-system/istio=ingressgateway")
        );
        // A Service of the repository that selects the pods says where they run.
        assert_eq!(
            proposed_workload(&upstream, "shop", Some("default"), false).as_deref(),
            Some("default/istio=ingressgateway")
        );
        // On the add-on the upstream gateway does not exist: proposing it would hide IST601.
        assert_eq!(proposed_workload(&upstream, "shop", None, true), None);
        let addon = sel(&[("istio", "aks-istio-ingressgateway-external")]);
        assert_eq!(proposed_workload(&addon, "shop", None, false), None);
        let own = sel(&[("app", "edge-gw"), ("istio", "ingressgateway")]);
        assert_eq!(
            proposed_workload(&own, "edge", None, true).as_deref(),
            Some("edge/app=edge-gw,istio=ingressgateway")
        );
        assert_eq!(
            proposed_workload(&sel(&[("app", "${GW}")]), "edge", None, false),
            None
        );
    }
}
