//! `gwlint graph`: the reference graph as Graphviz DOT, Mermaid or JSON, with findings marked on
//! the nodes and edges they concern.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use petgraph::Direction;
use petgraph::graph::NodeIndex;
use petgraph::visit::EdgeRef;
use serde_json::json;

use crate::Outcome;
use crate::graph::{GEdge, GNode, Graph, Resolution};
use crate::model::ObjKey;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GraphFormat {
    Dot,
    Mermaid,
    Json,
}

/// Which part of the graph to draw.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    pub namespace: Option<String>,
    /// `namespace/name` of a Gateway: it and everything within three references of it.
    pub gateway: Option<String>,
}

struct Drawn {
    nodes: Vec<(NodeIndex, ObjKey, &'static str, Vec<&'static str>)>,
    edges: Vec<(NodeIndex, NodeIndex, String, Vec<&'static str>)>,
}

fn key_of(g: &Graph, n: NodeIndex) -> ObjKey {
    match &g.graph()[n] {
        GNode::Object(id) => g.obj(*id).key.clone(),
        GNode::Virtual(k) => k.clone(),
    }
}

fn collect(outcome: &Outcome, g: &Graph, filter: &Filter) -> Drawn {
    let mut node_findings: BTreeMap<ObjKey, BTreeSet<&'static str>> = BTreeMap::new();
    let mut span_findings: BTreeMap<crate::source::Span, BTreeSet<&'static str>> = BTreeMap::new();
    for d in &outcome.diagnostics {
        if let Some(o) = &d.object {
            node_findings.entry(o.clone()).or_default().insert(d.rule);
        }
        span_findings.entry(d.span).or_default().insert(d.rule);
    }
    let connected = |n: NodeIndex| {
        g.graph()
            .edges_directed(n, Direction::Outgoing)
            .next()
            .is_some()
            || g.graph()
                .edges_directed(n, Direction::Incoming)
                .next()
                .is_some()
    };
    let mut keep: BTreeSet<NodeIndex> =
        g.graph().node_indices().filter(|&n| connected(n)).collect();
    if let Some(ns) = &filter.namespace {
        let own: BTreeSet<NodeIndex> = keep
            .iter()
            .copied()
            .filter(|&n| key_of(g, n).namespace == *ns)
            .collect();
        let mut with_neighbours = own.clone();
        for &n in &own {
            with_neighbours.extend(g.graph().neighbors_undirected(n));
        }
        keep = with_neighbours;
    }
    if let Some(gw) = &filter.gateway {
        let (ns, name) = gw.split_once('/').unwrap_or(("default", gw.as_str()));
        let start = g.graph().node_indices().find(|&n| {
            let k = key_of(g, n);
            k.kind == "Gateway" && k.namespace == ns && k.name == name
        });
        let mut reach = BTreeSet::new();
        if let Some(s) = start {
            let mut queue = VecDeque::from([(s, 0)]);
            reach.insert(s);
            while let Some((n, depth)) = queue.pop_front() {
                if depth == 3 {
                    continue;
                }
                for m in g.graph().neighbors_undirected(n) {
                    if reach.insert(m) {
                        queue.push_back((m, depth + 1));
                    }
                }
            }
        }
        keep = keep.intersection(&reach).copied().collect();
    }
    let nodes = keep
        .iter()
        .map(|&n| {
            let key = key_of(g, n);
            let status = match &g.graph()[n] {
                GNode::Object(_) => "object",
                GNode::Virtual(_) => {
                    let incoming: Vec<_> =
                        g.graph().edges_directed(n, Direction::Incoming).collect();
                    let res = incoming.iter().find_map(|e| match e.weight() {
                        GEdge::Ref(i) => Some(&g.refs[*i].resolution),
                        GEdge::Produces => None,
                    });
                    match res {
                        Some(Resolution::Missing) => "missing",
                        Some(Resolution::External) => "external",
                        Some(Resolution::Unchecked) => "unchecked",
                        _ => "produced",
                    }
                }
            };
            let findings = node_findings
                .get(&key)
                .map(|s| s.iter().copied().collect())
                .unwrap_or_default();
            (n, key, status, findings)
        })
        .collect();
    let mut edges = Vec::new();
    for e in g.graph().edge_references() {
        if !keep.contains(&e.source()) || !keep.contains(&e.target()) {
            continue;
        }
        let (label, findings) = match e.weight() {
            GEdge::Ref(i) => {
                let r = &g.refs[*i];
                // Findings on the reference's field or on the entry holding it.
                let f: BTreeSet<&'static str> = span_findings
                    .iter()
                    .filter(|(s, _)| {
                        s.file == r.span.file
                            && s.start <= r.span.start
                            && r.span.end <= s.end.max(s.start + 1)
                    })
                    .flat_map(|(_, rules)| rules.iter().copied())
                    .collect();
                let f: Vec<&'static str> = f.into_iter().collect();
                (r.kind.label().to_string(), f)
            }
            GEdge::Produces => ("produces".to_string(), Vec::new()),
        };
        edges.push((e.source(), e.target(), label, findings));
    }
    edges.sort_by(|a, b| (a.0, a.1, &a.2).cmp(&(b.0, b.1, &b.2)));
    Drawn { nodes, edges }
}

/// A node's label: kind, then namespace/name on a second line (`br`), each part escaped by `esc`
/// for the target syntax.
fn title(k: &ObjKey, esc: fn(&str) -> String, br: &str) -> String {
    if k.namespace.is_empty() {
        format!("{}{br}{}", esc(&k.kind), esc(&k.name))
    } else {
        format!("{}{br}{}/{}", esc(&k.kind), esc(&k.namespace), esc(&k.name))
    }
}

/// Text from the files inside a DOT quoted string: a backslash would escape the closing quote
/// (or start a `\N`-style escape) and a quote would end the string, so both are escaped, and
/// line breaks and control characters are written visibly (`crate::escape`).
fn dot_escape(s: &str) -> String {
    crate::escape::display(s)
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
}

/// Text from the files inside a Mermaid quoted label: quotes and angle brackets (which Mermaid
/// reads as markup) as entity codes, control characters and line breaks visibly.
fn mermaid_escape(s: &str) -> String {
    crate::escape::display(s)
        .replace('#', "#35;")
        .replace('"', "#quot;")
        .replace('<', "#lt;")
        .replace('>', "#gt;")
}

pub fn render(outcome: &Outcome, g: &Graph, format: GraphFormat, filter: &Filter) -> String {
    let d = collect(outcome, g, filter);
    match format {
        GraphFormat::Dot => {
            let mut out = String::from(
                "digraph gwlint {\n  rankdir=LR;\n  node [shape=box, style=\"rounded\", fontname=\"Helvetica\", fontsize=10];\n  edge [fontname=\"Helvetica\", fontsize=9];\n",
            );
            for (n, key, status, findings) in &d.nodes {
                let mut label = title(key, dot_escape, "\\n");
                if !findings.is_empty() {
                    label.push_str(&format!("\\n⚠ {}", findings.join(", ")));
                }
                let style = match (*status, findings.is_empty()) {
                    ("missing", _) => {
                        "style=\"rounded,dashed\", color=\"#c0392b\", fontcolor=\"#c0392b\""
                    }
                    ("external", _) | ("unchecked", _) => {
                        "style=\"rounded,dashed\", color=\"#7f8c8d\""
                    }
                    ("produced", _) => "style=\"rounded,dotted\"",
                    (_, false) => "color=\"#c0392b\", penwidth=2",
                    _ => "",
                };
                out.push_str(&format!(
                    "  n{} [label=\"{}\"{}{}];\n",
                    n.index(),
                    label,
                    if style.is_empty() { "" } else { ", " },
                    style
                ));
            }
            for (a, b, label, findings) in &d.edges {
                let label = dot_escape(label);
                let (label, style) = if findings.is_empty() {
                    (label, String::new())
                } else {
                    (
                        format!("{label}\\n⚠ {}", findings.join(", ")),
                        ", color=\"#c0392b\", fontcolor=\"#c0392b\", penwidth=2".to_string(),
                    )
                };
                out.push_str(&format!(
                    "  n{} -> n{} [label=\"{}\"{style}];\n",
                    a.index(),
                    b.index(),
                    label
                ));
            }
            out.push_str("}\n");
            out
        }
        GraphFormat::Mermaid => {
            let mut out = String::from("flowchart LR\n");
            for (n, key, status, findings) in &d.nodes {
                let mut label = title(key, mermaid_escape, "<br/>");
                if !findings.is_empty() {
                    label.push_str(&format!("<br/>⚠ {}", findings.join(", ")));
                }
                out.push_str(&format!("  n{}[\"{}\"]\n", n.index(), label));
                let class = match (*status, findings.is_empty()) {
                    ("missing", _) => Some("missing"),
                    ("external", _) | ("unchecked", _) => Some("external"),
                    (_, false) => Some("finding"),
                    _ => None,
                };
                if let Some(c) = class {
                    out.push_str(&format!("  class n{} {c}\n", n.index()));
                }
            }
            let mut red = Vec::new();
            for (i, (a, b, label, findings)) in d.edges.iter().enumerate() {
                let label = mermaid_escape(label);
                let text = if findings.is_empty() {
                    label
                } else {
                    format!("{label} ⚠ {}", findings.join(", "))
                };
                out.push_str(&format!(
                    "  n{} -->|\"{}\"| n{}\n",
                    a.index(),
                    text,
                    b.index()
                ));
                if !findings.is_empty() {
                    red.push(i.to_string());
                }
            }
            out.push_str("  classDef finding stroke:#c0392b,stroke-width:2px\n  classDef missing stroke:#c0392b,stroke-dasharray:4\n  classDef external stroke:#7f8c8d,stroke-dasharray:4\n");
            if !red.is_empty() {
                out.push_str(&format!(
                    "  linkStyle {} stroke:#c0392b,stroke-width:2px\n",
                    red.join(",")
                ));
            }
            out
        }
        GraphFormat::Json => {
            let nodes: Vec<_> = d
                .nodes
                .iter()
                .map(|(n, k, status, findings)| {
                    json!({"id": n.index(), "group": k.group, "kind": k.kind, "namespace": k.namespace, "name": k.name, "status": status, "findings": findings})
                })
                .collect();
            let edges: Vec<_> = d
                .edges
                .iter()
                .map(|(a, b, label, findings)| json!({"from": a.index(), "to": b.index(), "field": label, "findings": findings}))
                .collect();
            let mut s = Vec::new();
            // Writing to a vector cannot fail.
            let _ = super::write_json(
                &json!({"version": 1, "nodes": nodes, "edges": edges}),
                &mut s,
            );
            String::from_utf8(s).unwrap_or_default()
        }
    }
}
