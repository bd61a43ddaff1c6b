//! SEC402: an ExternalSecret's store reference names no SecretStore or ClusterSecretStore.

use crate::checks::{Check, Ctx};
use crate::diagnostic::Diagnostic;
use crate::graph::{RefKind, Resolution};
use crate::model::ESO_GROUP;

pub struct Rule;

impl Check for Rule {
    fn id(&self) -> &'static str {
        "SEC402"
    }

    fn run(&self, cx: &Ctx, out: &mut Vec<Diagnostic>) {
        for r in &cx.graph.refs {
            if r.kind != RefKind::SecretStoreRef || r.resolution != Resolution::Missing {
                continue;
            }
            let from = cx.obj(r.from);
            let t = &r.target;
            let target = if t.kind == "SecretStore" {
                format!("SecretStore {}/{}", t.namespace, t.name)
            } else {
                format!("ClusterSecretStore {}", t.name)
            };
            let mut d = Diagnostic::new(
                self.id(),
                r.span,
                format!("{}: {target} does not exist", from.key),
            )
            .label(format!("no {} named `{}`", t.kind, t.name))
            .on(from);
            let stores = cx.graph.same_name(ESO_GROUP, "SecretStore", &t.name);
            let cluster = cx.graph.same_name(ESO_GROUP, "ClusterSecretStore", &t.name);
            if t.kind == "SecretStore" && !cluster.is_empty() {
                d = d
                    .related(cx.obj(cluster[0]).name_span(), format!("ClusterSecretStore `{}` is defined here", t.name))
                    .help("set `kind: ClusterSecretStore` on the store reference (the default kind is SecretStore)");
            } else if t.kind == "SecretStore" && !stores.is_empty() {
                let other = cx.obj(stores[0]);
                d = d
                    .related(other.name_span(), format!("SecretStore `{}` exists in namespace `{}`", t.name, other.key.namespace))
                    .help(format!(
                        "a SecretStore only serves ExternalSecrets in its own namespace: create it in `{}` or use a ClusterSecretStore",
                        t.namespace
                    ));
            } else {
                d = d.help(format!(
                    "add the {} to the repository or declare it under `externals.{}` in .gwlint.yaml",
                    t.kind,
                    if t.kind == "SecretStore" { "secretStores" } else { "clusterSecretStores" }
                ));
            }
            out.push(d);
        }
    }
}
