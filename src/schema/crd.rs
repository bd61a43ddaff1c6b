//! CustomResourceDefinitions as schemas: one structural schema per version.

use crate::load::tree::{Node, Value};

use super::openapi::Schema;

#[derive(Debug)]
pub struct KindSchema {
    pub group: String,
    pub kind: String,
    /// `(version, schema)`, served versions only.
    pub versions: Vec<(String, Schema)>,
    /// How findings name the schema: `CRD gateways.gateway.networking.k8s.io` or the bundle.
    pub origin: String,
    /// Unique for the process: cached rule outcomes are keyed by it, since a freed schema's
    /// address may be reused by another.
    pub id: u64,
}

/// A fresh schema id.
pub fn next_id() -> u64 {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

impl KindSchema {
    pub fn version(&self, name: &str) -> Option<&Schema> {
        self.versions
            .iter()
            .find(|(v, _)| v == name)
            .map(|(_, s)| s)
    }

    /// Reads an `apiextensions.k8s.io/v1` CRD's `spec`; `None` when it is not a usable CRD or
    /// has no schema.
    pub fn from_crd(name: &str, spec: &Node) -> Option<KindSchema> {
        KindSchema::from_crd_version(name, spec, true)
    }

    /// As `from_crd`; `v1` false for an older `apiextensions.k8s.io` version, whose schemas
    /// keep unknown fields unless `preserveUnknownFields: false` says otherwise.
    pub fn from_crd_version(name: &str, spec: &Node, v1: bool) -> Option<KindSchema> {
        // Where unknown fields are kept, a schema's properties are not the only fields.
        let complete = match spec.get("preserveUnknownFields").map(|p| &p.value) {
            Some(Value::Bool(keep)) => !keep,
            _ => v1,
        };
        let group = spec.get("group")?.as_str()?.to_string();
        let kind = spec.get("names")?.get("kind")?.as_str()?.to_string();
        let versions: Vec<(String, Schema)> = spec
            .get("versions")?
            .as_seq()?
            .iter()
            .filter(|v| !matches!(v.get("served").map(|s| &s.value), Some(Value::Bool(false))))
            .filter_map(|v| {
                let name = v.get("name")?.as_str()?.to_string();
                let schema = v.pointer("/schema/openAPIV3Schema")?;
                let parsed = if complete {
                    Schema::parse(schema)
                } else {
                    Schema::parse_partial(schema)
                };
                Some((name, parsed))
            })
            .collect();
        if versions.is_empty() {
            return None;
        }
        Some(KindSchema {
            group,
            kind,
            versions,
            origin: format!("CRD {name}"),
            id: next_id(),
        })
    }
}
