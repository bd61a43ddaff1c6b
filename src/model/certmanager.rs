//! cert-manager: Certificate, Issuer, ClusterIssuer (with ACME solvers).

use super::read::Reader;
use super::refs::ParentRef;
use crate::load::tree::Node;
use crate::source::Text;
use crate::source::{Sp, Span};

#[derive(Clone, Debug)]
pub struct IssuerRef {
    pub name: Option<Sp<Text>>,
    pub kind: Option<Sp<Text>>,
    pub group: Option<Sp<Text>>,
    pub span: Span,
}

impl IssuerRef {
    /// `Issuer` when absent.
    pub fn kind(&self) -> &str {
        self.kind.as_ref().map(|k| k.v.as_str()).unwrap_or("Issuer")
    }

    /// True for cert-manager's own issuers (group empty or `cert-manager.io`).
    pub fn is_builtin_group(&self) -> bool {
        self.group
            .as_ref()
            .is_none_or(|g| g.v.is_empty() || g.v == "cert-manager.io")
    }
}

#[derive(Clone, Debug)]
pub struct Certificate {
    pub secret_name: Option<Sp<Text>>,
    pub issuer_ref: Option<IssuerRef>,
    pub dns_names: Vec<Sp<Text>>,
    pub common_name: Option<Sp<Text>>,
}

impl Certificate {
    pub fn read(r: &mut Reader, spec: &Node) -> Self {
        Certificate {
            secret_name: r.str(spec, "secretName"),
            issuer_ref: r.map(spec, "issuerRef").map(|i| IssuerRef {
                name: r.str(i, "name"),
                kind: r.str(i, "kind"),
                group: r.str(i, "group"),
                span: i.span,
            }),
            dns_names: r.str_list(spec, "dnsNames"),
            common_name: r.str(spec, "commonName"),
        }
    }

    /// Every name the certificate will carry (dnsNames and the common name).
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.dns_names
            .iter()
            .map(|n| n.v.as_str())
            .chain(self.common_name.iter().map(|c| c.v.as_str()))
    }
}

/// `solvers[].selector`.
#[derive(Clone, Debug, Default)]
pub struct SolverSelector {
    pub dns_names: Vec<String>,
    pub dns_zones: Vec<String>,
    pub match_labels: Vec<(String, String)>,
}

#[derive(Clone, Debug, Default)]
pub struct AzureDns {
    pub span: Span,
    pub subscription_id: Option<Sp<Text>>,
    pub resource_group_name: Option<Sp<Text>>,
    pub hosted_zone_name: Option<Sp<Text>>,
    pub environment: Option<Sp<Text>>,
    pub client_id: Option<Sp<Text>>,
    pub client_secret_ref: Option<Span>,
    pub tenant_id: Option<Sp<Text>>,
    pub managed_identity: Option<Span>,
    pub zone_type: Option<Sp<Text>>,
}

#[derive(Clone, Debug)]
pub enum SolverKind {
    /// `http01.ingress`: class / ingressClassName / name.
    Http01Ingress {
        class: Option<Sp<Text>>,
        ingress_class_name: Option<Sp<Text>>,
        name: Option<Sp<Text>>,
        span: Span,
    },
    /// `http01.gatewayHTTPRoute`.
    Http01GatewayRoute {
        parent_refs: Vec<ParentRef>,
        parent_refs_span: Option<Span>,
    },
    Dns01Azure(AzureDns),
    Dns01Other,
    /// Neither http01 nor dns01 (invalid, or unknown).
    Unknown,
}

#[derive(Clone, Debug)]
pub struct Solver {
    pub selector: Option<SolverSelector>,
    pub kind: SolverKind,
    pub span: Span,
}

impl Solver {
    pub fn is_http01(&self) -> bool {
        matches!(
            self.kind,
            SolverKind::Http01Ingress { .. } | SolverKind::Http01GatewayRoute { .. }
        )
    }
}

#[derive(Clone, Debug)]
pub struct Acme {
    pub server: Option<Sp<Text>>,
    pub solvers: Vec<Solver>,
}

#[derive(Clone, Debug)]
pub struct Issuer {
    pub acme: Option<Acme>,
}

impl Issuer {
    pub fn read(r: &mut Reader, spec: &Node) -> Self {
        let acme = r.map(spec, "acme").map(|a| Acme {
            server: r.str(a, "server"),
            solvers: r
                .maps(a, "solvers")
                .into_iter()
                .map(|s| read_solver(r, s))
                .collect(),
        });
        Issuer { acme }
    }

    pub fn acme_server(&self) -> Option<&Sp<Text>> {
        self.acme.as_ref().and_then(|a| a.server.as_ref())
    }
}

fn read_solver(r: &mut Reader, s: &Node) -> Solver {
    let selector = r.map(s, "selector").map(|sel| SolverSelector {
        dns_names: r
            .str_list(sel, "dnsNames")
            .into_iter()
            .map(|n| n.v.into())
            .collect(),
        dns_zones: r
            .str_list(sel, "dnsZones")
            .into_iter()
            .map(|n| n.v.into())
            .collect(),
        match_labels: r
            .string_map(sel, "matchLabels")
            .into_iter()
            .map(|(k, v)| (k.v.into(), v.v.into()))
            .collect(),
    });
    let kind = if let Some(h) = r.map(s, "http01") {
        if let Some(i) = r.map(h, "ingress") {
            SolverKind::Http01Ingress {
                class: r.str(i, "class"),
                ingress_class_name: r.str(i, "ingressClassName"),
                name: r.str(i, "name"),
                span: i.span,
            }
        } else if let Some(g) = r.map(h, "gatewayHTTPRoute") {
            SolverKind::Http01GatewayRoute {
                parent_refs_span: r.field(g, "parentRefs").map(|p| p.span),
                parent_refs: r
                    .maps(g, "parentRefs")
                    .into_iter()
                    .map(|p| ParentRef::read(r, p))
                    .collect(),
            }
        } else {
            SolverKind::Unknown
        }
    } else if let Some(d) = r.map(s, "dns01") {
        match r.map(d, "azureDNS") {
            Some(a) => SolverKind::Dns01Azure(AzureDns {
                span: a.span,
                subscription_id: r.str(a, "subscriptionID"),
                resource_group_name: r.str(a, "resourceGroupName"),
                hosted_zone_name: r.str(a, "hostedZoneName"),
                environment: r.str(a, "environment"),
                client_id: r.str(a, "clientID"),
                client_secret_ref: r.map(a, "clientSecretSecretRef").map(|n| n.span),
                tenant_id: r.str(a, "tenantID"),
                managed_identity: r.map(a, "managedIdentity").map(|n| n.span),
                zone_type: r.str(a, "zoneType"),
            }),
            None => SolverKind::Dns01Other,
        }
    } else {
        SolverKind::Unknown
    };
    Solver {
        selector,
        kind,
        span: s.span,
    }
}
