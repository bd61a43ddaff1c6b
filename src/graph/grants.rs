//! ReferenceGrant permission (domain R2.5), in one place.

use foldhash::{HashMap, HashMapExt};

use super::ObjId;
use crate::model::{Object, Spec};

/// The referrer and the referent of a cross-namespace reference.
#[derive(Clone, Copy, Debug)]
pub struct Reference<'a> {
    pub from_group: &'a str,
    pub from_kind: &'a str,
    pub from_namespace: &'a str,
    pub to_group: &'a str,
    pub to_kind: &'a str,
    pub to_namespace: &'a str,
    pub to_name: &'a str,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Permission {
    /// Same namespace: no grant needed.
    SameNamespace,
    /// Allowed by these grants.
    Granted(Vec<ObjId>),
    /// No grant in the target namespace allows it.
    Denied,
}

impl Permission {
    pub fn allowed(&self) -> bool {
        !matches!(self, Permission::Denied)
    }
}

/// ReferenceGrants indexed by their (target) namespace, there by the namespaces their `from`
/// entries name, and there by the names their `to` entries allow: a reference looks only at the
/// grants that could admit it, however many grants its target namespace holds (one per backend
/// Service is a common layout).
#[derive(Default)]
pub struct Grants {
    by_namespace: HashMap<String, Namespace>,
}

#[derive(Default)]
struct Namespace {
    all: Vec<ObjId>,
    by_from: HashMap<String, FromNamespace>,
}

#[derive(Default)]
struct FromNamespace {
    /// Grants with a `to` entry without `name`: they may admit any name.
    any_name: Vec<ObjId>,
    by_name: HashMap<String, Vec<ObjId>>,
}

/// Appends `id` unless it was the last one added (a grant listed once per list).
fn push_once(ids: &mut Vec<ObjId>, id: ObjId) {
    if ids.last() != Some(&id) {
        ids.push(id);
    }
}

impl Grants {
    pub fn index(objects: &[Object]) -> Grants {
        let mut by_namespace: HashMap<String, Namespace> = HashMap::new();
        for (id, o) in objects.iter().enumerate() {
            let Spec::ReferenceGrant(g) = &o.spec else {
                continue;
            };
            let ns = by_namespace.entry(o.key.namespace.to_string()).or_default();
            ns.all.push(id);
            for f in &g.from {
                let from = ns
                    .by_from
                    .entry(f.namespace_or("").to_string())
                    .or_default();
                for t in &g.to {
                    match &t.name {
                        None => push_once(&mut from.any_name, id),
                        Some(n) => push_once(from.by_name.entry(n.v.to_string()).or_default(), id),
                    }
                }
            }
        }
        Grants { by_namespace }
    }

    pub fn in_namespace(&self, ns: &str) -> &[ObjId] {
        self.by_namespace
            .get(ns)
            .map(|n| n.all.as_slice())
            .unwrap_or(&[])
    }

    /// R2.5.2: same namespace, or some grant in the target namespace with a matching `from`
    /// entry and a matching `to` entry (group compared exactly: `core` is not `""`).
    pub fn permits(&self, objects: &[Object], r: &Reference) -> Permission {
        if r.from_namespace == r.to_namespace {
            return Permission::SameNamespace;
        }
        let Some(from) = self
            .by_namespace
            .get(r.to_namespace)
            .and_then(|n| n.by_from.get(r.from_namespace))
        else {
            return Permission::Denied;
        };
        let named = from.by_name.get(r.to_name).map_or(&[][..], Vec::as_slice);
        let mut granting: Vec<ObjId> = from
            .any_name
            .iter()
            .chain(named)
            .copied()
            .filter(|&id| grant_allows(&objects[id], r))
            .collect();
        // In object order, each grant once, as a scan of the namespace would give them.
        granting.sort_unstable();
        granting.dedup();
        if granting.is_empty() {
            Permission::Denied
        } else {
            Permission::Granted(granting)
        }
    }
}

fn grant_allows(grant: &Object, r: &Reference) -> bool {
    let Spec::ReferenceGrant(g) = &grant.spec else {
        return false;
    };
    let from_ok = g.from.iter().any(|f| {
        f.group_or("") == r.from_group
            && f.kind_or("") == r.from_kind
            && f.namespace_or("") == r.from_namespace
    });
    let to_ok = g.to.iter().any(|t| {
        t.group_or("") == r.to_group
            && t.kind_or("") == r.to_kind
            && t.name.as_ref().is_none_or(|n| n.v == r.to_name)
    });
    from_ok && to_ok
}
