//! SEC408: Azure Key Vault workload identity with a ServiceAccount that is missing or unannotated.

use crate::checks::{Check, Ctx};
use crate::diagnostic::Diagnostic;
use crate::model::{ObjKey, Spec};

pub struct Rule;

impl Check for Rule {
    fn id(&self) -> &'static str {
        "SEC408"
    }

    fn run(&self, cx: &Ctx, out: &mut Vec<Diagnostic>) {
        let g = cx.graph;
        for o in g.objects {
            let Spec::SecretStore(s) = &o.spec else {
                continue;
            };
            let Some(kv) = &s.azurekv else { continue };
            if kv
                .auth_type
                .as_ref()
                .is_none_or(|a| a.v != "WorkloadIdentity")
            {
                continue;
            }
            let Some(sa) = &kv.service_account_ref else {
                continue;
            };
            let Some(name) = &sa.name else { continue };
            let ns = match (&sa.namespace, o.key.kind.as_str()) {
                (Some(n), "ClusterSecretStore") => n.v.clone(),
                (None, "ClusterSecretStore") => continue,
                _ => o.key.namespace.clone(),
            };
            let key = ObjKey::new("", "ServiceAccount", &ns, &name.v);
            if g.is_external(&key) {
                continue;
            }
            let message = match g.get(&key) {
                None => format!(
                    "{}: ServiceAccount {ns}/{} for workload identity is not in the repository (declare it under `externals.serviceAccounts` if a chart installs it)",
                    o.key, name.v
                ),
                Some(id) => {
                    let annotated = g
                        .obj(id)
                        .meta
                        .annotation("azure.workload.identity/client-id")
                        .is_some();
                    if annotated || kv.client_id_from_secret {
                        continue;
                    }
                    format!(
                        "{}: ServiceAccount {ns}/{} has no `azure.workload.identity/client-id` annotation and the store sets no clientId",
                        o.key, name.v
                    )
                }
            };
            out.push(
                Diagnostic::new(self.id(), name.span, message)
                    .label("workload identity cannot be used")
                    .help("create the ServiceAccount annotated with azure.workload.identity/client-id (the managed identity's client id)")
                    .on(o),
            );
        }
    }
}
