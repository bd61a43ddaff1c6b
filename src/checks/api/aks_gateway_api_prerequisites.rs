//! API507: what the AKS Istio add-on needs before Gateway API objects of class `istio` work.

use crate::checks::{Check, Ctx};
use crate::diagnostic::Diagnostic;
use crate::model::{GATEWAY_GROUP, Spec};

pub struct Rule;

/// The add-on revision that brought Gateway API support, and the one that brought TLSRoute.
const GATEWAY_REVISION: u32 = 26;
const TLSROUTE_REVISION: u32 = 30;

impl Check for Rule {
    fn id(&self) -> &'static str {
        "API507"
    }

    fn run(&self, cx: &Ctx, out: &mut Vec<Diagnostic>) {
        if !cx.config.aks_istio() {
            return;
        }
        let revisions = &cx.config.targets.istio_revisions;
        for obj in cx.graph.objects {
            match &obj.spec {
                Spec::Gateway(gw) => {
                    let Some(class) = gw.gateway_class_name.as_ref().filter(|c| c.v == "istio")
                    else {
                        continue;
                    };
                    let Some(state) = requirement(revisions, GATEWAY_REVISION) else {
                        continue;
                    };
                    out.push(
                        Diagnostic::new(
                            self.id(),
                            class.span,
                            format!(
                                "{}: Gateway API on the AKS Istio add-on (class istio) needs add-on revision asm-1-{GATEWAY_REVISION} or later and the Managed Gateway API CRDs enabled on the cluster (standard channel only); {state}",
                                obj.key
                            ),
                        )
                        .label("served by the AKS Istio add-on")
                        .help("enable the Managed Gateway API CRDs on the cluster and run add-on revision asm-1-26 or later; list the installed revisions in `targets.istioRevisions` of .gwlint.yaml to check them")
                        .on(obj),
                    );
                }
                Spec::Route(_) if obj.key.group == GATEWAY_GROUP && obj.key.kind == "TLSRoute" => {
                    let Some(state) = requirement(revisions, TLSROUTE_REVISION) else {
                        continue;
                    };
                    out.push(
                        Diagnostic::new(
                            self.id(),
                            obj.kind_span,
                            format!(
                                "{}: the AKS Istio add-on serves TLSRoute from revision asm-1-{TLSROUTE_REVISION} on; {state}",
                                obj.key
                            ),
                        )
                        .label("needs asm-1-30 or later")
                        .help("run add-on revision asm-1-30 or later; list the installed revisions in `targets.istioRevisions` of .gwlint.yaml to check them")
                        .on(obj),
                    );
                }
                _ => {}
            }
        }
    }
}

/// What to say about the installed revisions, or `None` when all of them are new enough.
fn requirement(revisions: &[String], minimum: u32) -> Option<String> {
    if revisions.is_empty() {
        return Some(
            "the installed revisions are not configured (`targets.istioRevisions`)".into(),
        );
    }
    let old: Vec<&str> = revisions
        .iter()
        .filter(|r| revision_minor(r).is_none_or(|m| m < minimum))
        .map(String::as_str)
        .collect();
    if old.is_empty() {
        return None;
    }
    Some(format!(
        "configured revision{} {} {} older than asm-1-{minimum} or not of the form asm-1-NN",
        if old.len() == 1 { "" } else { "s" },
        old.join(", "),
        if old.len() == 1 { "is" } else { "are" }
    ))
}

/// `asm-1-26` → 26.
fn revision_minor(rev: &str) -> Option<u32> {
    rev.strip_prefix("asm-1-")?.parse().ok()
}
