//! Which API versions the target cluster serves, as data.
//!
//! Gateway API rows were read from the CRDs of the tags v1.0.0, v1.1.1, v1.2.1, v1.3.0, v1.4.1,
//! v1.5.1 and v1.6.1 (standard and experimental channels; `served` and `deprecated` of each
//! version). The `v1beta1` versions of GatewayClass, Gateway, HTTPRoute and ReferenceGrant are
//! served and not deprecated by every one of those CRDs, so they are not reported: calling them
//! deprecated was the most common false finding on real repositories. One thing is judgement, not
//! a CRD flag: a bundle outside v1.0–v1.6 is read as the nearest one. The group
//! `networking.x-k8s.io` (Gateway API before v0.4, 2021) is served by no release. External Secrets rows come from `config/crds/bases` of the ESO tags v0.5 to v2.9; v1beta1 on
//! 0.16 is flagged deprecated because 0.16 is the last release serving it, although its CRD does not
//! say so. cert-manager stopped serving its pre-v1 versions in 1.6 (removed in 1.7). Istio serves
//! every networking version it ships.
//!
//! A (group, kind) that no table names is never judged: core kinds, other operators and kinds a
//! newer release may add are not ours to guess.

use crate::config::{Channel, Targets, Version};
use crate::model::{
    CERT_MANAGER_GROUP, ESO_GROUP, GATEWAY_GROUP, GATEWAY_X_GROUP, ISTIO_NETWORKING_GROUP,
};

use crate::model::channel_fields::b;

const NEVER: u8 = 0;
const ALL: u8 = b(0, 6);
const NEWEST_BUNDLE: u8 = 6;

/// Where a version is served, per product.
#[derive(Clone, Copy, Debug)]
enum Avail {
    /// Gateway API: bundles served in each channel, and those where the version is deprecated.
    Bundles {
        std: u8,
        std_dep: u8,
        exp: u8,
        exp_dep: u8,
    },
    /// A product release range: served in `[from, until)`, deprecated from `dep_from` on.
    Releases {
        from: Version,
        until: Option<Version>,
        dep_from: Option<Version>,
    },
}

#[derive(Clone, Copy, Debug)]
struct Row {
    /// `*`: every kind of the group.
    kind: &'static str,
    version: &'static str,
    avail: Avail,
}

const fn gw(kind: &'static str, version: &'static str, std: u8, exp: u8) -> Row {
    gw_dep(kind, version, std, NEVER, exp, NEVER)
}

const fn gw_dep(
    kind: &'static str,
    version: &'static str,
    std: u8,
    std_dep: u8,
    exp: u8,
    exp_dep: u8,
) -> Row {
    Row {
        kind,
        version,
        avail: Avail::Bundles {
            std,
            std_dep,
            exp,
            exp_dep,
        },
    }
}

const fn rel(
    kind: &'static str,
    version: &'static str,
    from: (u32, u32),
    until: Option<(u32, u32)>,
    dep_from: Option<(u32, u32)>,
) -> Row {
    Row {
        kind,
        version,
        avail: Avail::Releases {
            from: Version::new(from.0, from.1),
            until: match until {
                Some((a, b)) => Some(Version::new(a, b)),
                None => None,
            },
            dep_from: match dep_from {
                Some((a, b)) => Some(Version::new(a, b)),
                None => None,
            },
        },
    }
}

// Within a kind, rows go newest version first: the first row served without deprecation is the
// version a finding recommends.
const GATEWAY_API: &[Row] = &[
    gw("GatewayClass", "v1", ALL, ALL),
    gw("GatewayClass", "v1beta1", ALL, ALL),
    gw("Gateway", "v1", ALL, ALL),
    gw("Gateway", "v1beta1", ALL, ALL),
    gw("HTTPRoute", "v1", ALL, ALL),
    gw("HTTPRoute", "v1beta1", ALL, ALL),
    gw("GRPCRoute", "v1", b(1, 6), b(1, 6)),
    gw_dep("GRPCRoute", "v1alpha2", NEVER, NEVER, b(0, 1), b(1, 1)),
    gw("ReferenceGrant", "v1", b(5, 6), b(5, 6)),
    gw("ReferenceGrant", "v1beta1", ALL, ALL),
    gw_dep(
        "ReferenceGrant",
        "v1alpha2",
        b(0, 0),
        b(0, 0),
        b(0, 1),
        b(0, 1),
    ),
    gw("BackendTLSPolicy", "v1", b(4, 6), b(4, 6)),
    gw_dep(
        "BackendTLSPolicy",
        "v1alpha3",
        NEVER,
        NEVER,
        b(1, 6),
        b(4, 6),
    ),
    gw("BackendTLSPolicy", "v1alpha2", NEVER, b(0, 0)),
    gw("BackendLBPolicy", "v1alpha2", NEVER, b(1, 2)),
    gw("ListenerSet", "v1", b(5, 6), b(5, 6)),
    gw("TLSRoute", "v1", b(5, 6), b(5, 6)),
    gw_dep("TLSRoute", "v1alpha3", NEVER, NEVER, b(4, 6), b(5, 6)),
    gw_dep("TLSRoute", "v1alpha2", NEVER, NEVER, ALL, b(5, 6)),
    gw("TCPRoute", "v1", b(6, 6), b(6, 6)),
    gw_dep("TCPRoute", "v1alpha2", NEVER, NEVER, ALL, b(6, 6)),
    gw("UDPRoute", "v1", b(6, 6), b(6, 6)),
    gw_dep("UDPRoute", "v1alpha2", NEVER, NEVER, ALL, b(6, 6)),
];

const GATEWAY_API_X: &[Row] = &[
    gw("XListenerSet", "v1alpha1", NEVER, b(3, 4)),
    gw("XBackendTrafficPolicy", "v1alpha1", NEVER, b(3, 6)),
    gw("XMesh", "v1alpha1", NEVER, b(4, 6)),
    gw("XBackend", "v1alpha1", NEVER, b(6, 6)),
];

const ESO: &[Row] = &[
    rel("ExternalSecret", "v1", (0, 16), None, None),
    rel(
        "ExternalSecret",
        "v1beta1",
        (0, 5),
        Some((0, 17)),
        Some((0, 16)),
    ),
    rel(
        "ExternalSecret",
        "v1alpha1",
        (0, 0),
        Some((0, 16)),
        Some((0, 5)),
    ),
    rel("SecretStore", "v1", (0, 16), None, None),
    rel(
        "SecretStore",
        "v1beta1",
        (0, 5),
        Some((0, 17)),
        Some((0, 16)),
    ),
    rel(
        "SecretStore",
        "v1alpha1",
        (0, 0),
        Some((0, 16)),
        Some((0, 5)),
    ),
    rel("ClusterSecretStore", "v1", (0, 16), None, None),
    rel(
        "ClusterSecretStore",
        "v1beta1",
        (0, 5),
        Some((0, 17)),
        Some((0, 16)),
    ),
    rel(
        "ClusterSecretStore",
        "v1alpha1",
        (0, 0),
        Some((0, 16)),
        Some((0, 5)),
    ),
    rel("ClusterExternalSecret", "v1", (0, 16), None, None),
    rel(
        "ClusterExternalSecret",
        "v1beta1",
        (0, 5),
        Some((0, 17)),
        Some((0, 16)),
    ),
    rel("PushSecret", "v1alpha1", (0, 7), None, None),
    rel("ClusterPushSecret", "v1alpha1", (0, 15), None, None),
];

const ESO_GENERATORS: &[Row] = &[rel("*", "v1alpha1", (0, 0), None, None)];

const CERT_MANAGER: &[Row] = &[
    rel("Certificate", "v1", (0, 0), None, None),
    rel("Certificate", "v1beta1", (0, 0), Some((1, 6)), Some((0, 0))),
    rel(
        "Certificate",
        "v1alpha3",
        (0, 0),
        Some((1, 6)),
        Some((0, 0)),
    ),
    rel(
        "Certificate",
        "v1alpha2",
        (0, 0),
        Some((1, 6)),
        Some((0, 0)),
    ),
    rel("CertificateRequest", "v1", (0, 0), None, None),
    rel(
        "CertificateRequest",
        "v1beta1",
        (0, 0),
        Some((1, 6)),
        Some((0, 0)),
    ),
    rel(
        "CertificateRequest",
        "v1alpha3",
        (0, 0),
        Some((1, 6)),
        Some((0, 0)),
    ),
    rel(
        "CertificateRequest",
        "v1alpha2",
        (0, 0),
        Some((1, 6)),
        Some((0, 0)),
    ),
    rel("Issuer", "v1", (0, 0), None, None),
    rel("Issuer", "v1beta1", (0, 0), Some((1, 6)), Some((0, 0))),
    rel("Issuer", "v1alpha3", (0, 0), Some((1, 6)), Some((0, 0))),
    rel("Issuer", "v1alpha2", (0, 0), Some((1, 6)), Some((0, 0))),
    rel("ClusterIssuer", "v1", (0, 0), None, None),
    rel(
        "ClusterIssuer",
        "v1beta1",
        (0, 0),
        Some((1, 6)),
        Some((0, 0)),
    ),
    rel(
        "ClusterIssuer",
        "v1alpha3",
        (0, 0),
        Some((1, 6)),
        Some((0, 0)),
    ),
    rel(
        "ClusterIssuer",
        "v1alpha2",
        (0, 0),
        Some((1, 6)),
        Some((0, 0)),
    ),
];

const CERT_MANAGER_ACME: &[Row] = &[
    rel("Order", "v1", (0, 0), None, None),
    rel("Order", "v1beta1", (0, 0), Some((1, 6)), Some((0, 0))),
    rel("Order", "v1alpha3", (0, 0), Some((1, 6)), Some((0, 0))),
    rel("Order", "v1alpha2", (0, 0), Some((1, 6)), Some((0, 0))),
    rel("Challenge", "v1", (0, 0), None, None),
    rel("Challenge", "v1beta1", (0, 0), Some((1, 6)), Some((0, 0))),
    rel("Challenge", "v1alpha3", (0, 0), Some((1, 6)), Some((0, 0))),
    rel("Challenge", "v1alpha2", (0, 0), Some((1, 6)), Some((0, 0))),
];

/// Istio versions do not follow a target setting: every release gwlint targets serves them.
const ISTIO_NETWORKING: &[Row] = &[
    rel("Gateway", "v1", (0, 0), None, None),
    rel("Gateway", "v1beta1", (0, 0), None, None),
    rel("Gateway", "v1alpha3", (0, 0), None, None),
    rel("VirtualService", "v1", (0, 0), None, None),
    rel("VirtualService", "v1beta1", (0, 0), None, None),
    rel("VirtualService", "v1alpha3", (0, 0), None, None),
    rel("DestinationRule", "v1", (0, 0), None, None),
    rel("DestinationRule", "v1beta1", (0, 0), None, None),
    rel("DestinationRule", "v1alpha3", (0, 0), None, None),
    rel("ServiceEntry", "v1", (0, 0), None, None),
    rel("ServiceEntry", "v1beta1", (0, 0), None, None),
    rel("ServiceEntry", "v1alpha3", (0, 0), None, None),
    rel("Sidecar", "v1", (0, 0), None, None),
    rel("Sidecar", "v1beta1", (0, 0), None, None),
    rel("Sidecar", "v1alpha3", (0, 0), None, None),
    rel("WorkloadEntry", "v1", (0, 0), None, None),
    rel("WorkloadEntry", "v1beta1", (0, 0), None, None),
    rel("WorkloadEntry", "v1alpha3", (0, 0), None, None),
    rel("WorkloadGroup", "v1", (0, 0), None, None),
    rel("WorkloadGroup", "v1beta1", (0, 0), None, None),
    rel("WorkloadGroup", "v1alpha3", (0, 0), None, None),
    rel("EnvoyFilter", "v1alpha3", (0, 0), None, None),
    rel("ProxyConfig", "v1beta1", (0, 0), None, None),
];

/// The product a group belongs to, which decides the target release.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Product {
    GatewayApi,
    ExternalSecrets,
    CertManager,
    Istio,
}

fn table(group: &str) -> Option<(&'static str, Product, &'static [Row])> {
    Some(match group {
        GATEWAY_GROUP => (GATEWAY_GROUP, Product::GatewayApi, GATEWAY_API),
        GATEWAY_X_GROUP => (GATEWAY_X_GROUP, Product::GatewayApi, GATEWAY_API_X),
        ESO_GROUP => (ESO_GROUP, Product::ExternalSecrets, ESO),
        ESO_GENERATORS_GROUP => (
            ESO_GENERATORS_GROUP,
            Product::ExternalSecrets,
            ESO_GENERATORS,
        ),
        CERT_MANAGER_GROUP => (CERT_MANAGER_GROUP, Product::CertManager, CERT_MANAGER),
        ACME_GROUP => (ACME_GROUP, Product::CertManager, CERT_MANAGER_ACME),
        ISTIO_NETWORKING_GROUP => (ISTIO_NETWORKING_GROUP, Product::Istio, ISTIO_NETWORKING),
        _ => return None,
    })
}

const ESO_GENERATORS_GROUP: &str = "generators.external-secrets.io";
/// Gateway API's group before v0.4.0 (2021), which no release has served since.
pub const GATEWAY_PRE_V04_GROUP: &str = "networking.x-k8s.io";
const ACME_GROUP: &str = "acme.cert-manager.io";

/// How the target cluster treats one `apiVersion` of a kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Served,
    /// Served, but deprecated in every channel that serves it.
    Deprecated,
    /// Only the experimental channel of the target bundle has it, and the cluster is
    /// standard-channel only.
    ExperimentalOnly,
    NotServed,
}

/// The answer for one object: what its version gets, and what the kind offers instead.
#[derive(Clone, Copy, Debug)]
pub struct Verdict {
    pub status: Status,
    pub product: Product,
    pub group: &'static str,
    kind_rows: &'static [Row],
}

/// Looks up `apiVersion` (`group/version`) and `kind`; `None` when no table knows the kind.
pub fn lookup(api_version: &str, kind: &str, targets: &Targets) -> Option<Verdict> {
    let (group, version) = api_version.rsplit_once('/')?;
    let (group, product, rows) = table(group)?;
    let kind_rows = kind_rows(rows, kind)?;
    let status = match kind_rows.iter().find(|r| r.version == version) {
        Some(row) => status(row.avail, product, targets),
        None => Status::NotServed,
    };
    Some(Verdict {
        status,
        product,
        group,
        kind_rows,
    })
}

impl Verdict {
    /// Versions of the kind the target serves, newest first.
    pub fn served<'a>(&'a self, t: &'a Targets) -> impl Iterator<Item = &'static str> + 'a {
        self.kind_rows
            .iter()
            .filter(move |r| {
                matches!(
                    status(r.avail, self.product, t),
                    Status::Served | Status::Deprecated
                )
            })
            .map(|r| r.version)
    }

    /// `v1, v1beta1` or `none`.
    pub fn served_list(&self, t: &Targets) -> String {
        let list: Vec<&str> = self.served(t).collect();
        if list.is_empty() {
            "none".into()
        } else {
            list.join(", ")
        }
    }

    /// The version to write: the newest one served without deprecation.
    pub fn recommended(&self, t: &Targets) -> Option<&'static str> {
        self.kind_rows
            .iter()
            .find(|r| status(r.avail, self.product, t) == Status::Served)
            .map(|r| r.version)
    }

    /// Whether the standard channel of the target bundle serves `version` (always true for other
    /// products).
    pub fn in_standard_channel(&self, version: &str, t: &Targets) -> bool {
        match self
            .kind_rows
            .iter()
            .find(|r| r.version == version)
            .map(|r| r.avail)
        {
            Some(Avail::Bundles { std, .. }) => std & bundle_bit(t.gateway_api) != 0,
            Some(Avail::Releases { .. }) => true,
            None => false,
        }
    }

    /// The first bundle after the target whose standard channel serves some version of the kind,
    /// and that version.
    pub fn first_standard_bundle(&self, t: &Targets) -> Option<(Version, &'static str)> {
        let now = bundle_bit(t.gateway_api);
        (0..=NEWEST_BUNDLE).filter(|&m| 1 << m > now).find_map(|m| {
            self.kind_rows.iter().find_map(|r| match r.avail {
                Avail::Bundles { std, std_dep, .. }
                    if std & (1 << m) != 0 && std_dep & (1 << m) == 0 =>
                {
                    Some((Version::new(1, u32::from(m)), r.version))
                }
                _ => None,
            })
        })
    }

    /// The first Gateway API bundle at or after the target that serves `version` in the target's
    /// channel (either channel when it is not said).
    pub fn first_bundle_serving(&self, version: &str, t: &Targets) -> Option<Version> {
        let row = self.kind_rows.iter().find(|r| r.version == version)?;
        let Avail::Bundles { std, exp, .. } = row.avail else {
            return None;
        };
        let mask = match t.gateway_api_channel {
            Some(Channel::Standard) => std,
            Some(Channel::Experimental) => exp,
            None => std | exp,
        };
        (0..=NEWEST_BUNDLE)
            .find(|&m| mask & (1 << m) != 0 && bundle_bit(t.gateway_api) <= 1 << m)
            .map(|m| Version::new(1, u32::from(m)))
    }
}

/// What the target is, in a finding's words: `Gateway API v1.4 (standard channel)`.
pub fn target_label(product: Product, t: &Targets) -> String {
    match product {
        Product::GatewayApi => {
            let channel = match t.gateway_api_channel {
                Some(Channel::Standard) => "standard channel",
                Some(Channel::Experimental) => "experimental channel",
                None => "standard or experimental channel",
            };
            format!("Gateway API {} ({channel})", t.gateway_api)
        }
        Product::ExternalSecrets => format!("External Secrets Operator {}", t.external_secrets),
        Product::CertManager => format!("cert-manager {}", t.cert_manager),
        Product::Istio => "Istio".into(),
    }
}

/// The contiguous rows of one kind (or the wildcard row).
fn kind_rows(rows: &'static [Row], kind: &str) -> Option<&'static [Row]> {
    if let [only] = rows {
        if only.kind == "*" {
            return Some(rows);
        }
    }
    let start = rows.iter().position(|r| r.kind == kind)?;
    let len = rows[start..].iter().take_while(|r| r.kind == kind).count();
    Some(&rows[start..start + len])
}

fn bundle_bit(v: Version) -> u8 {
    let minor = match v.major {
        0 => 0,
        1 => v.minor.min(u32::from(NEWEST_BUNDLE)) as u8,
        _ => NEWEST_BUNDLE,
    };
    1 << minor
}

fn status(avail: Avail, product: Product, t: &Targets) -> Status {
    match avail {
        Avail::Bundles {
            std,
            std_dep,
            exp,
            exp_dep,
        } => {
            let bit = bundle_bit(t.gateway_api);
            let on = |m: u8| m & bit != 0;
            match t.gateway_api_channel {
                Some(Channel::Standard) if on(std) => served(on(std_dep)),
                Some(Channel::Standard) if on(exp) => Status::ExperimentalOnly,
                Some(Channel::Standard) => Status::NotServed,
                Some(Channel::Experimental) if on(exp) => served(on(exp_dep)),
                Some(Channel::Experimental) => Status::NotServed,
                None if on(std) && !on(std_dep) || on(exp) && !on(exp_dep) => Status::Served,
                None if on(std) || on(exp) => Status::Deprecated,
                None => Status::NotServed,
            }
        }
        Avail::Releases {
            from,
            until,
            dep_from,
        } => {
            let v = match product {
                Product::ExternalSecrets => t.external_secrets,
                Product::CertManager => t.cert_manager,
                // No Istio target release: every networking version it ships is served.
                Product::Istio | Product::GatewayApi => return Status::Served,
            };
            if v < from || until.is_some_and(|u| v >= u) {
                Status::NotServed
            } else {
                served(dep_from.is_some_and(|d| v >= d))
            }
        }
    }
}

fn served(deprecated: bool) -> Status {
    if deprecated {
        Status::Deprecated
    } else {
        Status::Served
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn targets(bundle: (u32, u32), channel: Option<Channel>) -> Targets {
        Targets {
            gateway_api: Version::new(bundle.0, bundle.1),
            gateway_api_channel: channel,
            ..Targets::default()
        }
    }

    fn st(av: &str, kind: &str, t: &Targets) -> Option<Status> {
        lookup(av, kind, t).map(|v| v.status)
    }

    #[test]
    fn gateway_api_matrix() {
        let std13 = targets((1, 3), Some(Channel::Standard));
        let any16 = targets((1, 6), None);
        let std16 = targets((1, 6), Some(Channel::Standard));
        let g = |v: &str| format!("gateway.networking.k8s.io/{v}");
        assert_eq!(st(&g("v1"), "Gateway", &std13), Some(Status::Served));
        for kind in ["GatewayClass", "Gateway", "HTTPRoute", "ReferenceGrant"] {
            assert_eq!(st(&g("v1beta1"), kind, &std13), Some(Status::Served));
            assert_eq!(st(&g("v1beta1"), kind, &any16), Some(Status::Served));
        }
        assert_eq!(
            st(&g("v1beta1"), "ReferenceGrant", &std13),
            Some(Status::Served)
        );
        assert_eq!(
            st(&g("v1"), "ReferenceGrant", &std13),
            Some(Status::NotServed)
        );
        assert_eq!(
            st(&g("v1alpha2"), "TLSRoute", &std13),
            Some(Status::ExperimentalOnly)
        );
        assert_eq!(st(&g("v1"), "TLSRoute", &std13), Some(Status::NotServed));
        assert_eq!(
            st(&g("v1alpha2"), "TLSRoute", &any16),
            Some(Status::Deprecated)
        );
        assert_eq!(
            st(&g("v1alpha2"), "TLSRoute", &std16),
            Some(Status::ExperimentalOnly)
        );
        assert_eq!(st(&g("v1"), "TCPRoute", &any16), Some(Status::Served));
        assert_eq!(
            st(
                "gateway.networking.x-k8s.io/v1alpha1",
                "XListenerSet",
                &any16
            ),
            Some(Status::NotServed)
        );
        assert_eq!(st(&g("v1"), "SomethingNew", &any16), None);
        let v = lookup(&g("v1"), "TLSRoute", &std13).expect("known");
        assert_eq!(
            v.first_bundle_serving("v1", &std13),
            Some(Version::new(1, 5))
        );
        assert_eq!(v.served_list(&std13), "none");
    }

    #[test]
    fn other_products() {
        let t = Targets::default();
        assert_eq!(
            st("external-secrets.io/v1beta1", "ExternalSecret", &t),
            Some(Status::NotServed)
        );
        let old = Targets {
            external_secrets: Version::new(0, 16),
            ..Targets::default()
        };
        assert_eq!(
            st("external-secrets.io/v1beta1", "SecretStore", &old),
            Some(Status::Deprecated)
        );
        assert_eq!(
            st("external-secrets.io/v1alpha1", "PushSecret", &t),
            Some(Status::Served)
        );
        assert_eq!(
            st("generators.external-secrets.io/v1alpha1", "Password", &t),
            Some(Status::Served)
        );
        assert_eq!(
            st("cert-manager.io/v1alpha2", "Certificate", &t),
            Some(Status::NotServed)
        );
        assert_eq!(
            st("networking.istio.io/v1alpha3", "VirtualService", &t),
            Some(Status::Served)
        );
        assert_eq!(st("v1", "Service", &t), None);
        assert_eq!(st("apps/v1", "Deployment", &t), None);
    }
}
