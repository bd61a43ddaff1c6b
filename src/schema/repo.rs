//! Validation against the CustomResourceDefinitions found in the linted repository.
//!
//! Object trees are not kept after modelling, so the documents of the kinds these CRDs define
//! are parsed again, once per file. Where a repository defines the same CRD more than once
//! (copies, overlays, both Gateway API channels), a finding stands only when every definition
//! agrees on it: any one of them may be the one installed.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use rayon::prelude::*;

use super::{KindSchema, Violation, validate_object};
use crate::diagnostic::Diagnostic;
use crate::load::parse::{self, Limits};
use crate::load::tree::Node;
use crate::model::{Object, Spec};
use crate::source::SourceFile;

type GroupKind = (String, String);

/// The kinds the repository's CRDs define schemas for.
pub fn repo_schemas(objects: &[Object]) -> HashMap<GroupKind, Vec<Arc<KindSchema>>> {
    let mut out: HashMap<GroupKind, Vec<Arc<KindSchema>>> = HashMap::new();
    for o in objects {
        if let Spec::Crd(c) = &o.spec {
            if let Some(s) = &c.schema {
                out.entry((s.group.clone(), s.kind.clone()))
                    .or_default()
                    .push(s.clone());
            }
        }
    }
    out
}

/// Validates every object of a kind in `schemas`.
pub fn validate(
    schemas: &HashMap<GroupKind, Vec<Arc<KindSchema>>>,
    objects: &[Object],
    files: &[SourceFile],
    limits: Limits,
) -> Vec<Diagnostic> {
    if schemas.is_empty() {
        return Vec::new();
    }
    let mut by_file: BTreeMap<u32, Vec<&Object>> = BTreeMap::new();
    for o in objects {
        if schemas.contains_key(&(o.key.group.to_string(), o.key.kind.to_string())) {
            by_file.entry(o.file).or_default().push(o);
        }
    }
    let work: Vec<(u32, Vec<&Object>)> = by_file.into_iter().collect();
    work.par_iter()
        .flat_map_iter(|(file, objs)| {
            let mut out = Vec::new();
            let Some(src) = files.get(*file as usize) else {
                return out;
            };
            let parsed = parse::parse(&src.text, src.lines(), *file, limits);
            for o in objs {
                let Some(doc) = parsed.docs.iter().find(|d| d.start as u32 == o.doc.start) else {
                    continue;
                };
                let Some(node) = object_node(&doc.root, o) else {
                    continue;
                };
                let key = (o.key.group.to_string(), o.key.kind.to_string());
                let defs = schemas.get(&key).map(Vec::as_slice).unwrap_or_default();
                for v in agreed(node, defs, o) {
                    let who = if o.key.namespace.is_empty() {
                        o.key.name.to_string()
                    } else {
                        format!("{}/{}", o.key.namespace, o.key.name)
                    };
                    let mut d = Diagnostic::new(
                        v.rule,
                        v.span,
                        format!("{} {who}: {}", o.key.kind, v.message),
                    );
                    if let Some(l) = v.label {
                        d = d.label(l);
                    }
                    out.push(d.on(o));
                }
            }
            out
        })
        .collect()
}

/// The object's node in its document: the root, or the item of a `List`.
fn object_node<'n>(root: &'n Node, o: &Object) -> Option<&'n Node> {
    let is_it = |n: &Node| n.get("kind").is_some_and(|k| k.span == o.kind_span);
    if is_it(root) {
        return Some(root);
    }
    root.get("items")?.as_seq()?.iter().find(|i| is_it(i))
}

fn agreed(node: &Node, defs: &[Arc<KindSchema>], o: &Object) -> Vec<Violation> {
    let version = o
        .api_version
        .v
        .rsplit_once('/')
        .map_or(o.api_version.v.as_str(), |(_, v)| v);
    let mut results: Vec<Vec<Violation>> = defs
        .iter()
        .filter_map(|d| validate_object(node, d, version, o.kind_span))
        .collect();
    let Some(mut first) = results.pop() else {
        return Vec::new();
    };
    if results.is_empty() {
        return first;
    }
    let keyed = |v: &Violation| (v.rule, v.span, v.message.clone());
    let others: Vec<HashSet<_>> = results
        .iter()
        .map(|r| r.iter().map(keyed).collect())
        .collect();
    first.retain(|v| others.iter().all(|s| s.contains(&keyed(v))));
    first
}
