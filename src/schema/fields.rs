//! The field lists of the embedded kinds, laid over gwlint's constraint transcriptions: the
//! Gateway API kinds (`gateway-api-fields.yaml`, generated from the released CRDs by
//! `scripts/gateway-api-fields.py`) and Istio's networking kinds (`istio-fields.yaml`, from
//! Istio's CRDs by `scripts/istio-fields.py`). Every field a CRD declares is added where the
//! transcription does not name it, and each object node whose fields are all listed becomes
//! complete, so that an undeclared field there is API509. The lists are the union over
//! releases, channels and versions: a field that any release declares is never called unknown.

use crate::load::tree::{Node, Value};
use crate::load::{self, LoadOptions};

use super::openapi::Schema;

const GATEWAY_API: &str = include_str!("gateway-api-fields.yaml");
const ISTIO: &str = include_str!("istio-fields.yaml");

/// Array items, map values and "any field" in the generated tree.
const ITEMS: &str = "[]";
const VALUES: &str = "*";
const OPEN: &str = "...";

/// The parsed field lists, per kind.
pub struct FieldLists {
    root: Option<Node>,
}

impl FieldLists {
    /// The lists of the Gateway API kinds.
    pub fn gateway_api() -> FieldLists {
        FieldLists::load("gateway-api-fields.yaml", GATEWAY_API)
    }

    /// The lists of Istio's networking kinds.
    pub fn istio() -> FieldLists {
        FieldLists::load("istio-fields.yaml", ISTIO)
    }

    fn load(name: &str, source: &str) -> FieldLists {
        let loaded = load::load_bytes(
            0,
            std::path::Path::new(name),
            source.as_bytes().to_vec(),
            &LoadOptions::default(),
        );
        FieldLists {
            root: loaded.docs.into_iter().next().map(|d| d.root),
        }
    }

    /// The field tree of `kind`, when the lists have it.
    pub fn kind(&self, kind: &str) -> Option<&Node> {
        self.root.as_ref()?.get("kinds")?.get(kind)
    }
}

/// Adds the fields of `tree` to `schema` and marks complete each object node that lists its
/// fields and keeps no unknown ones. Bounded by the size of the tree.
pub fn overlay(schema: &mut Schema, tree: &Node) {
    let Some(entries) = tree.as_map() else {
        return;
    };
    let open = tree.get(OPEN).is_some_and(|v| v.value == Value::Bool(true));
    let mut named = 0usize;
    for (k, v) in entries {
        let Some(key) = k.as_str() else { continue };
        match key {
            OPEN => {}
            ITEMS => overlay(schema.items.get_or_insert_with(Default::default), v),
            VALUES => overlay(schema.additional.get_or_insert_with(Default::default), v),
            name => {
                named += 1;
                let at = match schema.properties.iter().position(|(p, _)| &**p == name) {
                    Some(i) => i,
                    None => {
                        schema.properties.push((name.into(), Schema::default()));
                        schema.properties.len() - 1
                    }
                };
                overlay(&mut schema.properties[at].1, v);
            }
        }
    }
    if named > 0 && !open && tree.get(VALUES).is_none() {
        schema.complete = true;
    }
}
