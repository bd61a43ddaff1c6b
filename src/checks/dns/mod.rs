//! DNS3xx: zones, records, load balancers and external-dns (domain §6, §7.3). The zone index,
//! records, served hostnames and Gateway load balancers come from `graph::dns`.

pub mod aso_owner_not_found;
pub mod domain_filter_excludes_hostname;
pub mod external_dns_annotation_on_wrong_kind;
pub mod external_dns_annotation_prefix_mismatch;
pub mod hostname_in_no_declared_zone;
pub mod internal_subnet_without_internal_flag;
pub mod istio_revision_unknown;
pub mod lb_annotation_ignored_by_istio;
pub mod non_private_ip_in_private_zone;
pub mod private_zone_name_on_public_lb;
pub mod private_zone_without_vnet_link;
pub mod public_zone_name_on_internal_lb;
pub mod record_for_unserved_name;
pub mod record_targets_wrong_ip;

use crate::graph::ObjId;
use crate::graph::dns::{Dns, GatewayLb, Served, Zone};
use crate::model::Object;
use crate::model::Spec;
use crate::source::Span;

/// The annotation prefixes of external-dns: until v0.21, and from v0.22 (domain §6.3).
pub const PREFIX_ALPHA: &str = "external-dns.alpha.kubernetes.io/";
pub const PREFIX_V022: &str = "external-dns.kubernetes.io/";

/// The external-dns annotation name without its prefix (`hostname`), and the prefix.
pub fn external_dns_annotation(key: &str) -> Option<(&'static str, &str)> {
    if let Some(rest) = key.strip_prefix(PREFIX_ALPHA) {
        return Some((PREFIX_ALPHA, rest));
    }
    key.strip_prefix(PREFIX_V022)
        .map(|rest| (PREFIX_V022, rest))
}

/// Where a finding about a Gateway's generated Service points: `spec.infrastructure` (whose
/// annotations Istio copies) when there is one, else `gatewayClassName` (the class makes Istio
/// deploy the Service), else `spec`.
pub fn lb_span(o: &Object) -> Span {
    match &o.spec {
        Spec::Gateway(gw) => gw
            .infrastructure
            .span
            .or(gw.gateway_class_name.as_ref().map(|c| c.span))
            .unwrap_or(o.spec_span),
        _ => o.spec_span,
    }
}

/// Where the Service's annotations come from, for messages: "{lb_source} lack X".
pub fn lb_source(lb: &GatewayLb) -> &'static str {
    if lb.from_infrastructure {
        "spec.infrastructure.annotations, which Istio copies onto the Service,"
    } else {
        "the Gateway has no spec.infrastructure.annotations, and its metadata.annotations, which Istio copies instead,"
    }
}

/// Whether a hostname is a cluster-internal or single-label name no DNS zone would hold.
pub fn cluster_local(name: &str) -> bool {
    let n = name.trim_end_matches('.').to_ascii_lowercase();
    !n.contains('.')
        || n.ends_with(".local")
        || n.ends_with(".svc")
        || n.ends_with(".localhost")
        || crate::graph::hostname::is_ip(&n)
}

/// Each Gateway with a load balancer of the given kind (internal or public), with the first name
/// it serves that `zone_of` places in a zone: the inputs of DNS304 and DNS305.
pub fn lbs_serving<'g, 'm>(
    dns: &'g Dns<'m>,
    internal: bool,
    zone_of: impl Fn(&str) -> Option<&'g Zone>,
) -> Vec<(ObjId, &'g GatewayLb<'m>, &'g Served, &'g Zone)> {
    dns.lbs
        .iter()
        .filter(|(_, lb)| lb.is_load_balancer() && lb.internal == internal)
        .filter_map(|(gw, lb)| {
            let (s, zone) = dns
                .served
                .get(gw)?
                .iter()
                .find_map(|s| zone_of(&s.name).map(|z| (s, z)))?;
            Some((*gw, lb, s, zone))
        })
        .collect()
}
