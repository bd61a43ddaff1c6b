//! TLS212: two Certificates (explicit or generated from Gateway annotations) write one Secret.

use crate::checks::{Check, Ctx};
use crate::diagnostic::Diagnostic;
use crate::graph::ProducerKind;
use crate::model::{CERT_MANAGER_GROUP, ObjKey};

pub struct Rule;

impl Check for Rule {
    fn id(&self) -> &'static str {
        "TLS212"
    }

    fn run(&self, cx: &Ctx, out: &mut Vec<Diagnostic>) {
        let g = cx.graph;
        for ((ns, name), list) in g.producers.iter_sorted() {
            let all: Vec<_> = super::distinct(g, list)
                .into_iter()
                .filter(|p| match p.kind {
                    ProducerKind::Certificate => true,
                    // cert-manager leaves an existing Certificate of the generated name alone
                    // (TLS215), so the shim then writes nothing.
                    ProducerKind::GatewayShim => g
                        .get(&ObjKey::new(CERT_MANAGER_GROUP, "Certificate", ns, name))
                        .is_none(),
                    _ => false,
                })
                .collect();
            for certs in g.cluster_groups(all, |p| p.obj) {
                if certs.len() < 2 {
                    continue;
                }
                let counts = super::others_counts(&certs);
                for (p, &n_others) in certs.iter().zip(&counts) {
                    let o = g.obj(p.obj);
                    let what = if p.kind == ProducerKind::GatewayShim {
                        format!("the Certificate cert-manager generates from {}", o.key)
                    } else {
                        o.key.to_string()
                    };
                    let mut d = Diagnostic::new(
                    self.id(),
                    p.span,
                    format!(
                        "{what} writes Secret {ns}/{name}, which {} other Certificate{} also write{}; cert-manager issues for only one of them",
                        certs.len() - 1,
                        if certs.len() == 2 { "" } else { "s" },
                        if certs.len() == 2 { "s" } else { "" }
                    ),
                )
                .label("duplicate secretName")
                .help("give each Certificate its own secretName, or keep one Certificate")
                .on(o);
                    let others = certs.iter().filter(|q| q.span != p.span);
                    d = d.related_first(others, n_others, |other| {
                        (
                            other.span,
                            format!("also written by {}", g.obj(other.obj).key),
                        )
                    });
                    out.push(d);
                }
            }
        }
    }
}
