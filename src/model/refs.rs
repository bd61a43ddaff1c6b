//! Reference shapes shared by several kinds.

use super::read::Reader;
use crate::load::tree::Node;
use crate::source::Text;
use crate::source::{Sp, Span};

/// `{group, kind, name, namespace}` as written; defaults are applied by the graph, which knows
/// the field's semantics.
#[derive(Clone, Debug)]
pub struct ObjRef {
    pub group: Option<Sp<Text>>,
    pub kind: Option<Sp<Text>>,
    pub name: Option<Sp<Text>>,
    pub namespace: Option<Sp<Text>>,
    /// The whole reference entry.
    pub span: Span,
}

impl ObjRef {
    pub fn read(r: &mut Reader, node: &Node) -> ObjRef {
        ObjRef {
            group: r.str(node, "group"),
            kind: r.str(node, "kind"),
            name: r.str(node, "name"),
            namespace: r.str(node, "namespace"),
            span: node.span,
        }
    }

    pub fn group_or<'a>(&'a self, default: &'a str) -> &'a str {
        self.group.as_ref().map(|g| g.v.as_str()).unwrap_or(default)
    }

    pub fn kind_or<'a>(&'a self, default: &'a str) -> &'a str {
        self.kind.as_ref().map(|k| k.v.as_str()).unwrap_or(default)
    }

    pub fn namespace_or<'a>(&'a self, default: &'a str) -> &'a str {
        self.namespace
            .as_ref()
            .map(|n| n.v.as_str())
            .unwrap_or(default)
    }

    /// The span a finding about the target should point at: the name, else the whole entry.
    pub fn name_span(&self) -> Span {
        self.name.as_ref().map(|n| n.span).unwrap_or(self.span)
    }
}

/// A Gateway API ParentReference.
#[derive(Clone, Debug)]
pub struct ParentRef {
    pub target: ObjRef,
    pub section_name: Option<Sp<Text>>,
    pub port: Option<Sp<i64>>,
}

impl ParentRef {
    pub fn read(r: &mut Reader, node: &Node) -> ParentRef {
        ParentRef {
            target: ObjRef::read(r, node),
            section_name: r.str(node, "sectionName"),
            port: r.int(node, "port"),
        }
    }
}

/// A Gateway API BackendRef (also a requestMirror backendRef).
#[derive(Clone, Debug)]
pub struct BackendRef {
    pub target: ObjRef,
    pub port: Option<Sp<i64>>,
    pub weight: Option<Sp<i64>>,
    /// True for `filters[].requestMirror.backendRef`.
    pub mirror: bool,
}

impl BackendRef {
    pub fn read(r: &mut Reader, node: &Node, mirror: bool) -> BackendRef {
        BackendRef {
            target: ObjRef::read(r, node),
            port: r.int(node, "port"),
            weight: r.int(node, "weight"),
            mirror,
        }
    }
}
