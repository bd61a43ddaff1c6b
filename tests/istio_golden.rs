//! Compares gwlint's attachment result (accepted or not, and why) with the route status that
//! Istio's Gateway API controller writes in its own test fixtures (`*.status.yaml.golden`).

mod common;

use std::path::Path;

use gwlint::graph::attach::Outcome;
use gwlint::load::tree::Node;
use gwlint::model::Spec;

struct Expected {
    kind: String,
    namespace: String,
    name: String,
    parent_name: String,
    parent_namespace: Option<String>,
    section: Option<String>,
    port: Option<i64>,
    accepted: bool,
    reason: String,
}

fn golden(path: &Path) -> Vec<Expected> {
    let bytes = std::fs::read(path).unwrap();
    let loaded = gwlint::load::load_bytes(0, path, bytes, &Default::default());
    let mut out = Vec::new();
    for doc in &loaded.docs {
        let root = &doc.root;
        let kind = root.get("kind").and_then(Node::as_str).unwrap_or("");
        if !matches!(
            kind,
            "HTTPRoute" | "GRPCRoute" | "TLSRoute" | "TCPRoute" | "UDPRoute"
        ) {
            continue;
        }
        let meta = root.get("metadata");
        let name = meta
            .and_then(|m| m.get("name"))
            .and_then(Node::as_str)
            .unwrap_or("")
            .to_string();
        let namespace = meta
            .and_then(|m| m.get("namespace"))
            .and_then(Node::as_str)
            .unwrap_or("default")
            .to_string();
        let parents = root
            .pointer("/status/parents")
            .and_then(Node::as_seq)
            .unwrap_or(&[]);
        for p in parents {
            let Some(pr) = p.get("parentRef") else {
                continue;
            };
            let cond = p
                .get("conditions")
                .and_then(Node::as_seq)
                .unwrap_or(&[])
                .iter()
                .find(|c| c.get("type").and_then(Node::as_str) == Some("Accepted"));
            let Some(cond) = cond else { continue };
            out.push(Expected {
                kind: kind.to_string(),
                namespace: namespace.clone(),
                name: name.clone(),
                parent_name: pr
                    .get("name")
                    .and_then(Node::as_str)
                    .unwrap_or("")
                    .to_string(),
                parent_namespace: pr
                    .get("namespace")
                    .and_then(Node::as_str)
                    .map(str::to_string),
                section: pr
                    .get("sectionName")
                    .and_then(Node::as_str)
                    .map(str::to_string),
                port: match pr.get("port").map(|n| &n.value) {
                    Some(gwlint::load::tree::Value::Int(i)) => Some(*i),
                    _ => None,
                },
                accepted: cond.get("status").and_then(Node::as_str) == Some("True"),
                reason: cond
                    .get("reason")
                    .and_then(Node::as_str)
                    .unwrap_or("")
                    .to_string(),
            });
        }
    }
    out
}

#[test]
fn attachment_agrees_with_istio_status_goldens() {
    let dir = common::corpus().join("istio-analyzers/gateway-controller-testdata");
    if !dir.is_dir() {
        eprintln!("corpus not present; skipped");
        return;
    }
    let mut inputs: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".status.yaml.golden"))
        .collect();
    inputs.sort();
    let (mut compared, mut agreed, mut skipped) = (0, 0, 0);
    let mut disagreements = Vec::new();
    for golden_path in inputs {
        let input = golden_path
            .to_string_lossy()
            .replace(".status.yaml.golden", ".yaml");
        let input = Path::new(&input);
        if !input.is_file() {
            continue;
        }
        let opts = gwlint::Options {
            paths: vec![input.to_path_buf()],
            ..Default::default()
        };
        let outcome = gwlint::lint(&opts, None);
        // Rebuild the graph to read attachments (lint() keeps only findings).
        let objects = gwlint::load_objects(&opts);
        let graph = gwlint::graph::Graph::build(&objects, &opts.config);
        drop(outcome);
        for e in golden(&golden_path) {
            let att = graph.attachments.iter().find(|a| {
                let route = graph.obj(a.route);
                let Spec::Route(spec) = &route.spec else {
                    return false;
                };
                let Some(pr) = spec.parent_refs.get(a.parent_ref) else {
                    return false;
                };
                route.key.kind == e.kind
                    && route.key.name == e.name
                    && route.key.namespace == e.namespace
                    && pr
                        .target
                        .name
                        .as_ref()
                        .is_some_and(|n| n.v == e.parent_name)
                    && pr.target.namespace.as_ref().map(|n| n.v.as_str())
                        == e.parent_namespace.as_deref()
                    && pr.section_name.as_ref().map(|s| s.v.as_str()) == e.section.as_deref()
                    && pr.port.as_ref().map(|p| p.v) == e.port
            });
            let Some(att) = att else {
                skipped += 1;
                continue;
            };
            let route = graph.obj(att.route);
            let Spec::Route(spec) = &route.spec else {
                continue;
            };
            let parent_kind = spec.parent_refs[att.parent_ref]
                .target
                .kind_or("Gateway")
                .to_string();
            let unknown_labels = att
                .verdicts
                .iter()
                .any(|v| v.namespace == gwlint::graph::attach::Admit::Unknown);
            if !matches!(parent_kind.as_str(), "Gateway" | "ListenerSet") || unknown_labels {
                // Mesh (Service) parents, and selectors on labels of Namespaces the test injects
                // outside the YAML, cannot be judged from the files.
                skipped += 1;
                continue;
            }
            compared += 1;
            let ours = att.outcome == Outcome::Accepted;
            let reason_ok = match (att.outcome, e.reason.as_str()) {
                (Outcome::Accepted, _) => e.accepted,
                (Outcome::NotAllowedByListeners | Outcome::KindNotAllowed, r) => {
                    r == "NotAllowedByListeners"
                }
                (Outcome::NoMatchingListenerHostname, r) => r == "NoMatchingListenerHostname",
                (Outcome::NotEvaluated | Outcome::NoCandidates | Outcome::ParentNotAccepted, r) => {
                    !e.accepted && matches!(r, "NoMatchingParent" | "NotAllowedByListeners")
                }
            };
            if ours == e.accepted && reason_ok {
                agreed += 1;
            } else {
                disagreements.push(format!(
                    "{}: {} {}/{} parent {} (section {:?}, port {:?}): Istio {} {}, gwlint {:?}",
                    input.file_name().unwrap().to_string_lossy(),
                    e.kind,
                    e.namespace,
                    e.name,
                    e.parent_name,
                    e.section,
                    e.port,
                    if e.accepted {
                        "Accepted"
                    } else {
                        "not accepted:"
                    },
                    e.reason,
                    att.outcome
                ));
            }
        }
    }
    eprintln!(
        "Istio status goldens: {agreed}/{compared} route parents agree ({skipped} not comparable)\n{}",
        disagreements.join("\n")
    );
    assert!(
        compared > 50,
        "too few comparable route parents: {compared}"
    );
    assert!(
        agreed * 100 >= compared * 95,
        "agreement below 95%: {agreed}/{compared}"
    );
}
