//! The Gateway API standard-channel schemas embedded in the binary, for the configured bundle.
//!
//! `gateway-api.yaml` is gwlint's own transcription of what the standard CRDs enforce (domain
//! reference §3): the constraints and the validation rules, with the API server's messages.
//! Entries carry `x-gwlint-since` / `x-gwlint-until` (bundle versions) and `x-gwlint-channel`
//! where they differ between releases or channels; they are pruned for the configured target
//! before the schemas are built. The field lists of `gateway-api-fields.yaml` are then laid
//! over each kind (`fields::overlay`), so the schemas know every field a bundle declares.
//! Istio's networking kinds (`istio.yaml`, with `istio-fields.yaml` laid over it) come with
//! every catalog.

use std::sync::Arc;

use crate::config::{Channel, Version};
use crate::load::tree::{Node, Value};
use crate::load::{self, LoadOptions};
use crate::model::{GATEWAY_GROUP, ISTIO_NETWORKING_GROUP};

use super::crd::KindSchema;
use super::openapi::Schema;

const SOURCE: &str = include_str!("gateway-api.yaml");
/// Istio's networking kinds: one schema for every served version.
const ISTIO_SOURCE: &str = include_str!("istio.yaml");

/// Schemas by kind, for one bundle and channel.
#[derive(Debug, Default)]
pub struct Catalog {
    kinds: Vec<Arc<KindSchema>>,
}

impl Catalog {
    pub fn get(&self, group: &str, kind: &str) -> Option<&Arc<KindSchema>> {
        self.kinds
            .iter()
            .find(|k| k.kind == kind && k.group == group)
    }

    pub fn kinds(&self) -> &[Arc<KindSchema>] {
        &self.kinds
    }

    /// The embedded schemas of `bundle`; `channel` None reads as standard.
    pub fn gateway_api(bundle: Version, channel: Option<Channel>) -> Catalog {
        let label = match channel {
            Some(Channel::Experimental) => "experimental",
            Some(Channel::Standard) => "standard",
            None => "standard or experimental",
        };
        let loaded = load::load_bytes(
            0,
            std::path::Path::new("gateway-api.yaml"),
            SOURCE.as_bytes().to_vec(),
            &LoadOptions::default(),
        );
        let Some(root) = loaded.docs.first().map(|d| &d.root) else {
            return Catalog::default();
        };
        let keep = |n: &Node| applies(n, bundle, channel);
        let fields = super::fields::FieldLists::gateway_api();
        let mut kinds = Vec::new();
        for entry in root.get("kinds").and_then(Node::as_seq).unwrap_or_default() {
            if !keep(entry) {
                continue;
            }
            let (Some(kind), Some(schema)) = (
                entry.get("kind").and_then(Node::as_str),
                entry.get("schema"),
            ) else {
                continue;
            };
            let versions: Vec<&str> = entry
                .get("versions")
                .and_then(Node::as_seq)
                .unwrap_or_default()
                .iter()
                .filter_map(Node::as_str)
                .collect();
            let pruned = prune(schema, &keep);
            let tree = fields.kind(kind);
            let build = || {
                let mut s = Schema::parse_partial(&pruned);
                if let Some(t) = tree {
                    super::fields::overlay(&mut s, t);
                }
                s
            };
            kinds.push(Arc::new(KindSchema {
                group: GATEWAY_GROUP.to_string(),
                kind: kind.to_string(),
                versions: versions.iter().map(|v| (v.to_string(), build())).collect(),
                origin: format!("the Gateway API {bundle} {label} CRD for {kind}"),
                id: super::crd::next_id(),
            }));
        }
        kinds.extend(istio_kinds());
        Catalog { kinds }
    }
}

/// The embedded schemas of Istio's networking kinds: the transcription (partial) with Istio's
/// field lists laid over it.
fn istio_kinds() -> Vec<Arc<KindSchema>> {
    let loaded = load::load_bytes(
        0,
        std::path::Path::new("istio.yaml"),
        ISTIO_SOURCE.as_bytes().to_vec(),
        &LoadOptions::default(),
    );
    let Some(root) = loaded.docs.first().map(|d| &d.root) else {
        return Vec::new();
    };
    let fields = super::fields::FieldLists::istio();
    let mut out = Vec::new();
    for entry in root.get("kinds").and_then(Node::as_seq).unwrap_or_default() {
        let (Some(kind), Some(schema)) = (
            entry.get("kind").and_then(Node::as_str),
            entry.get("schema"),
        ) else {
            continue;
        };
        let tree = fields.kind(kind);
        let build = || {
            let mut s = Schema::parse_partial(schema);
            if let Some(t) = tree {
                super::fields::overlay(&mut s, t);
            }
            s
        };
        let versions = entry
            .get("versions")
            .and_then(Node::as_seq)
            .unwrap_or_default()
            .iter()
            .filter_map(Node::as_str)
            .map(|v| (v.to_string(), build()))
            .collect();
        out.push(Arc::new(KindSchema {
            group: ISTIO_NETWORKING_GROUP.to_string(),
            kind: kind.to_string(),
            versions,
            origin: format!("the Istio {kind} CRD"),
            id: super::crd::next_id(),
        }));
    }
    out
}

fn version_of(n: &Node, key: &str) -> Option<Version> {
    n.get(key).and_then(Node::as_str).and_then(Version::parse)
}

fn applies(n: &Node, bundle: Version, channel: Option<Channel>) -> bool {
    if version_of(n, "x-gwlint-since").is_some_and(|v| bundle < v) {
        return false;
    }
    if version_of(n, "x-gwlint-until").is_some_and(|v| bundle > v) {
        return false;
    }
    let paired = n.get("x-gwlint-pair").is_some();
    match n.get("x-gwlint-channel").and_then(Node::as_str) {
        // Unknown channel: both forms of a paired rule stay, to be merged into one.
        Some("experimental") => {
            channel == Some(Channel::Experimental) || (channel.is_none() && paired)
        }
        Some("standard") => channel != Some(Channel::Experimental),
        _ => true,
    }
}

/// A copy of `n` without the mapping entries and list items that do not apply.
fn prune(n: &Node, keep: &dyn Fn(&Node) -> bool) -> Node {
    let value = match &n.value {
        Value::Map(entries) => Value::Map(
            entries
                .iter()
                .filter(|(_, v)| keep(v))
                .map(|(k, v)| (k.clone(), prune(v, keep)))
                .collect(),
        ),
        Value::Seq(items) => Value::Seq(
            items
                .iter()
                .filter(|v| keep(v))
                .map(|v| prune(v, keep))
                .collect(),
        ),
        other => other.clone(),
    };
    Node {
        value,
        span: n.span,
        style: n.style,
    }
}
