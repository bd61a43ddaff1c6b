//! DNS307: an Azure Private DNS zone that no virtual network link points at.

use std::collections::HashSet;

use crate::checks::{Check, Ctx};
use crate::diagnostic::Diagnostic;
use crate::model::Spec;

pub struct Rule;

impl Check for Rule {
    fn id(&self) -> &'static str {
        "DNS307"
    }

    fn run(&self, cx: &Ctx, out: &mut Vec<Diagnostic>) {
        let g = cx.graph;
        let dns = &g.dns;
        let mut linked_objects = HashSet::new();
        let mut linked_names = HashSet::new();
        for o in g.objects {
            let Spec::VnetLink(link) = &o.spec else {
                continue;
            };
            let Some(owner) = &link.owner else { continue };
            if let Some(name) = &owner.name {
                if let Some(z) = dns.aso_zone_object(&o.key.namespace, &name.v) {
                    linked_objects.insert(z);
                }
            } else if let Some(zone) = owner.arm_child("privateDnsZones") {
                linked_names.insert(zone.trim_end_matches('.').to_ascii_lowercase());
            }
        }
        for (id, o) in g.objects.iter().enumerate() {
            let Spec::DnsZone(z) = &o.spec else { continue };
            if !z.private || linked_objects.contains(&id) {
                continue;
            }
            let name = z
                .azure_name
                .as_ref()
                .map(|n| n.v.as_str())
                .unwrap_or(&o.key.name);
            if crate::model::read::unresolved(name)
                || linked_names.contains(&name.trim_end_matches('.').to_ascii_lowercase())
            {
                continue;
            }
            out.push(
                Diagnostic::new(
                    self.id(),
                    o.name_span(),
                    format!(
                        "{}: the private zone `{name}` has no PrivateDnsZonesVirtualNetworkLink, so no virtual network resolves its names",
                        o.key
                    ),
                )
                .label("private zone without a VNet link")
                .help(format!("add a PrivateDnsZonesVirtualNetworkLink with `owner.name: {}` and the cluster's virtual network", o.key.name))
                .on(o),
            );
        }
    }
}
