//! TLS221: an azureDNS solver cert-manager rejects or cannot authenticate.

use crate::checks::{Check, Ctx};
use crate::diagnostic::Diagnostic;
use crate::model::Spec;
use crate::model::certmanager::SolverKind;

pub struct Rule;

const ENVIRONMENTS: &[&str] = &[
    "AzurePublicCloud",
    "AzureChinaCloud",
    "AzureGermanCloud",
    "AzureUSGovernmentCloud",
];

impl Check for Rule {
    fn id(&self) -> &'static str {
        "TLS221"
    }

    fn run(&self, cx: &Ctx, out: &mut Vec<Diagnostic>) {
        for o in cx.graph.objects {
            let Spec::Issuer(issuer) = &o.spec else {
                continue;
            };
            let Some(acme) = &issuer.acme else { continue };
            for s in &acme.solvers {
                let SolverKind::Dns01Azure(a) = &s.kind else {
                    continue;
                };
                let mut problems: Vec<(crate::source::Span, String)> = Vec::new();
                let mut missing = Vec::new();
                if a.subscription_id.is_none() {
                    missing.push("subscriptionID");
                }
                if a.resource_group_name.is_none() {
                    missing.push("resourceGroupName");
                }
                if !missing.is_empty() {
                    problems.push((
                        a.span,
                        format!("azureDNS requires {}", missing.join(" and ")),
                    ));
                }
                if let Some(env) = a
                    .environment
                    .as_ref()
                    .filter(|e| !ENVIRONMENTS.contains(&e.v.as_str()))
                {
                    problems.push((
                        env.span,
                        format!(
                            "environment `{}` is not one of {}",
                            env.v,
                            ENVIRONMENTS.join(", ")
                        ),
                    ));
                }
                let sp = [
                    a.client_id.is_some(),
                    a.client_secret_ref.is_some(),
                    a.tenant_id.is_some(),
                ];
                let sp_count = sp.iter().filter(|x| **x).count();
                if a.managed_identity.is_some() && sp_count > 0 {
                    problems.push((a.span, "service principal fields (clientID, clientSecretSecretRef, tenantID) and managedIdentity are mutually exclusive".into()));
                } else if sp_count > 0 && sp_count < 3 && a.managed_identity.is_none() {
                    problems.push((a.span, "service principal auth needs clientID, clientSecretSecretRef and tenantID together".into()));
                }
                for (span, why) in problems {
                    out.push(
                        Diagnostic::new(self.id(), span, format!("{}: {why}", o.key))
                            .label("invalid azureDNS configuration")
                            .help("use managedIdentity (or workload identity) with subscriptionID and resourceGroupName, or a complete service principal")
                            .on(o),
                    );
                }
            }
        }
    }
}
