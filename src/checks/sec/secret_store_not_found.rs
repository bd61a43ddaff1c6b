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
                if stores.is_empty() {
                    if let Some(f) = cluster_kind_fix(cx, from, r.span) {
                        d = d.fix(f);
                    }
                }
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

/// `kind: ClusterSecretStore` on the store reference whose name is at `name`, when only a
/// ClusterSecretStore of that name exists (no SecretStore anywhere): what it can only have
/// meant. Safe.
fn cluster_kind_fix(
    cx: &Ctx,
    from: &crate::model::Object,
    name: crate::source::Span,
) -> Option<crate::fix::Fix> {
    use crate::model::Spec;
    let refs: Vec<&crate::model::eso::StoreRef> = match &from.spec {
        Spec::ExternalSecret(es) => es.store_refs().collect(),
        Spec::ClusterExternalSecret(ces) => ces.spec.as_ref()?.store_refs().collect(),
        Spec::PushSecret(ps) => ps.store_refs.iter().collect(),
        _ => return None,
    };
    let sr = refs
        .into_iter()
        .find(|sr| sr.name.as_ref().is_some_and(|n| n.span == name))?;
    let text = cx.text(from.file);
    let edit = match &sr.kind {
        Some(k) => crate::fix::text::replace_scalar(text, k.span, "ClusterSecretStore")?,
        None => {
            let key = crate::fix::text::key_before(text, name, "name")?;
            crate::fix::text::insert_line_after_key(text, key, "kind: ClusterSecretStore")?
        }
    };
    Some(crate::fix::Fix::safe(
        "Set `kind: ClusterSecretStore` on the store reference",
        vec![edit],
    ))
}
