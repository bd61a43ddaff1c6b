//! cert-manager: Certificate, Issuer, ClusterIssuer.

use super::read::Reader;
use crate::load::tree::Node;
use crate::source::{Sp, Span};

#[derive(Clone, Debug)]
pub struct IssuerRef {
    pub name: Option<Sp<String>>,
    pub kind: Option<Sp<String>>,
    pub group: Option<Sp<String>>,
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
    pub secret_name: Option<Sp<String>>,
    pub issuer_ref: Option<IssuerRef>,
    pub dns_names: Vec<Sp<String>>,
    pub common_name: Option<Sp<String>>,
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
}

#[derive(Clone, Debug)]
pub struct Issuer {
    pub acme_server: Option<Sp<String>>,
}

impl Issuer {
    pub fn read(r: &mut Reader, spec: &Node) -> Self {
        Issuer {
            acme_server: r.map(spec, "acme").and_then(|a| r.str(a, "server")),
        }
    }
}
