//! External Secrets Operator: ExternalSecret, ClusterExternalSecret, PushSecret.

use super::read::Reader;
use crate::load::tree::Node;
use crate::source::{Sp, Span};

/// A `secretStoreRef` / `storeRef`.
#[derive(Clone, Debug)]
pub struct StoreRef {
    pub name: Option<Sp<String>>,
    /// `SecretStore` when absent.
    pub kind: Option<Sp<String>>,
    pub span: Span,
}

impl StoreRef {
    pub fn read(r: &mut Reader, node: &Node) -> StoreRef {
        StoreRef {
            name: r.str(node, "name"),
            kind: r.str(node, "kind"),
            span: node.span,
        }
    }

    pub fn kind(&self) -> &str {
        self.kind
            .as_ref()
            .map(|k| k.v.as_str())
            .unwrap_or("SecretStore")
    }
}

#[derive(Clone, Debug)]
pub struct ExternalSecretSpec {
    pub secret_store_ref: Option<StoreRef>,
    /// Per-entry `sourceRef.storeRef` overrides in `data[]` and `dataFrom[]`.
    pub entry_store_refs: Vec<StoreRef>,
    pub target_name: Option<Sp<String>>,
    /// `Owner` when absent.
    pub creation_policy: Option<Sp<String>>,
    pub template_type: Option<Sp<String>>,
}

impl ExternalSecretSpec {
    pub fn read(r: &mut Reader, spec: &Node) -> Self {
        let mut entry_store_refs = Vec::new();
        for list in ["data", "dataFrom"] {
            for entry in r.maps(spec, list) {
                if let Some(sr) = r.map(entry, "sourceRef") {
                    if let Some(store) = r.map(sr, "storeRef") {
                        entry_store_refs.push(StoreRef::read(r, store));
                    }
                }
            }
        }
        let target = r.map(spec, "target");
        ExternalSecretSpec {
            secret_store_ref: r.map(spec, "secretStoreRef").map(|s| StoreRef::read(r, s)),
            entry_store_refs,
            target_name: target.and_then(|t| r.str(t, "name")),
            creation_policy: target.and_then(|t| r.str(t, "creationPolicy")),
            template_type: target
                .and_then(|t| r.map(t, "template"))
                .and_then(|t| r.str(t, "type")),
        }
    }

    pub fn creation_policy(&self) -> &str {
        self.creation_policy
            .as_ref()
            .map(|c| c.v.as_str())
            .unwrap_or("Owner")
    }

    /// Whether this ExternalSecret writes a Secret that did not exist before.
    pub fn creates_secret(&self) -> bool {
        matches!(self.creation_policy(), "Owner" | "Orphan" | "CreateOrMerge")
    }

    pub fn store_refs(&self) -> impl Iterator<Item = &StoreRef> {
        self.secret_store_ref
            .iter()
            .chain(self.entry_store_refs.iter())
    }
}

#[derive(Clone, Debug)]
pub struct ClusterExternalSecret {
    pub spec: Option<ExternalSecretSpec>,
    pub external_secret_name: Option<Sp<String>>,
    pub namespaces: Vec<Sp<String>>,
    /// True when namespaces are chosen by label selectors (evaluated against Namespace objects).
    pub selectors: Vec<Node>,
}

impl ClusterExternalSecret {
    pub fn read(r: &mut Reader, spec: &Node) -> Self {
        let mut selectors: Vec<Node> = r
            .maps(spec, "namespaceSelectors")
            .into_iter()
            .cloned()
            .collect();
        if let Some(s) = r.map(spec, "namespaceSelector") {
            selectors.push(s.clone());
        }
        ClusterExternalSecret {
            spec: r
                .map(spec, "externalSecretSpec")
                .map(|s| ExternalSecretSpec::read(r, s)),
            external_secret_name: r.str(spec, "externalSecretName"),
            namespaces: r.str_list(spec, "namespaces"),
            selectors,
        }
    }
}

#[derive(Clone, Debug)]
pub struct PushSecret {
    pub store_refs: Vec<StoreRef>,
}

impl PushSecret {
    pub fn read(r: &mut Reader, spec: &Node) -> Self {
        PushSecret {
            store_refs: r
                .maps(spec, "secretStoreRefs")
                .into_iter()
                .map(|s| StoreRef::read(r, s))
                .collect(),
        }
    }
}
