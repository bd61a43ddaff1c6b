//! External Secrets Operator: ExternalSecret, ClusterExternalSecret, PushSecret.

use super::read::Reader;
use crate::load::tree::Node;
use crate::source::Text;
use crate::source::{Sp, Span};

/// A `secretStoreRef` / `storeRef`.
#[derive(Clone, Debug)]
pub struct StoreRef {
    pub name: Option<Sp<Text>>,
    /// `SecretStore` when absent.
    pub kind: Option<Sp<Text>>,
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
    pub target_name: Option<Sp<Text>>,
    /// `Owner` when absent.
    pub creation_policy: Option<Sp<Text>>,
    /// `Retain` when absent.
    pub deletion_policy: Option<Sp<Text>>,
    pub template_type: Option<Sp<Text>>,
    /// Keys of `target.template.data`.
    pub template_data_keys: Vec<String>,
    pub target_span: Option<Span>,
    /// `data[].secretKey` values.
    pub secret_keys: Vec<Sp<Text>>,
    /// `data[].remoteRef.key` values.
    pub remote_keys: Vec<Sp<Text>>,
    pub has_data: bool,
    pub has_data_from: bool,
    /// `refreshPolicy: CreatedOnce`, or `refreshInterval` 0: the Secret is written once and
    /// never refreshed.
    pub writes_once: bool,
    pub span: Span,
}

/// A Go duration of zero (`0`, `0s`, `0h0m0s`), which ESO reads as "never refresh".
fn zero_duration(n: &Node) -> bool {
    match &n.value {
        crate::load::tree::Value::Int(0) => true,
        crate::load::tree::Value::Str(s) => {
            s.contains('0') && s.chars().all(|c| matches!(c, '0' | '.' | 'h' | 'm' | 's'))
        }
        _ => false,
    }
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
        let template = target.and_then(|t| r.map(t, "template"));
        let mut secret_keys = Vec::new();
        let mut remote_keys = Vec::new();
        for entry in r.maps(spec, "data") {
            secret_keys.extend(r.str(entry, "secretKey"));
            if let Some(rr) = r.map(entry, "remoteRef") {
                remote_keys.extend(r.str(rr, "key"));
            }
        }
        secret_keys.shrink_to_fit();
        remote_keys.shrink_to_fit();
        let template_data_keys = template
            .and_then(|t| t.get("data"))
            .and_then(Node::as_map)
            .map(|m| {
                m.iter()
                    .filter_map(|(k, _)| k.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        ExternalSecretSpec {
            secret_store_ref: r.map(spec, "secretStoreRef").map(|s| StoreRef::read(r, s)),
            entry_store_refs,
            target_name: target.and_then(|t| r.str(t, "name")),
            creation_policy: target.and_then(|t| r.str(t, "creationPolicy")),
            deletion_policy: target.and_then(|t| r.str(t, "deletionPolicy")),
            template_type: template.and_then(|t| r.str(t, "type")),
            template_data_keys,
            target_span: target.map(|t| t.span),
            secret_keys,
            remote_keys,
            has_data: spec
                .get("data")
                .and_then(Node::as_seq)
                .is_some_and(|d| !d.is_empty()),
            has_data_from: spec
                .get("dataFrom")
                .and_then(Node::as_seq)
                .is_some_and(|d| !d.is_empty()),
            writes_once: spec.get("refreshPolicy").and_then(Node::as_str) == Some("CreatedOnce")
                || spec.get("refreshInterval").is_some_and(zero_duration),
            span: spec.span,
        }
    }

    pub fn creation_policy(&self) -> &str {
        self.creation_policy
            .as_ref()
            .map(|c| c.v.as_str())
            .unwrap_or("Owner")
    }

    /// Writes the Secret once and hands it over (`CreatedOnce` or no refresh, with
    /// `creationPolicy: Orphan`): the "restore it once, then another controller owns it" pattern,
    /// so it is not a second writer of that Secret.
    pub fn hands_over(&self) -> bool {
        self.writes_once && self.creation_policy() == "Orphan"
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
    pub external_secret_name: Option<Sp<Text>>,
    pub namespaces: Vec<Sp<Text>>,
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

/// A condition of a ClusterSecretStore: which namespaces may use it.
#[derive(Clone, Debug)]
pub struct StoreCondition {
    pub namespaces: Vec<String>,
    pub selector: Option<Node>,
    pub regexes: Vec<String>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct AzureKv {
    pub auth_type: Option<Sp<Text>>,
    pub service_account_ref: Option<super::refs::ObjRef>,
    /// `authSecretRef.clientId` is set.
    pub client_id_from_secret: bool,
}

/// SecretStore and ClusterSecretStore.
#[derive(Clone, Debug)]
pub struct SecretStore {
    pub conditions: Vec<StoreCondition>,
    pub conditions_span: Option<Span>,
    pub azurekv: Option<AzureKv>,
    /// `name` values of provider secret/service-account references that set no namespace.
    pub refs_without_namespace: Vec<Sp<Text>>,
}

impl SecretStore {
    pub fn read(r: &mut Reader, spec: &Node) -> Self {
        let conditions = r
            .maps(spec, "conditions")
            .into_iter()
            .map(|c| StoreCondition {
                namespaces: r
                    .str_list(c, "namespaces")
                    .into_iter()
                    .map(|n| n.v.into())
                    .collect(),
                selector: r.map(c, "namespaceSelector").cloned(),
                regexes: r
                    .str_list(c, "namespaceRegexes")
                    .into_iter()
                    .map(|n| n.v.into())
                    .collect(),
                span: c.span,
            })
            .collect();
        let provider = r.map(spec, "provider");
        let azurekv = provider.and_then(|p| r.map(p, "azurekv")).map(|a| AzureKv {
            auth_type: r.str(a, "authType"),
            service_account_ref: r
                .map(a, "serviceAccountRef")
                .map(|s| super::refs::ObjRef::read(r, s)),
            client_id_from_secret: a
                .get("authSecretRef")
                .and_then(|s| s.get("clientId"))
                .is_some(),
        });
        let mut refs_without_namespace = Vec::new();
        if let Some(p) = provider {
            collect_refs(p, false, &mut refs_without_namespace);
        }
        SecretStore {
            conditions,
            conditions_span: r.field(spec, "conditions").map(|c| c.span),
            azurekv,
            refs_without_namespace,
        }
    }
}

/// Walks a provider block for secret and service-account references without a namespace.
fn collect_refs(node: &Node, in_ref: bool, out: &mut Vec<Sp<Text>>) {
    let Some(entries) = node.as_map() else {
        if let Some(items) = node.as_seq() {
            for i in items {
                collect_refs(i, in_ref, out);
            }
        }
        return;
    };
    if in_ref {
        if let Some(name) = node
            .get("name")
            .and_then(|n| n.as_str().map(|s| (s, n.span)))
        {
            if node.get("namespace").is_none() {
                out.push(Sp::new(name.0.into(), name.1));
            }
            return;
        }
    }
    for (k, v) in entries {
        let key = k.as_str().unwrap_or("");
        let is_ref = key.ends_with("SecretRef")
            || key == "secretRef"
            || key == "serviceAccountRef"
            || (in_ref && v.get("name").is_some());
        collect_refs(v, is_ref || (key == "authSecretRef"), out);
    }
}
