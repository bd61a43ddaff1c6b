//! SEC406: an ExternalSecret that merges into a Secret nothing creates.

use crate::checks::{Check, Ctx};
use crate::diagnostic::Diagnostic;
use crate::graph::ProducerKind;
use crate::model::ObjKey;

pub struct Rule;

impl Check for Rule {
    fn id(&self) -> &'static str {
        "SEC406"
    }

    fn run(&self, cx: &Ctx, out: &mut Vec<Diagnostic>) {
        let g = cx.graph;
        for (o, es) in super::external_secrets(g.objects) {
            if es.creation_policy() != "Merge" {
                continue;
            }
            let target = super::target_name(o, es);
            let ns = &o.key.namespace;
            let created = g
                .producers
                .get(ns, target)
                .iter()
                .any(|p| p.kind != ProducerKind::ExternalSecretMerge)
                || g.is_external(&ObjKey::new("", "Secret", ns, target));
            if created {
                continue;
            }
            let Some(span) = es.creation_policy.as_ref().map(|c| c.span) else {
                continue;
            };
            out.push(
                Diagnostic::new(
                    self.id(),
                    span,
                    format!("{}: creationPolicy Merge needs an existing Secret {ns}/{target}, but nothing in the repository creates it; the sync fails", o.key),
                )
                .label("merges into a Secret nobody creates")
                .help("use creationPolicy Owner (or CreateOrMerge), add the Secret, or declare it under `externals.secrets`")
                .on(o),
            );
        }
    }
}
