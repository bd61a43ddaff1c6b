//! DNS zones, records and the load balancers of Istio-managed Gateways (domain §2.9, §6), built
//! once per run. Zones from every source — Azure Service Operator manifests, external-dns domain
//! filters and `.gwlint.yaml` — share one suffix index, so a hostname finds its most specific
//! zone in one lookup per label.

use crate::source::Text;
use foldhash::{HashMap, HashMapExt};

use super::attach::{self, ListenerId};
use super::{Graph, ObjId};
use crate::config::Config;
use crate::model::dns::{AsoOwner, ExternalDnsArgs};
use crate::model::{ASO_NETWORK_GROUP, ObjKey, Object, Spec};
use crate::source::{Sp, Span};

/// Who can resolve a zone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Visibility {
    /// Azure Private DNS: only linked virtual networks.
    Private,
    Public,
    /// A domain filter of a provider whose zone type gwlint does not know.
    Unknown,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ZoneSource {
    /// A `PrivateDnsZone` or `DnsZone` manifest.
    Aso(ObjId),
    /// `dns.privateZones` / `dns.publicZones`.
    Config,
    /// `--domain-filter` of an external-dns container.
    DomainFilter { obj: ObjId, span: Span },
}

#[derive(Clone, Debug)]
pub struct Zone {
    /// Lower-case, without a trailing dot.
    pub name: String,
    pub visibility: Visibility,
    pub source: ZoneSource,
}

impl Zone {
    /// Where the zone is declared, for related locations.
    pub fn span(&self, g: &Graph) -> Option<Span> {
        match &self.source {
            ZoneSource::Aso(id) => Some(aso_name_span(g.obj(*id))),
            ZoneSource::DomainFilter { span, .. } => Some(*span),
            ZoneSource::Config => None,
        }
    }

    /// How a message names where the zone comes from.
    pub fn origin(&self, g: &Graph) -> String {
        match &self.source {
            ZoneSource::Aso(id) => format!("{}", g.obj(*id).key),
            ZoneSource::Config => "`dns` in .gwlint.yaml".into(),
            ZoneSource::DomainFilter { obj, .. } => {
                format!("the --domain-filter of {}", g.obj(*obj).key)
            }
        }
    }
}

/// `spec.azureName` when set, else `metadata.name`.
pub fn aso_name_span(o: &Object) -> Span {
    let azure = match &o.spec {
        Spec::DnsZone(z) => z.azure_name.as_ref(),
        Spec::DnsRecord(r) => r.azure_name.as_ref(),
        _ => None,
    };
    azure.map(|a| a.span).unwrap_or(o.name_span())
}

fn normalise(name: &str) -> String {
    name.trim_start_matches("*.")
        .trim_start_matches('.')
        .trim_end_matches('.')
        .to_ascii_lowercase()
}

/// A hostname gwlint cannot place in DNS: a Flux variable nobody defined.
fn unknown(name: &str) -> bool {
    crate::model::read::unresolved(name)
}

/// An A (or other) record set: an ASO record or a `DNSEndpoint` endpoint.
#[derive(Clone, Debug)]
pub struct Record<'m> {
    pub obj: ObjId,
    /// The full name, when the zone is known.
    pub fqdn: Option<String>,
    pub record_type: &'m str,
    /// IPv4 targets as written.
    pub ipv4: Vec<&'m Sp<Text>>,
    /// The record's name field (azureName / metadata.name / dnsName).
    pub name_span: Span,
}

/// The Service Istio generates for a Gateway (R2.9), as far as the manifests tell.
#[derive(Clone, Debug)]
pub struct GatewayLb<'m> {
    pub gateway: ObjId,
    /// False when `spec.addresses` names an existing Service (a Hostname, or several
    /// addresses): Istio creates nothing, so no LB rule applies (R2.9.4).
    pub managed: bool,
    /// `networking.istio.io/service-type`, else the class default.
    pub service_type: String,
    /// The annotations Istio copies onto the Service (R2.9.2).
    pub effective: Vec<(&'m Sp<Text>, &'m Sp<Text>)>,
    /// `spec.infrastructure.annotations` is set, so metadata annotations are not copied.
    pub from_infrastructure: bool,
    pub internal: bool,
    /// A single `spec.addresses` IPAddress, else `azure-load-balancer-ipv4`.
    pub requested_ip: Option<&'m Sp<Text>>,
}

pub const LB_INTERNAL: &str = "service.beta.kubernetes.io/azure-load-balancer-internal";
pub const LB_INTERNAL_SUBNET: &str =
    "service.beta.kubernetes.io/azure-load-balancer-internal-subnet";
pub const LB_IPV4: &str = "service.beta.kubernetes.io/azure-load-balancer-ipv4";
pub const SERVICE_TYPE: &str = "networking.istio.io/service-type";

impl GatewayLb<'_> {
    pub fn effective(&self, key: &str) -> Option<&Sp<Text>> {
        self.effective
            .iter()
            .find(|(k, _)| k.v == key)
            .map(|(_, v)| *v)
    }

    pub fn is_load_balancer(&self) -> bool {
        self.managed && self.service_type == "LoadBalancer"
    }
}

/// A hostname a Gateway serves or is asked to serve, and where it is written.
#[derive(Clone, Debug)]
pub struct Served {
    pub name: String,
    pub span: Span,
    /// The object the span is in (the Gateway, ListenerSet or route).
    pub obj: ObjId,
}

#[derive(Default)]
pub struct Dns<'m> {
    pub zones: Vec<Zone>,
    by_name: HashMap<String, Vec<usize>>,
    /// ASO zone objects by (namespace, metadata.name) → index in `zones`.
    aso_zones: HashMap<(&'m str, &'m str), usize>,
    pub records: Vec<Record<'m>>,
    pub lbs: HashMap<ObjId, GatewayLb<'m>>,
    /// Per Gateway: listener hostnames, and route hostnames intersected with them (R2.4.3),
    /// of routes accepted or rejected only for their namespace (GW104 reports that).
    pub served: HashMap<ObjId, Vec<Served>>,
    /// Per Gateway: the listener hostnames of it and its ListenerSets.
    listener_patterns: HashMap<ObjId, Patterns>,
    /// Gateways (with where the name is written) by served precise hostname, and by the suffix
    /// of a served wildcard.
    exact: HashMap<String, Vec<(ObjId, Span)>>,
    wildcard: HashMap<String, Vec<(ObjId, Span)>>,
    /// Gateways by requested IP.
    pub by_ip: HashMap<&'m str, Vec<ObjId>>,
    pub external_dns: Vec<(ObjId, &'m ExternalDnsArgs)>,
}

impl<'m> Dns<'m> {
    /// Zones, records and load balancers: they read only the objects and the index, so they
    /// are built while references are collected. `collect_served` completes the model once
    /// attachments are known.
    pub fn base(g: &Graph<'m>, cfg: &Config) -> Dns<'m> {
        let mut d = Dns::default();
        for z in &cfg.private_zones {
            d.add_zone(z, Visibility::Private, ZoneSource::Config);
        }
        for z in &cfg.public_zones {
            d.add_zone(z, Visibility::Public, ZoneSource::Config);
        }
        for (id, o) in g.objects.iter().enumerate() {
            match &o.spec {
                Spec::DnsZone(z) => {
                    let name = z
                        .azure_name
                        .as_ref()
                        .map(|n| n.v.as_str())
                        .unwrap_or(&o.key.name);
                    let vis = if z.private {
                        Visibility::Private
                    } else {
                        Visibility::Public
                    };
                    let zi = d.add_zone(name, vis, ZoneSource::Aso(id));
                    d.aso_zones
                        .entry((o.key.namespace.as_str(), o.key.name.as_str()))
                        .or_insert(zi);
                }
                Spec::Workload(w) => {
                    for args in &w.external_dns {
                        d.external_dns.push((id, args));
                        let vis = match args.provider.as_ref().map(|p| p.v.as_str()) {
                            Some("azure-private-dns") => Visibility::Private,
                            Some("azure") => Visibility::Public,
                            _ => Visibility::Unknown,
                        };
                        // With --zone-name-filter the zones are those; --domain-filter then
                        // filters record names.
                        let zones = if args.zone_name_filters.is_empty() {
                            &args.domain_filters
                        } else {
                            &args.zone_name_filters
                        };
                        for f in zones {
                            // One flag may list several domains, comma-separated.
                            for part in f.v.split(',').filter(|p| !p.trim().is_empty()) {
                                d.add_zone(
                                    part.trim(),
                                    vis,
                                    ZoneSource::DomainFilter {
                                        obj: id,
                                        span: f.span,
                                    },
                                );
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        for (id, o) in g.objects.iter().enumerate() {
            match &o.spec {
                Spec::DnsRecord(r) => {
                    let zone = r
                        .owner
                        .as_ref()
                        .and_then(|ow| d.owner_zone(o, ow, r.private));
                    let rel = r
                        .azure_name
                        .as_ref()
                        .map(|n| n.v.as_str())
                        .unwrap_or(&o.key.name);
                    let fqdn = zone.map(|z| {
                        if rel == "@" {
                            z.to_string()
                        } else {
                            format!("{}.{z}", rel.to_ascii_lowercase())
                        }
                    });
                    d.records.push(Record {
                        obj: id,
                        fqdn,
                        record_type: &r.record_type,
                        ipv4: r.ipv4.iter().collect(),
                        name_span: aso_name_span(o),
                    });
                }
                Spec::DnsEndpoint(e) => {
                    for ep in &e.endpoints {
                        let rt = ep.record_type.as_ref().map(|t| t.v.as_str()).unwrap_or("A");
                        d.records.push(Record {
                            obj: id,
                            fqdn: Some(normalise(&ep.dns_name.v)),
                            record_type: rt,
                            ipv4: if rt == "A" {
                                ep.targets.iter().collect()
                            } else {
                                Vec::new()
                            },
                            name_span: ep.dns_name.span,
                        });
                    }
                }
                Spec::Gateway(gw) if attach::is_istio(g, o) => {
                    let lb = gateway_lb(g, id, o, gw);
                    if let Some(ip) = lb.requested_ip.filter(|ip| !unknown(&ip.v)) {
                        d.by_ip.entry(ip.v.as_str()).or_default().push(id);
                    }
                    d.lbs.insert(id, lb);
                }
                _ => {}
            }
        }
        d
    }

    fn add_zone(&mut self, name: &str, visibility: Visibility, source: ZoneSource) -> usize {
        let name = normalise(name);
        let i = self.zones.len();
        self.by_name.entry(name.clone()).or_default().push(i);
        self.zones.push(Zone {
            name,
            visibility,
            source,
        });
        i
    }

    /// The zone name a record or link belongs to: its owner zone object in the same namespace,
    /// or the zone named in an ARM id.
    fn owner_zone(&self, o: &Object, owner: &AsoOwner, private: bool) -> Option<&str> {
        if let Some(name) = &owner.name {
            let zi = self
                .aso_zones
                .get(&(o.key.namespace.as_str(), name.v.as_str()))?;
            return Some(&self.zones[*zi].name);
        }
        let segment = if private {
            "privateDnsZones"
        } else {
            "dnsZones"
        };
        let zone = owner.arm_child(segment)?;
        self.by_name
            .get_key_value(&normalise(zone))
            .map(|(k, _)| k.as_str())
    }

    /// The ASO zone object an owner reference names in the object's namespace.
    pub fn aso_zone_object(&self, namespace: &str, name: &str) -> Option<ObjId> {
        let zi = self.aso_zones.get(&(namespace, name))?;
        match self.zones[*zi].source {
            ZoneSource::Aso(id) => Some(id),
            _ => None,
        }
    }

    pub fn has_zones(&self) -> bool {
        !self.zones.is_empty()
    }

    pub fn has_private(&self) -> bool {
        self.zones
            .iter()
            .any(|z| z.visibility == Visibility::Private)
    }

    /// The zones of the most specific zone name holding `name` (equal to it or a suffix of it
    /// at a label boundary). `None` for an unresolved variable too: it could be anywhere.
    pub fn most_specific(&self, name: &str) -> Option<Vec<&Zone>> {
        if unknown(name) {
            return None;
        }
        let name = normalise(name);
        let mut candidate = name.as_str();
        loop {
            if let Some(ids) = self.by_name.get(candidate) {
                return Some(ids.iter().map(|&i| &self.zones[i]).collect());
            }
            candidate = candidate.split_once('.')?.1;
        }
    }

    /// Whether `name` lies in some declared zone; unresolved variables lie anywhere.
    pub fn in_any_zone(&self, name: &str) -> bool {
        unknown(name) || self.most_specific(name).is_some()
    }

    /// The most specific zone of `name` when it is private and no public zone of that name
    /// exists (split-horizon names have both).
    pub fn private_only(&self, name: &str) -> Option<&Zone> {
        self.only(name, Visibility::Private, Visibility::Public)
    }

    pub fn public_only(&self, name: &str) -> Option<&Zone> {
        self.only(name, Visibility::Public, Visibility::Private)
    }

    fn only(&self, name: &str, want: Visibility, other: Visibility) -> Option<&Zone> {
        let zones = self.most_specific(name)?;
        if zones.iter().any(|z| z.visibility == other) {
            return None;
        }
        // Prefer a manifest over config over a filter, for the related location.
        zones
            .into_iter()
            .filter(|z| z.visibility == want)
            .min_by_key(|z| match z.source {
                ZoneSource::Aso(_) => 0,
                ZoneSource::Config => 1,
                ZoneSource::DomainFilter { .. } => 2,
            })
    }

    /// Gateways serving `fqdn` by a precise or wildcard hostname (not by a catch-all listener),
    /// each with one place the serving name is written (the precise one first).
    pub fn gateways_serving(&self, fqdn: &str) -> Vec<(ObjId, Span)> {
        let fqdn = fqdn.to_ascii_lowercase();
        let mut out: Vec<(ObjId, Span)> = self.exact.get(&fqdn).cloned().unwrap_or_default();
        let mut rest = fqdn.as_str();
        while let Some((_, suffix)) = rest.split_once('.') {
            out.extend(self.wildcard.get(suffix).into_iter().flatten().copied());
            rest = suffix;
        }
        // Stable: the first (most precise) place per Gateway survives.
        let mut seen = std::collections::HashSet::new();
        out.retain(|(gw, _)| seen.insert(*gw));
        out.sort_by_key(|(gw, _)| *gw);
        out
    }

    /// Whether some listener of the Gateway (or of its ListenerSets) admits `fqdn` (R2.4).
    pub fn admits(&self, gateway: ObjId, fqdn: &str) -> bool {
        self.listener_patterns
            .get(&gateway)
            .is_some_and(|p| p.admits(fqdn))
    }

    /// The names each Gateway serves: its listeners' hostnames and its accepted routes'.
    pub fn collect_served(&mut self, g: &Graph<'m>) {
        let mut served: HashMap<ObjId, Vec<Served>> = HashMap::new();
        for (id, o) in g.objects.iter().enumerate() {
            let Some(gw) = attach::gateway_of(g, id) else {
                continue;
            };
            for l in attach::listeners_of(o) {
                self.listener_patterns
                    .entry(gw)
                    .or_default()
                    .add(l.hostname.as_ref().map(|h| h.v.as_str()));
                if let Some(h) = &l.hostname {
                    served.entry(gw).or_default().push(Served {
                        name: h.v.as_str().to_ascii_lowercase(),
                        span: h.span,
                        obj: id,
                    });
                }
            }
        }
        for a in &g.attachments {
            let Spec::Route(route) = &g.obj(a.route).spec else {
                continue;
            };
            for v in &a.verdicts {
                // Rejected only for its namespace: the route still asks this Gateway to serve
                // the name, and GW104 reports the rejection itself.
                if !v.kind || v.hostnames.is_empty() {
                    continue;
                }
                let Some(gw) = attach::gateway_of(g, v.listener.owner) else {
                    continue;
                };
                let Some(l) = listener(g, v.listener) else {
                    continue;
                };
                let lh = l.hostname.as_ref().map(|h| h.v.as_str());
                let entry = served.entry(gw).or_default();
                for r in &route.hostnames {
                    if let Some(h) = super::hostname::intersect(lh, Some(&r.v)) {
                        entry.push(Served {
                            name: h,
                            span: r.span,
                            obj: a.route,
                        });
                    }
                }
            }
        }
        for (gw, list) in &mut served {
            list.retain(|s| s.name != "*");
            list.sort_by(|a, b| (&a.name, a.span).cmp(&(&b.name, b.span)));
            list.dedup_by(|a, b| a.name == b.name && a.span == b.span);
            // Kept until the end of the run: without the slack their growth left.
            list.shrink_to_fit();
            for s in list.iter() {
                if unknown(&s.name) {
                    continue;
                }
                match s.name.strip_prefix("*.") {
                    Some(suffix) => self.wildcard.entry(suffix.to_string()).or_default(),
                    None => self.exact.entry(s.name.clone()).or_default(),
                }
                .push((*gw, s.span));
            }
        }
        for v in self.exact.values_mut().chain(self.wildcard.values_mut()) {
            v.sort_unstable();
            v.dedup_by_key(|(gw, _)| *gw);
            v.shrink_to_fit();
        }
        self.served = served;
    }
}

/// Listener hostnames as lookups: a name is admitted in one probe per label (R2.4).
#[derive(Default)]
struct Patterns {
    /// A listener without hostname (or with an unresolved one) admits every name.
    any: bool,
    exact: std::collections::HashSet<String>,
    /// Suffixes of `*.suffix` listeners.
    wildcard: std::collections::HashSet<String>,
}

impl Patterns {
    fn add(&mut self, hostname: Option<&str>) {
        match hostname {
            None => self.any = true,
            Some(h) if unknown(h) => self.any = true,
            Some(h) => {
                let h = h.trim_end_matches('.').to_ascii_lowercase();
                match h.strip_prefix("*.") {
                    Some(suffix) => self.wildcard.insert(suffix.to_string()),
                    None => self.exact.insert(h),
                };
            }
        }
    }

    fn admits(&self, fqdn: &str) -> bool {
        if self.any {
            return true;
        }
        let fqdn = fqdn.trim_end_matches('.').to_ascii_lowercase();
        if self.exact.contains(&fqdn) {
            return true;
        }
        // A listener wildcard matches one or more labels, never the bare suffix.
        let mut rest = fqdn.as_str();
        while let Some((_, suffix)) = rest.split_once('.') {
            if self.wildcard.contains(suffix) {
                return true;
            }
            rest = suffix;
        }
        false
    }
}

fn listener<'m>(g: &Graph<'m>, id: ListenerId) -> Option<&'m crate::model::gateway::Listener> {
    attach::listeners_of(g.obj(id.owner)).get(id.index)
}

/// The Service type Istio gives a class when the Gateway does not say (R2.9.1).
fn default_service_type(g: &Graph, class: &str) -> &'static str {
    match class {
        "istio-waypoint" => "ClusterIP",
        _ => {
            let waypoint = g
                .get(&ObjKey::new(
                    crate::model::GATEWAY_GROUP,
                    "GatewayClass",
                    "",
                    class,
                ))
                .is_some_and(|id| match &g.obj(id).spec {
                    Spec::GatewayClass(c) => c
                        .controller_name
                        .as_ref()
                        .is_some_and(|n| n.v == "istio.io/mesh-controller"),
                    _ => false,
                });
            if waypoint {
                "ClusterIP"
            } else {
                "LoadBalancer"
            }
        }
    }
}

fn gateway_lb<'m>(
    g: &Graph<'m>,
    id: ObjId,
    o: &'m Object,
    gw: &'m crate::model::gateway::Gateway,
) -> GatewayLb<'m> {
    let class = gw
        .gateway_class_name
        .as_ref()
        .map(|c| c.v.as_str())
        .unwrap_or("");
    let from_infrastructure = gw.infrastructure.annotations_span.is_some();
    let effective: Vec<(&Sp<Text>, &Sp<Text>)> = if from_infrastructure {
        gw.infrastructure
            .annotations
            .iter()
            .filter(|(k, _)| !k.v.starts_with("gateway.networking.k8s.io/"))
            .map(|(k, v)| (k, v))
            .collect()
    } else {
        o.meta.annotations.iter().map(|(k, v)| (k, v)).collect()
    };
    let service_type = o
        .meta
        .annotation(SERVICE_TYPE)
        .map(|t| t.v.to_string())
        .unwrap_or_else(|| default_service_type(g, class).to_string());
    // `istio-remote` Gateways are deployed by another cluster's control plane.
    let managed = class != "istio-remote"
        && match gw.addresses.as_slice() {
            [] => true,
            [one] => one.is_ip(),
            _ => false,
        };
    let internal = effective
        .iter()
        .any(|(k, v)| k.v == LB_INTERNAL && v.v.eq_ignore_ascii_case("true"));
    let requested_ip = match gw.addresses.as_slice() {
        [one] if one.is_ip() => one.value.as_ref(),
        _ => None,
    }
    .or_else(|| {
        effective
            .iter()
            .find(|(k, _)| k.v == LB_IPV4)
            .map(|(_, v)| *v)
    });
    GatewayLb {
        gateway: id,
        managed,
        service_type,
        effective,
        from_infrastructure,
        internal,
        requested_ip,
    }
}

/// Whether an IPv4 address is in a private range a VNet can use (RFC 1918 and the shared
/// address space 100.64/10).
pub fn is_private_ipv4(ip: &std::net::Ipv4Addr) -> bool {
    let o = ip.octets();
    o[0] == 10
        || (o[0] == 172 && (16..32).contains(&o[1]))
        || (o[0] == 192 && o[1] == 168)
        || (o[0] == 100 && (64..128).contains(&o[1]))
}

/// The kind an ASO owner reference must name.
pub fn expected_owner_kind(o: &Object) -> Option<(&'static str, &'static str)> {
    if o.key.group != ASO_NETWORK_GROUP {
        return None;
    }
    match &o.spec {
        Spec::DnsZone(_) => Some(("resources.azure.com", "ResourceGroup")),
        Spec::DnsRecord(r) if r.private => Some((ASO_NETWORK_GROUP, "PrivateDnsZone")),
        Spec::DnsRecord(_) => Some((ASO_NETWORK_GROUP, "DnsZone")),
        Spec::VnetLink(_) => Some((ASO_NETWORK_GROUP, "PrivateDnsZone")),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_ranges() {
        for ip in [
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "100.64.0.1",
        ] {
            assert!(is_private_ipv4(&ip.parse().unwrap()), "{ip}");
        }
        for ip in ["172.32.0.1", "20.1.2.3", "100.128.0.1", "8.8.8.8"] {
            assert!(!is_private_ipv4(&ip.parse().unwrap()), "{ip}");
        }
    }

    #[test]
    fn most_specific_zone_wins() {
        let mut d = Dns::default();
        d.add_zone("example.com", Visibility::Public, ZoneSource::Config);
        d.add_zone(
            "internal.example.com.",
            Visibility::Private,
            ZoneSource::Config,
        );
        assert_eq!(
            d.private_only("app.internal.example.com")
                .map(|z| z.name.as_str()),
            Some("internal.example.com")
        );
        assert!(d.private_only("www.example.com").is_none());
        assert!(d.public_only("www.example.com").is_some());
        assert!(d.private_only("*.internal.example.com").is_some());
        assert!(d.most_specific("xinternal.example.org").is_none());
        assert!(d.in_any_zone("${HOST}"));
        d.add_zone(
            "internal.example.com",
            Visibility::Public,
            ZoneSource::Config,
        );
        assert!(d.private_only("app.internal.example.com").is_none());
    }

    #[test]
    fn listener_patterns_admit_like_gateway_api() {
        let mut p = Patterns::default();
        p.add(Some("*.example.com"));
        p.add(Some("app.example.org"));
        assert!(p.admits("a.b.example.com"));
        assert!(!p.admits("example.com"));
        assert!(p.admits("APP.example.org"));
        assert!(!p.admits("www.example.org"));
        p.add(None);
        assert!(p.admits("anything.test"));
    }
}
