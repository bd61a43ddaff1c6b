//! SEC401: two or more producers write the same Secret.

use crate::checks::{Check, Ctx};
use crate::diagnostic::Diagnostic;
use crate::graph::ProducerKind;
use crate::model::{CERT_MANAGER_GROUP, ObjKey, Spec};

pub struct Rule;

impl Check for Rule {
    fn id(&self) -> &'static str {
        "SEC401"
    }

    fn run(&self, cx: &Ctx, out: &mut Vec<Diagnostic>) {
        let g = cx.graph;
        for ((ns, name), list) in g.producers.iter_sorted() {
            let all: Vec<_> = crate::checks::tls::distinct(g, list)
                .into_iter()
                .filter(|p| match p.kind {
                    ProducerKind::ExternalSecretMerge => {
                        // creationPolicy None writes nothing; Merge writes into what exists.
                        matches!(&g.obj(p.obj).spec, Spec::ExternalSecret(es) if es.creation_policy() == "Merge")
                    }
                    ProducerKind::GatewayShim => g.get(&ObjKey::new(CERT_MANAGER_GROUP, "Certificate", ns, name)).is_none(),
                    // A manifest no Flux Kustomization deploys is applied once by hand (a
                    // bootstrap Secret that a controller then takes over).
                    ProducerKind::Manifest => g.by_hand.binary_search(&g.obj(p.obj).file).is_err(),
                    // Written once and handed over: not a writer on every reconcile.
                    ProducerKind::ExternalSecret => !matches!(&g.obj(p.obj).spec, Spec::ExternalSecret(es) if es.hands_over()),
                    _ => true,
                })
                .collect();
            for writers in g.cluster_groups(all, |p| p.obj) {
                if writers.len() < 2 {
                    continue;
                }
                // A Secret manifest with ExternalSecrets merging into it is the intended Merge pattern.
                let owners = writers
                    .iter()
                    .filter(|p| p.kind != ProducerKind::ExternalSecretMerge)
                    .count();
                let manifest_only = writers
                    .iter()
                    .filter(|p| p.kind != ProducerKind::ExternalSecretMerge)
                    .all(|p| p.kind == ProducerKind::Manifest);
                if owners <= 1 && manifest_only {
                    continue;
                }
                // Counted, not walked: a Secret may have hundreds of writers.
                let counts = crate::checks::tls::others_counts(&writers);
                for (p, &n_others) in writers.iter().zip(&counts) {
                    let o = g.obj(p.obj);
                    let what = match p.kind {
                        ProducerKind::GatewayShim => {
                            format!("the Certificate cert-manager generates from {}", o.key)
                        }
                        _ => o.key.to_string(),
                    };
                    let others = || writers.iter().filter(|q| q.span != p.span);
                    let mut d = Diagnostic::new(
                    self.id(),
                    p.span,
                    format!(
                        "Secret {ns}/{name} has several writers: {what} and {}; they overwrite each other's keys on every reconcile",
                        crate::checks::name_list_first(
                            others().map(|q| g.obj(q.obj).key.to_string()),
                            n_others
                        )
                    ),
                )
                .label("one of several writers of this Secret")
                .help("keep one producer per Secret: either cert-manager issues it, or External Secrets syncs it")
                .on(o);
                    d = d.related_first(others(), n_others, |q| {
                        (q.span, format!("also written by {}", g.obj(q.obj).key))
                    });
                    out.push(d);
                }
            }
        }
    }
}
