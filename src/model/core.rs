//! Core kinds the graph reads: Service and Secret.

use super::read::Reader;
use crate::load::tree::{Node, Value};
use crate::source::{Sp, Span};

#[derive(Clone, Debug)]
pub struct Service {
    pub type_: Option<Sp<String>>,
    pub ports: Vec<ServicePort>,
    pub ports_span: Option<Span>,
}

#[derive(Clone, Debug)]
pub struct ServicePort {
    pub name: Option<Sp<String>>,
    pub port: Option<Sp<i64>>,
    /// Numeric targetPort only (a named targetPort is a container port name).
    pub target_port: Option<i64>,
    pub span: Span,
}

impl Service {
    pub fn read(r: &mut Reader, spec: &Node) -> Self {
        Service {
            type_: r.str(spec, "type"),
            ports_span: r.field(spec, "ports").map(|p| p.span),
            ports: r
                .maps(spec, "ports")
                .into_iter()
                .map(|p| ServicePort {
                    name: r.str(p, "name"),
                    port: r.int(p, "port"),
                    target_port: match p.get("targetPort").map(|t| &t.value) {
                        Some(Value::Int(i)) => Some(*i),
                        _ => None,
                    },
                    span: p.span,
                })
                .collect(),
        }
    }

    pub fn is_external_name(&self) -> bool {
        self.type_.as_ref().is_some_and(|t| t.v == "ExternalName")
    }
}

/// A Secret manifest. Only key names are kept; values are never copied out of the tree.
#[derive(Clone, Debug)]
pub struct Secret {
    pub type_: Option<Sp<String>>,
    pub data_keys: Vec<Sp<String>>,
    pub string_data_keys: Vec<Sp<String>>,
}

impl Secret {
    /// `root` is the whole object: Secret has no `spec`.
    pub fn read(r: &mut Reader, root: &Node) -> Self {
        let keys = |r: &mut Reader, field: &str| -> Vec<Sp<String>> {
            let Some(m) = r.map(root, field) else {
                return Vec::new();
            };
            m.as_map()
                .unwrap_or(&[])
                .iter()
                .filter_map(|(k, _)| k.as_str().map(|s| Sp::new(s.to_string(), k.span)))
                .collect()
        };
        Secret {
            type_: r.str(root, "type"),
            data_keys: keys(r, "data"),
            string_data_keys: keys(r, "stringData"),
        }
    }
}

/// Byte ranges of every value under a Secret's `data`/`stringData`, and of the
/// last-applied-configuration annotation (which repeats them).
pub fn secret_value_ranges(root: &Node) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    for field in ["data", "stringData"] {
        if let Some(n) = root.get(field) {
            match &n.value {
                Value::Map(entries) => out.extend(entries.iter().map(|(_, v)| v.span.range())),
                _ => out.push(n.span.range()),
            }
        }
    }
    if let Some(v) = root
        .get("metadata")
        .and_then(|m| m.get("annotations"))
        .and_then(|a| a.get("kubectl.kubernetes.io/last-applied-configuration"))
    {
        out.push(v.span.range());
    }
    out
}
