//! kustomize patches, applied to the span tree of the object they target: strategic-merge
//! patches (maps merge, `null` removes a key, lists replace — exactly JSON merge patch, which
//! is what kustomize does for custom resources; for built-in kinds, whose lists merge by key,
//! a patch of a list is not followed) and JSON 6902 patches (`add`, `replace`, `remove`). The
//! patch's nodes keep their spans, so what a patch sets points into the patch file. What
//! gwlint cannot apply exactly is not applied at all: the object stays as written.

use crate::load::tree::{Node, Value};
use crate::model::kustomize::Selector;

/// One patch document, read from a patch file.
#[derive(Clone, Debug)]
pub struct Patch {
    pub how: How,
    /// The objects it applies to.
    pub target: Selector,
}

#[derive(Clone, Debug)]
pub enum How {
    Merge(Node),
    Json(Vec<Op>),
    /// `$patch: delete`: the object leaves the build.
    Delete,
}

#[derive(Clone, Debug)]
pub struct Op {
    kind: OpKind,
    path: Vec<String>,
    value: Option<Node>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum OpKind {
    Add,
    Replace,
    Remove,
}

/// Why a patch was not applied.
#[derive(Debug)]
pub struct Unsure;

/// Reads the documents of a patch file. `target` is the entry's `target:`, which JSON 6902
/// patches need and which overrides a strategic-merge patch's own kind and name. Documents
/// that cannot be followed exactly are left out (`None` for the whole file when one is
/// unsure: a partial patch would be a build nobody deploys).
pub fn read(docs: &[Node], target: Option<&Selector>) -> Option<Vec<Patch>> {
    let mut out = Vec::new();
    for root in docs {
        match &root.value {
            Value::Seq(ops) => {
                let target = target?.clone();
                let ops = ops.iter().map(read_op).collect::<Option<Vec<Op>>>()?;
                out.push(Patch {
                    how: How::Json(ops),
                    target,
                });
            }
            Value::Map(_) => {
                let own = own_target(root)?;
                let target = target.cloned().unwrap_or(own);
                let delete = root.get("$patch").and_then(Node::as_str) == Some("delete");
                let how = if delete {
                    How::Delete
                } else {
                    How::Merge(root.clone())
                };
                out.push(Patch { how, target });
            }
            Value::Null => {}
            _ => return None,
        }
    }
    Some(out)
}

/// The kind, name and namespace a strategic-merge patch names for itself.
fn own_target(root: &Node) -> Option<Selector> {
    let kind = root.get("kind")?.as_str()?.to_string();
    let group = root
        .get("apiVersion")
        .and_then(Node::as_str)
        .map(|a| a.rsplit_once('/').map_or("", |(g, _)| g).to_string());
    let meta = root.get("metadata");
    let field = |k: &str| {
        meta.and_then(|m| m.get(k))
            .and_then(Node::as_str)
            .map(str::to_string)
    };
    Some(Selector {
        group,
        kind: Some(kind),
        name: Some(field("name")?),
        namespace: field("namespace"),
    })
}

fn read_op(n: &Node) -> Option<Op> {
    let kind = match n.get("op")?.as_str()? {
        "add" => OpKind::Add,
        "replace" => OpKind::Replace,
        "remove" => OpKind::Remove,
        // `test`, `move` and `copy` are not followed.
        _ => return None,
    };
    let path = pointer(n.get("path")?.as_str()?)?;
    let value = match kind {
        OpKind::Remove => None,
        _ => Some(n.get("value")?.clone()),
    };
    Some(Op { kind, path, value })
}

/// A JSON pointer's reference tokens (`/a/b~1c` → `a`, `b/c`).
fn pointer(p: &str) -> Option<Vec<String>> {
    let rest = p.strip_prefix('/')?;
    Some(
        rest.split('/')
            .map(|t| t.replace("~1", "/").replace("~0", "~"))
            .collect(),
    )
}

/// Whether kustomize merges the lists of `group`'s kinds by key (the built-in kinds, whose
/// schemas it carries), rather than replacing them. Groups of Kubernetes itself, and the core
/// group; custom resources elsewhere, Gateway API's included.
pub fn merges_lists_by_key(group: &str) -> bool {
    !group.contains('.')
        || (group.ends_with(".k8s.io") && !group.starts_with("gateway.networking."))
}

/// Applies one patch to an object's tree.
pub fn apply(root: &mut Node, how: &How, builtin: bool) -> Result<(), Unsure> {
    match how {
        How::Merge(patch) => merge(root, &without_identity(patch), builtin, 0),
        How::Json(ops) => ops.iter().try_for_each(|op| apply_op(root, op)),
        How::Delete => Err(Unsure),
    }
}

const MAX_DEPTH: usize = 64;

fn merge(target: &mut Node, patch: &Node, builtin: bool, depth: usize) -> Result<(), Unsure> {
    if depth > MAX_DEPTH {
        return Err(Unsure);
    }
    let Value::Map(entries) = &patch.value else {
        if builtin && matches!(patch.value, Value::Seq(_)) {
            return Err(Unsure);
        }
        *target = without_nulls(patch);
        return Ok(());
    };
    if !matches!(target.value, Value::Map(_)) {
        *target = without_nulls(patch);
        return Ok(());
    }
    for (k, v) in entries {
        let Some(key) = k.as_str() else {
            return Err(Unsure);
        };
        // Strategic-merge directives (`$patch`, `$retainKeys`, `$setElementOrder/…`).
        if key.starts_with('$') {
            return Err(Unsure);
        }
        let Value::Map(have) = &mut target.value else {
            return Err(Unsure);
        };
        let at = have.iter().position(|(hk, _)| hk.as_str() == Some(key));
        match (at, v.is_null()) {
            (Some(i), true) => {
                have.remove(i);
            }
            (None, true) => {}
            (Some(i), false) => {
                let child = &mut have[i].1;
                merge(child, v, builtin, depth + 1)?;
            }
            (None, false) => have.push((k.clone(), without_nulls(v))),
        }
    }
    Ok(())
}

/// A strategic-merge patch without the fields that say what it patches: they select the object
/// and are not merged into it (the object keeps its apiVersion, name and namespace).
fn without_identity(patch: &Node) -> Node {
    let mut p = patch.clone();
    if let Value::Map(m) = &mut p.value {
        m.retain(|(k, _)| !matches!(k.as_str(), Some("apiVersion" | "kind")));
        for (k, v) in m.iter_mut() {
            if let (Some("metadata"), Value::Map(meta)) = (k.as_str(), &mut v.value) {
                meta.retain(|(k, _)| !matches!(k.as_str(), Some("name" | "namespace")));
            }
        }
    }
    p
}

/// A patch value as it lands in the object: keys set to `null` are not written.
fn without_nulls(n: &Node) -> Node {
    let mut out = n.clone();
    strip(&mut out, 0);
    out
}

fn strip(n: &mut Node, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    if let Value::Map(m) = &mut n.value {
        m.retain(|(_, v)| !v.is_null());
        for (_, v) in m.iter_mut() {
            strip(v, depth + 1);
        }
    }
}

fn apply_op(root: &mut Node, op: &Op) -> Result<(), Unsure> {
    let Some((last, parents)) = op.path.split_last() else {
        // The whole document: not followed.
        return Err(Unsure);
    };
    let mut node = root;
    for t in parents {
        node = match &mut node.value {
            Value::Map(m) => {
                let i = m
                    .iter()
                    .position(|(k, _)| k.as_str() == Some(t.as_str()))
                    .ok_or(Unsure)?;
                &mut m[i].1
            }
            Value::Seq(items) => {
                let i: usize = t.parse().map_err(|_| Unsure)?;
                items.get_mut(i).ok_or(Unsure)?
            }
            _ => return Err(Unsure),
        };
    }
    match &mut node.value {
        Value::Map(m) => {
            let at = m
                .iter()
                .position(|(k, _)| k.as_str() == Some(last.as_str()));
            match (op.kind, at, &op.value) {
                (OpKind::Add | OpKind::Replace, Some(i), Some(v)) => m[i].1 = v.clone(),
                (OpKind::Add, None, Some(v)) => {
                    // The key node has no place in the file: it takes the value's span.
                    let key = Node {
                        value: Value::Str(last.as_str().into()),
                        span: v.span,
                        style: crate::load::tree::Style::Plain,
                    };
                    m.push((key, v.clone()));
                }
                (OpKind::Remove, Some(i), _) => {
                    m.remove(i);
                }
                _ => return Err(Unsure),
            }
        }
        Value::Seq(items) => {
            let i = if last == "-" {
                items.len()
            } else {
                last.parse::<usize>().map_err(|_| Unsure)?
            };
            match (op.kind, &op.value) {
                (OpKind::Add, Some(v)) if i <= items.len() => items.insert(i, v.clone()),
                (OpKind::Replace, Some(v)) if i < items.len() => items[i] = v.clone(),
                (OpKind::Remove, _) if i < items.len() => {
                    items.remove(i);
                }
                _ => return Err(Unsure),
            }
        }
        _ => return Err(Unsure),
    }
    Ok(())
}

/// Whether `p` selects an object of (group, kind) called `names` (any of the names it had on
/// the way through the build) in `namespaces` (likewise).
pub fn selects(p: &Patch, group: &str, kind: &str, names: &[&str], namespaces: &[&str]) -> bool {
    let t = &p.target;
    t.group.as_deref().is_none_or(|g| g == group)
        && t.kind.as_deref().is_none_or(|k| k == kind)
        && t.name.as_deref().is_none_or(|n| names.contains(&n))
        && t.namespace
            .as_deref()
            .is_none_or(|n| namespaces.contains(&n))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::parse::{Limits, parse};
    use crate::source::{FileId, LineIndex};

    fn file_of(n: &Node) -> FileId {
        n.span.file
    }

    fn doc(text: &str, file: FileId) -> Node {
        let parsed = parse(text, &LineIndex::new(text), file, Limits::default());
        parsed.docs.into_iter().next().map(|d| d.root).unwrap()
    }

    const ROUTE: &str = "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata:\n  name: web\nspec:\n  hostnames: [a.example.com]\n  rules:\n    - backendRefs:\n        - name: api\n          port: 80\n";

    #[test]
    fn merge_patch_replaces_lists_of_custom_resources_and_keeps_patch_spans() {
        let mut root = doc(ROUTE, 0);
        let patch = doc(
            "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata:\n  name: web\nspec:\n  hostnames: [b.example.com]\n",
            1,
        );
        let ps = read(&[patch], None).unwrap();
        assert!(selects(
            &ps[0],
            "gateway.networking.k8s.io",
            "HTTPRoute",
            &["web"],
            &[]
        ));
        apply(&mut root, &ps[0].how, false).unwrap();
        let h = root.pointer("/spec/hostnames/0").unwrap();
        assert_eq!(h.as_str(), Some("b.example.com"));
        assert_eq!(file_of(h), 1);
        assert_eq!(
            root.pointer("/spec/hostnames")
                .unwrap()
                .as_seq()
                .unwrap()
                .len(),
            1
        );
        // Untouched fields stay the object's.
        assert_eq!(file_of(root.pointer("/spec/rules/0").unwrap()), 0);
    }

    #[test]
    fn merge_patch_null_removes_and_builtin_lists_are_not_followed() {
        let mut root = doc(ROUTE, 0);
        let patch = doc(
            "kind: HTTPRoute\nmetadata:\n  name: web\nspec:\n  hostnames: null\n",
            1,
        );
        let ps = read(&[patch], None).unwrap();
        apply(&mut root, &ps[0].how, false).unwrap();
        assert!(root.pointer("/spec/hostnames").is_none());
        let svc = "apiVersion: v1\nkind: Service\nmetadata:\n  name: api\nspec:\n  ports:\n    - port: 80\n";
        let mut root = doc(svc, 0);
        let patch = doc(
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: api\nspec:\n  ports:\n    - port: 81\n",
            1,
        );
        let ps = read(&[patch], None).unwrap();
        assert!(apply(&mut root, &ps[0].how, true).is_err());
    }

    #[test]
    fn json_patch_adds_replaces_and_removes() {
        let mut root = doc(ROUTE, 0);
        let patch = doc(
            "- op: replace\n  path: /spec/rules/0/backendRefs/0/name\n  value: api-v2\n- op: add\n  path: /spec/hostnames/-\n  value: c.example.com\n- op: remove\n  path: /spec/rules/0/backendRefs/0/port\n",
            1,
        );
        let target = Selector {
            kind: Some("HTTPRoute".into()),
            ..Selector::default()
        };
        let ps = read(&[patch], Some(&target)).unwrap();
        apply(&mut root, &ps[0].how, false).unwrap();
        let name = root.pointer("/spec/rules/0/backendRefs/0/name").unwrap();
        assert_eq!(name.as_str(), Some("api-v2"));
        assert_eq!(file_of(name), 1);
        assert_eq!(
            root.pointer("/spec/hostnames/1").unwrap().as_str(),
            Some("c.example.com")
        );
        assert!(root.pointer("/spec/rules/0/backendRefs/0/port").is_none());
        // A path that is not there fails kustomize's build: not applied.
        let bad = doc("- op: replace\n  path: /spec/nothing/here\n  value: 1\n", 1);
        let ps = read(&[bad], Some(&target)).unwrap();
        assert!(apply(&mut root, &ps[0].how, false).is_err());
        // `test`/`move`/`copy` are not followed.
        let mv = doc("- op: move\n  from: /a\n  path: /b\n", 1);
        assert!(read(&[mv], Some(&target)).is_none());
    }
}
