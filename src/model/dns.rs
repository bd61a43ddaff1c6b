//! DNS objects: Azure Service Operator zones, record sets and VNet links (domain §1.2, §6.1),
//! and external-dns `DNSEndpoint`s and Deployments (§6.2).

use super::read::Reader;
use crate::load::tree::{Node, Value};
use crate::source::Text;
use crate::source::{Sp, Span};

/// ASO `spec.owner`: a same-namespace object by name, or an Azure resource by ARM id.
#[derive(Clone, Debug)]
pub struct AsoOwner {
    pub name: Option<Sp<Text>>,
    pub arm_id: Option<Sp<Text>>,
    pub span: Span,
}

impl AsoOwner {
    fn read(r: &mut Reader, spec: &Node) -> Option<AsoOwner> {
        let o = r.map(spec, "owner")?;
        Some(AsoOwner {
            name: r.str(o, "name"),
            arm_id: r.str(o, "armId"),
            span: o.span,
        })
    }

    /// The last segment of an ARM id below `segment` (`…/privateDnsZones/<zone>`), matched
    /// case-insensitively as ARM does.
    pub fn arm_child(&self, segment: &str) -> Option<&str> {
        let id = self.arm_id.as_ref()?.v.trim_end_matches('/');
        let lower = id.to_ascii_lowercase();
        let needle = format!("/{}/", segment.to_ascii_lowercase());
        let at = lower.rfind(&needle)? + needle.len();
        let rest = &id[at..];
        (!rest.is_empty() && !rest.contains('/')).then_some(rest)
    }
}

#[derive(Clone, Debug)]
pub struct DnsZone {
    /// `spec.azureName`; the zone name is this, else `metadata.name`.
    pub azure_name: Option<Sp<Text>>,
    pub private: bool,
    pub owner: Option<AsoOwner>,
}

impl DnsZone {
    pub fn read(r: &mut Reader, spec: &Node, private: bool) -> Self {
        DnsZone {
            azure_name: r.str(spec, "azureName"),
            private,
            owner: AsoOwner::read(r, spec),
        }
    }
}

/// A record set: `PrivateDnsZones<T>Record` or `DnsZones<T>Record`.
#[derive(Clone, Debug)]
pub struct DnsRecord {
    /// Owned by a `PrivateDnsZone` (else a public `DnsZone`).
    pub private: bool,
    /// `A`, `AAAA`, `CNAME`, `MX`, `PTR`, `SRV`, `TXT`, `CAA`, `NS`.
    pub record_type: String,
    /// Relative name: `spec.azureName`, else `metadata.name`; `@` is the zone apex.
    pub azure_name: Option<Sp<Text>>,
    pub owner: Option<AsoOwner>,
    /// `aRecords[].ipv4Address` (`ARecords` in the public API) as written.
    pub ipv4: Vec<Sp<Text>>,
}

impl DnsRecord {
    pub fn read(r: &mut Reader, spec: &Node, private: bool, record_type: &str) -> Self {
        let mut ipv4 = Vec::new();
        for key in ["aRecords", "ARecords"] {
            for a in r.maps(spec, key) {
                ipv4.extend(r.str(a, "ipv4Address"));
            }
        }
        DnsRecord {
            private,
            record_type: record_type.to_string(),
            azure_name: r.str(spec, "azureName"),
            owner: AsoOwner::read(r, spec),
            ipv4,
        }
    }
}

/// The record type of an ASO record kind (`PrivateDnsZonesARecord` → private, `A`).
pub fn record_kind(kind: &str) -> Option<(bool, &str)> {
    let (private, rest) = match kind.strip_prefix("PrivateDnsZones") {
        Some(rest) => (true, rest),
        None => (false, kind.strip_prefix("DnsZones")?),
    };
    let t = rest.strip_suffix("Record")?;
    matches!(
        t,
        "A" | "AAAA" | "CNAME" | "MX" | "PTR" | "SRV" | "TXT" | "CAA" | "NS"
    )
    .then_some((private, t))
}

#[derive(Clone, Debug)]
pub struct VnetLink {
    pub owner: Option<AsoOwner>,
}

impl VnetLink {
    pub fn read(r: &mut Reader, spec: &Node) -> Self {
        VnetLink {
            owner: AsoOwner::read(r, spec),
        }
    }
}

/// external-dns `DNSEndpoint` (`externaldns.k8s.io`).
#[derive(Clone, Debug)]
pub struct DnsEndpoint {
    pub endpoints: Vec<Endpoint>,
}

#[derive(Clone, Debug)]
pub struct Endpoint {
    pub dns_name: Sp<Text>,
    pub record_type: Option<Sp<Text>>,
    pub targets: Vec<Sp<Text>>,
}

impl DnsEndpoint {
    pub fn read(r: &mut Reader, spec: &Node) -> Self {
        let mut endpoints = Vec::new();
        for e in r.maps(spec, "endpoints") {
            let Some(dns_name) = r.str(e, "dnsName") else {
                continue;
            };
            endpoints.push(Endpoint {
                dns_name,
                record_type: r.str(e, "recordType"),
                targets: r.str_list(e, "targets"),
            });
        }
        DnsEndpoint { endpoints }
    }
}

/// The command line of an external-dns container.
#[derive(Clone, Debug, Default)]
pub struct ExternalDnsArgs {
    pub provider: Option<Sp<Text>>,
    pub domain_filters: Vec<Sp<Text>>,
    pub exclude_domains: Vec<Sp<Text>>,
    /// `--zone-name-filter`: the zones; `--domain-filter` then filters record names.
    pub zone_name_filters: Vec<Sp<Text>>,
    pub sources: Vec<Sp<Text>>,
    pub annotation_prefix: Option<Sp<Text>>,
    /// `--regex-domain-filter`, `--zone-id-filter`, or a label/annotation filter on sources:
    /// filters gwlint does not evaluate.
    pub opaque_filter: bool,
    /// `--annotation-filter` values: only sources carrying these annotations are read.
    pub annotation_filters: Vec<String>,
    /// `--namespace`: only sources in this namespace.
    pub namespace: Option<String>,
    /// `--gateway-namespace`: only Gateways in this namespace.
    pub gateway_namespace: Option<String>,
    /// `--gateway-name`: only this Gateway.
    pub gateway_name: Option<String>,
    /// Release from the image tag (`…/external-dns:v0.21.0`).
    pub version: Option<(u32, u32)>,
    /// The container (image) entry, for related locations.
    pub span: Span,
}

/// What gwlint reads from a Deployment (or another pod-template workload).
#[derive(Clone, Debug, Default)]
pub struct Workload {
    pub external_dns: Vec<ExternalDnsArgs>,
    /// `spec.template.metadata.labels`: what selectors of its pods see.
    pub pod_labels: Vec<(Text, Text)>,
}

fn plain_strings(node: Option<&Node>) -> Vec<Sp<Text>> {
    // Container args are read without type findings: a Deployment is not gwlint's to validate.
    let Some(Value::Seq(items)) = node.map(|n| &n.value) else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|i| i.as_str().map(|s| Sp::new(s.into(), i.span)))
        .collect()
}

/// `v0.21.0` → (0, 21).
fn image_version(image: &str) -> Option<(u32, u32)> {
    let tag = image.rsplit_once(':')?.1;
    let tag = tag.split('@').next().unwrap_or(tag);
    let tag = tag.strip_prefix('v').unwrap_or(tag);
    let mut parts = tag.split(['.', '-']);
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next()?.parse().ok()?;
    Some((major, minor))
}

impl ExternalDnsArgs {
    fn read(container: &Node) -> Option<ExternalDnsArgs> {
        let image = container.get("image").and_then(Node::as_str).unwrap_or("");
        let mut words = plain_strings(container.get("command"));
        words.extend(plain_strings(container.get("args")));
        // The image's own name, not a substring: webhook-provider sidecars are called
        // `external-dns-<provider>-webhook` and carry their own release numbers.
        let name = image
            .rsplit('/')
            .next()
            .unwrap_or("")
            .split([':', '@'])
            .next()
            .unwrap_or("");
        let looks = name == "external-dns"
            || (words
                .iter()
                .any(|w| w.v.ends_with("external-dns") || w.v.starts_with("--provider"))
                && words.iter().any(|w| w.v.starts_with("--source")));
        if !looks {
            return None;
        }
        let mut out = ExternalDnsArgs {
            version: image_version(image),
            span: container.span,
            ..ExternalDnsArgs::default()
        };
        let mut i = 0;
        while i < words.len() {
            let w = &words[i];
            let (flag, value) = match w.v.split_once('=') {
                Some((f, v)) => (Text::from(f), Some(Sp::new(v.into(), w.span))),
                None => {
                    // `--domain-filter example.com`: the value is the next word.
                    let next = words.get(i + 1).filter(|n| !n.v.starts_with("--"));
                    if next.is_some() {
                        i += 1;
                    }
                    (w.v.clone(), next.cloned())
                }
            };
            i += 1;
            let Some(value) = value else { continue };
            match flag.as_str() {
                "--provider" => out.provider = Some(value),
                "--domain-filter" => out.domain_filters.push(value),
                "--exclude-domains" => out.exclude_domains.push(value),
                "--zone-name-filter" => out.zone_name_filters.push(value),
                "--source" => out.sources.push(value),
                "--annotation-prefix" => out.annotation_prefix = Some(value),
                "--annotation-filter" => {
                    out.opaque_filter = true;
                    out.annotation_filters.push(value.v.to_string());
                }
                "--regex-domain-filter"
                | "--zone-id-filter"
                | "--label-filter"
                | "--gateway-label-filter" => out.opaque_filter = true,
                "--namespace" => out.namespace = Some(value.v.into()),
                "--gateway-namespace" => out.gateway_namespace = Some(value.v.into()),
                "--gateway-name" => out.gateway_name = Some(value.v.into()),
                _ => {}
            }
        }
        Some(out)
    }
}

impl Workload {
    pub fn read(spec: &Node) -> Self {
        let containers = spec
            .get("template")
            .and_then(|t| t.get("spec"))
            .and_then(|s| s.get("containers"))
            .and_then(Node::as_seq)
            .unwrap_or(&[]);
        let pod_labels = spec
            .get("template")
            .and_then(|t| t.get("metadata"))
            .and_then(|m| m.get("labels"))
            .and_then(Node::as_map)
            .unwrap_or(&[])
            .iter()
            .filter_map(|(k, v)| Some((Text::from(k.as_str()?), Text::from(v.as_str()?))))
            .collect();
        Workload {
            external_dns: containers
                .iter()
                .filter_map(ExternalDnsArgs::read)
                .collect(),
            pod_labels,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_kinds() {
        assert_eq!(record_kind("PrivateDnsZonesARecord"), Some((true, "A")));
        assert_eq!(record_kind("DnsZonesCNAMERecord"), Some((false, "CNAME")));
        assert_eq!(record_kind("PrivateDnsZonesVirtualNetworkLink"), None);
        assert_eq!(record_kind("PrivateDnsZone"), None);
    }

    #[test]
    fn only_external_dns_itself() {
        let text = "image: ghcr.io/kashalls/external-dns-unifi-webhook:v0.5.2\n";
        let lines = crate::source::LineIndex::new(text);
        let parsed = crate::load::parse::parse(text, &lines, 0, Default::default());
        assert!(ExternalDnsArgs::read(&parsed.docs[0].root).is_none());
        let text =
            "image: registry.k8s.io/external-dns/external-dns:v0.21.0\nargs: [--source=service]\n";
        let lines = crate::source::LineIndex::new(text);
        let parsed = crate::load::parse::parse(text, &lines, 0, Default::default());
        let a = ExternalDnsArgs::read(&parsed.docs[0].root);
        assert_eq!(a.and_then(|a| a.version), Some((0, 21)));
    }

    #[test]
    fn image_tags() {
        assert_eq!(
            image_version("registry.k8s.io/external-dns/external-dns:v0.21.0"),
            Some((0, 21))
        );
        assert_eq!(image_version("external-dns"), None);
    }

    #[test]
    fn arm_ids() {
        let o = AsoOwner {
            name: None,
            arm_id: Some(Sp::new(
                "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/privateDnsZones/internal.example.com".into(),
                Span::default(),
            )),
            span: Span::default(),
        };
        assert_eq!(o.arm_child("privateDnsZones"), Some("internal.example.com"));
        assert_eq!(o.arm_child("dnsZones"), None);
    }
}
