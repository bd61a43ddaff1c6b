//! What an editor asks of the graph: where a reference field leads, what a controller would
//! write about a route's attachment, which routes attach to a Gateway or a listener, what a
//! listener's certificate comes from. Computed from a finished graph into owned data, so a
//! client can answer from the last complete run while the next one builds.

use std::fmt::Write as _;

use super::attach::{self, Outcome};
use super::{Graph, Loc, ObjId, ProducerKind, RefKind, Resolution};
use crate::escape;
use crate::model::{ObjKey, Object, Spec};
use crate::source::Span;

/// A place a navigation leads to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    pub span: Span,
    /// What is there, e.g. `Gateway infra/public, listener https`.
    pub label: String,
}

/// A span of a file the editor can act on: a reference field, an object's name, a listener's
/// name or a ReferenceGrant entry.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Anchor {
    pub span: Span,
    /// Where "go to definition" leads.
    pub definitions: Vec<Target>,
    /// Where "find references" leads (the routes attached to a Gateway or listener).
    pub references: Vec<Target>,
    /// Markdown shown on hover.
    pub hover: Option<String>,
}

/// An object for the editor's outline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Symbol {
    pub kind: String,
    pub name: String,
    pub namespace: String,
    /// The object's document.
    pub range: Span,
    /// Its name.
    pub selection: Span,
}

#[derive(Debug, Default)]
pub struct Nav {
    /// Sorted by file and start.
    pub anchors: Vec<Anchor>,
    /// Sorted by file and start.
    pub symbols: Vec<Symbol>,
}

impl Nav {
    /// The innermost anchor at byte `offset` of `file`.
    pub fn at(&self, file: crate::source::FileId, offset: u32) -> Option<&Anchor> {
        let k = self
            .anchors
            .partition_point(|a| (a.span.file, a.span.start) <= (file, offset));
        // Anchors of one file that start at or before the offset; the one ending soonest after
        // it is the innermost. Anchors are short (one field), so few are looked at.
        self.anchors[..k]
            .iter()
            .rev()
            .take_while(|a| a.span.file == file)
            .take(64)
            .filter(|a| a.span.start <= offset && offset <= a.span.end)
            .min_by_key(|a| a.span.end - a.span.start)
    }

    pub fn symbols_of(&self, file: crate::source::FileId) -> &[Symbol] {
        let lo = self.symbols.partition_point(|s| s.range.file < file);
        let hi = self.symbols.partition_point(|s| s.range.file <= file);
        &self.symbols[lo..hi]
    }
}

/// `Kind namespace/name`, escaped. Each part is escaped on its own, which is the escape of the
/// whole: nothing that acts spans a space or a slash (a run of colons, `##[`), and the parts
/// are borrowed unless they need a change, so the label is the one allocation (labels are most
/// of what indexing a large repository allocates).
fn show(key: &ObjKey) -> String {
    let kind = escape::display(&key.kind);
    let namespace = escape::display(&key.namespace);
    let name = escape::display(&key.name);
    let mut s = String::with_capacity(kind.len() + namespace.len() + name.len() + 2);
    s.push_str(&kind);
    s.push(' ');
    if !key.namespace.is_empty() {
        s.push_str(&namespace);
        s.push('/');
    }
    s.push_str(&name);
    s
}

fn object_target(o: &Object) -> Target {
    Target {
        span: o.name_span(),
        label: show(&o.key),
    }
}

fn listener_name(l: &crate::model::gateway::Listener, index: usize) -> String {
    match &l.name {
        Some(n) => escape::display(&n.v).into_owned(),
        None => format!("#{index}"),
    }
}

fn listener_target(g: &Graph, id: attach::ListenerId) -> Option<Target> {
    let o = g.obj(id.owner);
    let l = attach::listeners_of(o).get(id.index)?;
    Some(Target {
        span: l.name.as_ref().map_or(l.span, |n| n.span),
        label: format!("{}, listener {}", show(&o.key), listener_name(l, id.index)),
    })
}

/// What a controller would write in the route's status for this parent.
fn attachment_hover(g: &Graph, a: &attach::Attachment) -> String {
    let parent = a.parent.map(|p| show(&g.obj(p).key)).unwrap_or_default();
    let mut s = format!("**{parent}**\n\n");
    let reason = match a.outcome {
        Outcome::Accepted => {
            s.push_str("`Accepted: True` (reason `Accepted`)\n");
            let mut hosts: Vec<&str> = Vec::new();
            for v in a.accepted() {
                if let Some(t) = listener_target(g, v.listener) {
                    let _ = writeln!(s, "- listener {}", t.label.rsplit(' ').next().unwrap_or(""));
                }
                for h in &v.hostnames {
                    if !hosts.contains(&h.as_str()) {
                        hosts.push(h);
                    }
                }
            }
            if !hosts.is_empty() {
                let shown: Vec<String> = hosts
                    .iter()
                    .map(|h| format!("`{}`", escape::display(h)))
                    .collect();
                let _ = write!(s, "\nEffective hostnames: {}\n", shown.join(", "));
            }
            return s;
        }
        Outcome::NotEvaluated => return s,
        Outcome::NoCandidates => "`NoMatchingParent`: no listener matches its sectionName or port",
        Outcome::ParentNotAccepted => {
            "`NotAllowedByListeners`: the ListenerSet is not accepted by its Gateway"
        }
        Outcome::NotAllowedByListeners => {
            "`NotAllowedByListeners`: no listener admits the route's namespace"
        }
        Outcome::KindNotAllowed => "`NotAllowedByListeners`: no listener admits the route's kind",
        Outcome::NoMatchingListenerHostname => {
            "`NoMatchingListenerHostname`: no listener hostname matches the route's hostnames"
        }
    };
    let _ = writeln!(s, "`Accepted: False`, reason {reason}");
    s
}

fn resolution_hover(r: &super::Reference) -> Option<String> {
    let what = show(&r.target);
    match r.resolution {
        Resolution::External => Some(format!("{what}: declared outside the repository")),
        Resolution::Produced => Some(format!("{what}: not in the repository; written by:")),
        Resolution::Missing => Some(format!("{what}: not found in the repository")),
        Resolution::Object(_) | Resolution::Unchecked => None,
    }
}

/// The Certificates' issuers and the ExternalSecrets' stores behind a producer.
fn producer_sources(g: &Graph, by_from: &[Vec<usize>], p: ObjId) -> Vec<Target> {
    let mut out = Vec::new();
    for &ri in by_from.get(p).map(Vec::as_slice).unwrap_or(&[]) {
        let r = &g.refs[ri];
        if matches!(
            r.kind,
            RefKind::IssuerRef | RefKind::ShimIssuer | RefKind::SecretStoreRef
        ) {
            if let Resolution::Object(id) = r.resolution {
                out.push(object_target(g.obj(id)));
            }
        }
    }
    out
}

/// A Secret's producers, then what they get it from.
fn secret_chain(g: &Graph, by_from: &[Vec<usize>], key: &ObjKey) -> Vec<Target> {
    let mut out = Vec::new();
    for p in g.producers.get(&key.namespace, &key.name) {
        if p.kind == ProducerKind::Manifest {
            continue;
        }
        let o = g.obj(p.obj);
        let what = match p.kind {
            ProducerKind::GatewayShim => "certificate generated from the annotations of",
            _ => "written by",
        };
        out.push(Target {
            span: p.span,
            label: format!("{what} {}", show(&o.key)),
        });
        out.extend(producer_sources(g, by_from, p.obj));
    }
    out
}

fn describe(targets: &[Target]) -> String {
    targets.iter().map(|t| format!("- {}\n", t.label)).collect()
}

/// Builds the navigation index of a finished graph.
pub fn index(g: &Graph) -> Nav {
    let mut anchors = Vec::new();
    let mut by_from: Vec<Vec<usize>> = vec![Vec::new(); g.objects.len()];
    for (i, r) in g.refs.iter().enumerate() {
        if let Some(v) = by_from.get_mut(r.from) {
            v.push(i);
        }
    }
    let mut attachment_of = std::collections::HashMap::new();
    for a in &g.attachments {
        attachment_of.insert((a.route, a.parent_ref), a);
    }
    for r in &g.refs {
        let mut definitions = Vec::new();
        let mut hover = resolution_hover(r);
        match &r.resolution {
            Resolution::Object(id) => {
                let o = g.obj(*id);
                let mut t = object_target(o);
                match (r.kind, r.loc) {
                    (RefKind::ParentRef, Loc::ParentRef(i)) => {
                        let section = match &g.obj(r.from).spec {
                            Spec::Route(route) => route
                                .parent_refs
                                .get(i)
                                .and_then(|p| p.section_name.as_ref()),
                            _ => None,
                        };
                        if let Some(section) = section {
                            let ls = attach::listeners_of(o);
                            if let Some((k, _)) = ls
                                .iter()
                                .enumerate()
                                .find(|(_, l)| l.name.as_ref().is_some_and(|n| n.v == section.v))
                            {
                                if let Some(lt) = listener_target(
                                    g,
                                    attach::ListenerId {
                                        owner: *id,
                                        index: k,
                                    },
                                ) {
                                    t = lt;
                                }
                            }
                        }
                        hover = attachment_of
                            .get(&(r.from, i))
                            .map(|a| attachment_hover(g, a));
                    }
                    (RefKind::BackendRef, Loc::Backend { rule, index }) => {
                        let port = match &g.obj(r.from).spec {
                            Spec::Route(route) => route
                                .rules
                                .get(rule)
                                .and_then(|ru| ru.all_backends().nth(index))
                                .and_then(|b| b.port.as_ref().map(|p| p.v)),
                            _ => None,
                        };
                        if let (Some(port), Spec::Service(svc)) = (port, &o.spec) {
                            if let Some(p) = svc
                                .ports
                                .iter()
                                .find(|p| p.port.as_ref().is_some_and(|n| n.v == port))
                            {
                                t = Target {
                                    span: p.port.as_ref().map_or(p.span, |n| n.span),
                                    label: format!("{}, port {port}", t.label),
                                };
                            }
                        }
                    }
                    _ => {}
                }
                definitions.push(t);
            }
            Resolution::Produced => {
                definitions = secret_chain(g, &by_from, &r.target);
                if let Some(h) = &mut hover {
                    h.push('\n');
                    h.push_str(&describe(&definitions));
                }
            }
            Resolution::External | Resolution::Missing | Resolution::Unchecked => {}
        }
        anchors.push(Anchor {
            span: r.span,
            definitions,
            references: Vec::new(),
            hover,
        });
    }
    object_anchors(g, &by_from, &mut anchors);
    grant_anchors(g, &mut anchors);
    anchors.sort_by_key(|a| (a.span.file, a.span.start, a.span.end));
    // One anchor per span: a field two references share keeps the first.
    anchors.dedup_by(|b, a| a.span == b.span);
    let mut symbols: Vec<Symbol> = g
        .objects
        .iter()
        .map(|o| Symbol {
            kind: escape::display(&o.key.kind).into_owned(),
            name: escape::display(&o.key.name).into_owned(),
            namespace: escape::display(&o.key.namespace).into_owned(),
            range: Span {
                file: o.file,
                start: o.doc.start,
                end: o.doc.end,
            },
            selection: o.name_span(),
        })
        .collect();
    symbols.sort_by_key(|s| (s.range.file, s.range.start));
    Nav { anchors, symbols }
}

/// A route's parentRef entry as a reference location.
fn parent_ref_target(g: &Graph, a: &attach::Attachment) -> Option<Target> {
    let route = g.obj(a.route);
    let Spec::Route(r) = &route.spec else {
        return None;
    };
    let p = r.parent_refs.get(a.parent_ref)?;
    let status = if a.outcome == Outcome::Accepted {
        "accepted"
    } else {
        "not accepted"
    };
    Some(Target {
        span: p.target.name.as_ref().map_or(p.target.span, |n| n.span),
        label: format!("{} ({status})", show(&route.key)),
    })
}

/// Gateways and ListenerSets (their names: the routes that attach) and their listeners (the
/// attached routes and the certificate chain).
fn object_anchors(g: &Graph, by_from: &[Vec<usize>], anchors: &mut Vec<Anchor>) {
    let mut attached: std::collections::HashMap<ObjId, Vec<&attach::Attachment>> =
        std::collections::HashMap::new();
    let mut on_listener: std::collections::HashMap<attach::ListenerId, Vec<&attach::Attachment>> =
        std::collections::HashMap::new();
    for a in &g.attachments {
        if let Some(p) = a.parent {
            attached.entry(p).or_default().push(a);
        }
        for v in a.accepted() {
            on_listener.entry(v.listener).or_default().push(a);
        }
    }
    for (id, o) in g.objects.iter().enumerate() {
        let listeners = attach::listeners_of(o);
        if listeners.is_empty() && !attached.contains_key(&id) {
            continue;
        }
        let routes: Vec<Target> = attached
            .get(&id)
            .into_iter()
            .flatten()
            .filter(|a| a.outcome == Outcome::Accepted)
            .filter_map(|a| parent_ref_target(g, a))
            .collect();
        let hover = format!(
            "**{}**\n\n{} attached route(s)\n{}",
            show(&o.key),
            routes.len(),
            describe(&routes)
        );
        anchors.push(Anchor {
            span: o.name_span(),
            definitions: Vec::new(),
            references: routes,
            hover: Some(hover),
        });
        for (index, l) in listeners.iter().enumerate() {
            let Some(name) = &l.name else { continue };
            let lid = attach::ListenerId { owner: id, index };
            let routes: Vec<Target> = on_listener
                .get(&lid)
                .into_iter()
                .flatten()
                .filter_map(|a| parent_ref_target(g, a))
                .collect();
            let mut hover = format!(
                "**listener {}** of {}\n\n{} attached route(s)\n{}",
                listener_name(l, index),
                show(&o.key),
                routes.len(),
                describe(&routes)
            );
            let chain = certificate_chain(g, by_from, id, index);
            if !chain.is_empty() {
                hover.push_str("\nCertificate:\n");
                hover.push_str(&describe(&chain));
            }
            anchors.push(Anchor {
                span: name.span,
                definitions: Vec::new(),
                references: routes,
                hover: Some(hover),
            });
        }
    }
}

/// A listener's certificateRefs, each followed by what writes the Secret and its issuer.
fn certificate_chain(
    g: &Graph,
    by_from: &[Vec<usize>],
    owner: ObjId,
    listener: usize,
) -> Vec<Target> {
    let mut out = Vec::new();
    for &ri in by_from.get(owner).map(Vec::as_slice).unwrap_or(&[]) {
        let r = &g.refs[ri];
        let Loc::CertificateRef { listener: l, .. } = r.loc else {
            continue;
        };
        if l != listener || r.kind != RefKind::CertificateRef {
            continue;
        }
        let state = match r.resolution {
            Resolution::Object(_) => "in the repository",
            Resolution::Produced => "produced",
            Resolution::External => "declared external",
            Resolution::Missing => "missing",
            Resolution::Unchecked => "not checked",
        };
        out.push(Target {
            span: r.span,
            label: format!("{} ({state})", show(&r.target)),
        });
        out.extend(secret_chain(g, by_from, &r.target));
    }
    out
}

/// ReferenceGrant `to` entries lead to the objects they allow; `from` entries to the references
/// the grant admits.
fn grant_anchors(g: &Graph, anchors: &mut Vec<Anchor>) {
    let mut admitted: std::collections::HashMap<ObjId, Vec<&super::Reference>> =
        std::collections::HashMap::new();
    for r in g.grant_governed() {
        if let super::grants::Permission::Granted(ids) = g.permission(r) {
            for id in ids {
                admitted.entry(id).or_default().push(r);
            }
        }
    }
    for (id, o) in g.objects.iter().enumerate() {
        let Spec::ReferenceGrant(grant) = &o.spec else {
            continue;
        };
        for to in &grant.to {
            let (Some(kind), Some(name)) = (&to.kind, &to.name) else {
                continue;
            };
            let group = to.group.as_ref().map_or("", |g| g.v.as_str());
            let key = ObjKey::new(group, &kind.v, &o.key.namespace, &name.v);
            let definitions: Vec<Target> = g
                .all(&key)
                .iter()
                .map(|&t| object_target(g.obj(t)))
                .collect();
            anchors.push(Anchor {
                span: to.span,
                definitions,
                ..Anchor::default()
            });
        }
        for from in &grant.from {
            let (Some(kind), Some(ns)) = (&from.kind, &from.namespace) else {
                continue;
            };
            let definitions: Vec<Target> = admitted
                .get(&id)
                .into_iter()
                .flatten()
                .filter(|r| {
                    let f = &g.obj(r.from).key;
                    f.kind == kind.v && f.namespace == ns.v
                })
                .map(|r| Target {
                    span: r.span,
                    label: format!("{} of {}", r.kind.label(), show(&g.obj(r.from).key)),
                })
                .collect();
            anchors.push(Anchor {
                span: from.span,
                definitions,
                ..Anchor::default()
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The label is the escape of the whole `Kind namespace/name`, as it was made before the
    /// parts were escaped one by one.
    #[test]
    fn show_escapes_as_the_whole_label() {
        let parts = [
            "",
            "web",
            "a::b",
            "a:",
            ":b",
            "::",
            "#",
            "##[x",
            "a#",
            "#[",
            "\u{1b}[2J",
            "\n",
            "\u{202e}x",
            "ns/with/slash",
            "é",
        ];
        for kind in &parts {
            for ns in &parts {
                for name in &parts {
                    let key = ObjKey::new("", kind, ns, name);
                    let joined = if ns.is_empty() {
                        format!("{kind} {name}")
                    } else {
                        format!("{kind} {ns}/{name}")
                    };
                    assert_eq!(
                        show(&key),
                        escape::display(&joined),
                        "{kind:?} {ns:?} {name:?}"
                    );
                }
            }
        }
    }
}
