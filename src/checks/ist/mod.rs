//! IST6xx: Istio's own networking APIs (`networking.istio.io` Gateway, VirtualService,
//! DestinationRule, ServiceEntry), resolved as Istio resolves them. Each rule's page names the
//! `istioctl analyze` message it corresponds to.

pub mod client_credential_not_found;
pub mod conflicting_gateways;
pub mod conflicting_mesh_hosts;
pub mod conflicting_serviceentry_protocol;
pub mod credential_invalid;
pub mod credential_not_found;
pub mod destination_host_not_found;
pub mod destination_port_not_found;
pub mod destination_port_required;
pub mod destinationrule_tls_without_ca;
pub mod duplicate_certificate;
pub mod gateway_api_crd_below_istio_minimum;
pub mod gateway_port_not_on_service;
pub mod gateway_selects_no_workload;
pub mod ingress_subset_not_applied;
pub mod internal_gateway_reference;
pub mod serviceentry_addresses_required;
pub mod subset_not_found;
pub mod virtualservice_host_not_in_gateway;

use crate::graph::{Graph, ObjId};
use crate::model::istio::{DestinationRule, IstioGateway, VirtualService};
use crate::model::{Object, Spec};
use crate::source::{Sp, Text};

pub fn gateways<'m>(g: &Graph<'m>) -> impl Iterator<Item = (ObjId, &'m Object, &'m IstioGateway)> {
    g.objects
        .iter()
        .enumerate()
        .filter_map(|(id, o)| match &o.spec {
            Spec::IstioGateway(gw) => Some((id, o, gw)),
            _ => None,
        })
}

pub fn virtual_services<'m>(
    g: &Graph<'m>,
) -> impl Iterator<Item = (ObjId, &'m Object, &'m VirtualService)> {
    g.objects
        .iter()
        .enumerate()
        .filter_map(|(id, o)| match &o.spec {
            Spec::VirtualService(vs) => Some((id, o, &**vs)),
            _ => None,
        })
}

pub fn destination_rules<'m>(
    g: &Graph<'m>,
) -> impl Iterator<Item = (ObjId, &'m Object, &'m DestinationRule)> {
    g.objects
        .iter()
        .enumerate()
        .filter_map(|(id, o)| match &o.spec {
            Spec::DestinationRule(dr) => Some((id, o, &**dr)),
            _ => None,
        })
}

/// `key=value,…` of a selector, as written.
pub fn selector_text(sel: &[(Sp<Text>, Sp<Text>)]) -> String {
    sel.iter()
        .map(|(k, v)| format!("{}={}", k.v, v.v))
        .collect::<Vec<_>>()
        .join(",")
}

/// Whether every label of `a` is in `b` (the pods `b` selects are among those `a` selects).
pub fn selector_subset(a: &[(Sp<Text>, Sp<Text>)], b: &[(Sp<Text>, Sp<Text>)]) -> bool {
    !a.is_empty()
        && a.iter()
            .all(|(k, v)| b.iter().any(|(bk, bv)| bk.v == k.v && bv.v == v.v))
}

/// For each VirtualService, the gateways its `gateways` entries resolve to (Istio Gateways or
/// Gateway API Gateways in the input), with the reference; built in one pass over the
/// references.
pub fn gateway_bindings<'g, 'm>(
    g: &'g Graph<'m>,
) -> foldhash::HashMap<ObjId, Vec<(ObjId, &'g crate::graph::Reference)>> {
    let mut out: foldhash::HashMap<ObjId, Vec<(ObjId, &crate::graph::Reference)>> =
        foldhash::HashMap::default();
    for r in &g.refs {
        if r.kind != crate::graph::RefKind::IstioGateway {
            continue;
        }
        if let crate::graph::Resolution::Object(t) = r.resolution {
            out.entry(r.from).or_default().push((t, r));
        }
    }
    out
}
