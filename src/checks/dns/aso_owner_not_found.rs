//! DNS308: an Azure Service Operator DNS object whose `spec.owner.name` matches no object of the
//! owner kind in its namespace.

use std::collections::HashMap;

use crate::checks::{Check, Ctx};
use crate::diagnostic::Diagnostic;
use crate::graph::dns::expected_owner_kind;
use crate::model::{ObjKey, Spec};

pub struct Rule;

impl Check for Rule {
    fn id(&self) -> &'static str {
        "DNS308"
    }

    fn run(&self, cx: &Ctx, out: &mut Vec<Diagnostic>) {
        let g = cx.graph;
        // Zones by (kind, namespace, azureName): owner.name written as the Azure name.
        let mut by_azure_name: HashMap<(&str, &str, &str), usize> = HashMap::new();
        for (id, z) in g.objects.iter().enumerate() {
            if let Spec::DnsZone(dz) = &z.spec {
                if let Some(a) = &dz.azure_name {
                    by_azure_name
                        .entry((z.key.kind.as_str(), z.key.namespace.as_str(), a.v.as_str()))
                        .or_insert(id);
                }
            }
        }
        for o in g.objects {
            let Some((group, kind)) = expected_owner_kind(o) else {
                continue;
            };
            let owner = match &o.spec {
                Spec::DnsZone(z) => z.owner.as_ref(),
                Spec::DnsRecord(r) => r.owner.as_ref(),
                Spec::VnetLink(l) => l.owner.as_ref(),
                _ => None,
            };
            let Some(owner) = owner else { continue };
            let Some(name) = &owner.name else { continue };
            if owner.arm_id.is_some() || crate::model::read::unresolved(&name.v) {
                continue;
            }
            let key = ObjKey::new(group, kind, &o.key.namespace, &name.v);
            // An owner kind that never occurs in the input is managed elsewhere (another
            // repository applies the resource group): nothing to compare with.
            if g.get(&key).is_some() || !g.has_kind(group, kind) {
                continue;
            }
            let elsewhere = g.same_name(group, kind, &name.v);
            let azure_named = by_azure_name
                .get(&(kind, o.key.namespace.as_str(), name.v.as_str()))
                .map(|&id| g.obj(id));
            let mut d = Diagnostic::new(
                self.id(),
                owner.span,
                format!(
                    "{}: owner {kind} `{}` does not exist in namespace `{}`; Azure Service Operator only resolves owners in the object's own namespace",
                    o.key, name.v, o.key.namespace
                ),
            )
            .label("owner not found")
            .on(o);
            if let Some(z) = azure_named {
                d = d
                    .related(
                        z.name_span(),
                        format!("{} has azureName `{}`", z.key, name.v),
                    )
                    .help(format!(
                        "owner.name names the Kubernetes object: use `{}`",
                        z.key.name
                    ));
            } else if let Some(&other) = elsewhere.first() {
                let z = g.obj(other);
                d = d
                    .related(z.name_span(), format!("{} is in another namespace", z.key))
                    .help("move the object into its owner's namespace (cross-namespace owners are not supported), or use owner.armId");
            } else {
                d = d.help(format!("fix the name, add the {kind}, or use owner.armId for an Azure resource not managed in the cluster"));
            }
            out.push(d);
        }
    }
}
