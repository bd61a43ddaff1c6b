//! DNS314: a Gateway's `istio.io/rev` names a control-plane revision that is not installed, so no
//! istiod programs it.

use crate::checks::{Check, Ctx};
use crate::diagnostic::Diagnostic;
use crate::graph::attach;
use crate::model::Spec;

pub struct Rule;

const REV: &str = "istio.io/rev";

/// Revisions installed by manifests in the repository, each with its file: IstioOperator
/// `spec.revision`, the `istio.io/rev` label of istiod Deployments (without one: the default
/// revision), and revision tags (the `istio.io/tag` label of the webhook a tag installs).
fn repo_revisions(cx: &Ctx) -> Vec<(String, crate::source::FileId)> {
    let mut out = Vec::new();
    for o in cx.graph.objects {
        match &o.spec {
            Spec::IstioOperator(op) => out.push((
                op.revision
                    .as_ref()
                    .map(|r| r.v.to_string())
                    .filter(|r| !r.is_empty())
                    .unwrap_or_else(|| "default".into()),
                o.file,
            )),
            Spec::Workload(_)
                if o.key.name.starts_with("istiod")
                    || o.meta.label("app").is_some_and(|a| a.v == "istiod") =>
            {
                out.push((
                    o.meta
                        .label(REV)
                        .map(|r| r.v.to_string())
                        .unwrap_or_else(|| "default".into()),
                    o.file,
                ))
            }
            _ if o.key.kind == "MutatingWebhookConfiguration" => {
                if let Some(tag) = o.meta.label("istio.io/tag") {
                    out.push((tag.v.to_string(), o.file));
                }
            }
            _ => {}
        }
    }
    out.sort();
    out.dedup();
    out
}

impl Check for Rule {
    fn id(&self) -> &'static str {
        "DNS314"
    }

    fn run(&self, cx: &Ctx, out: &mut Vec<Diagnostic>) {
        let configured = &cx.config.targets.istio_revisions;
        let aks = cx.config.aks_istio() && configured.is_empty();
        let found = if configured.is_empty() && !aks {
            repo_revisions(cx)
        } else {
            Vec::new()
        };
        if configured.is_empty() && !aks && found.is_empty() {
            return;
        }
        for o in cx.graph.objects {
            if !matches!(o.spec, Spec::Gateway(_)) || !attach::is_istio(cx.graph, o) {
                continue;
            }
            let Some(rev) = o.meta.label(REV) else {
                continue;
            };
            if crate::model::read::unresolved(&rev.v) {
                continue;
            }
            let (known, what) = if !configured.is_empty() {
                (
                    configured.iter().any(|c| *c == rev.v),
                    format!("`targets.istioRevisions` lists {}", configured.join(", ")),
                )
            } else if aks {
                (
                    crate::config::is_aks_istio_revision(&rev.v),
                    "the aks-istio profile's add-on revisions are `asm-1-<minor>`".to_string(),
                )
            } else {
                // Only what is installed with the Gateway tells: another example's or
                // another cluster's control plane is not this Gateway's.
                let mut here: Vec<&str> = found
                    .iter()
                    .filter(|(_, f)| !cx.graph.files_apart(o.file, *f))
                    .map(|(r, _)| r.as_str())
                    .collect();
                here.dedup();
                if here.is_empty() {
                    continue;
                }
                (
                    here.contains(&rev.v.as_str()),
                    format!("the repository installs {}", here.join(", ")),
                )
            };
            if known {
                continue;
            }
            out.push(
                Diagnostic::new(
                    self.id(),
                    rev.span,
                    format!(
                        "{}: `{REV}: {}` names no installed Istio revision ({what}); no control plane will program this Gateway",
                        o.key, rev.v
                    ),
                )
                .label("unknown revision")
                .help("use an installed revision (on AKS: `az aks show --query serviceMeshProfile.istio.revisions`), or list it under `targets.istioRevisions` in .gwlint.yaml")
                .on(o),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn aks_revisions() {
        use crate::config::is_aks_istio_revision as aks;
        assert!(aks("asm-1-26"));
        assert!(!aks("asm-1-"));
        assert!(!aks("1-26"));
        assert!(!aks("asm-1-26-canary"));
    }
}
