//! The embedded Gateway API schemas know every field of the Gateway API CRDs in the corpus (the
//! v1.6 standard and experimental install), and are closed exactly where the CRDs are: a
//! misspelt field anywhere in a Gateway API object is API509, and a field a CRD keeps open
//! (a map, `x-kubernetes-preserve-unknown-fields`) is never called unknown. The field lists are
//! generated (`scripts/gateway-api-fields.py`); this keeps them from drifting.
//!
//! Istio's networking kinds get the same treatment from `istio-fields.yaml`
//! (`scripts/istio-fields.py`). Istio's CRDs are not in the corpus, so the always-run test checks
//! what must hold whatever Istio release the lists came from: they name their source commit,
//! every object node of the four kinds below `spec` is closed (so the transcription names no
//! field the CRDs lack: such a field would leave its node partial), `status` stays open as
//! Istio's CRDs keep it, and fields of every part of the API are known. Given a CRD bundle in
//! `GWLINT_ISTIO_CRD` (`manifests/charts/base/files/crd-all.gen.yaml` of an istio/istio
//! checkout), it also compares node by node, as for the Gateway API.

use std::path::Path;

mod common;

use gwlint::config::{Channel, Version};
use gwlint::load::{LoadOptions, load_bytes};
use gwlint::schema::crd::KindSchema;
use gwlint::schema::embedded::Catalog;
use gwlint::schema::openapi::Schema;

/// Walks a CRD schema beside the embedded one and notes each disagreement.
fn compare(crd: &Schema, emb: &Schema, path: &str, out: &mut Vec<String>) {
    if crd.closed() && !emb.closed() {
        out.push(format!(
            "{path}: closed in the CRD, not in the embedded schema"
        ));
    }
    if !crd.closed() && emb.closed() {
        out.push(format!(
            "{path}: the CRD keeps other fields, the embedded schema would call them unknown"
        ));
    }
    for (name, sub) in &crd.properties {
        match emb.property(name) {
            Some(e) => compare(sub, e, &format!("{path}.{name}"), out),
            None => out.push(format!("{path}.{name}: not in the embedded schema")),
        }
    }
    match (&crd.items, &emb.items) {
        (Some(c), Some(e)) => compare(c, e, &format!("{path}[]"), out),
        (Some(_), None) => out.push(format!("{path}[]: items not in the embedded schema")),
        _ => {}
    }
    if let (Some(c), Some(e)) = (&crd.additional, &emb.additional) {
        compare(c, e, &format!("{path}{{*}}"), out);
    }
}

#[test]
fn embedded_gateway_api_fields_match_the_corpus_crds() {
    let root =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/gateway-api/config/crd");
    if !root.is_dir() {
        println!("note: {} missing; field lists not checked", root.display());
        return;
    }
    let mut problems = Vec::new();
    let mut compared = 0;
    for (channel, ch) in [
        ("standard", Channel::Standard),
        ("experimental", Channel::Experimental),
    ] {
        let catalog = Catalog::gateway_api(Version::new(1, 6), Some(ch));
        let mut files: Vec<_> = std::fs::read_dir(root.join(channel))
            .unwrap()
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with("gateway.networking.k8s.io_"))
            })
            .collect();
        files.sort();
        for file in files {
            let bytes = std::fs::read(&file).unwrap();
            let loaded = load_bytes(0, &file, bytes, &LoadOptions::default());
            for doc in &loaded.docs {
                let r = &doc.root;
                if r.get("kind").and_then(|k| k.as_str()) != Some("CustomResourceDefinition") {
                    continue;
                }
                let name = r
                    .get("metadata")
                    .and_then(|m| m.get("name"))
                    .and_then(|n| n.as_str())
                    .unwrap_or("");
                let Some(crd) = r.get("spec").and_then(|s| KindSchema::from_crd(name, s)) else {
                    continue;
                };
                let Some(emb) = catalog.get(&crd.group, &crd.kind) else {
                    continue;
                };
                for (version, schema) in &crd.versions {
                    let Some(e) = emb
                        .version(version)
                        .or_else(|| emb.versions.first().map(|v| &v.1))
                    else {
                        continue;
                    };
                    compared += 1;
                    compare(
                        schema,
                        e,
                        &format!("{channel} {} {version}", crd.kind),
                        &mut problems,
                    );
                }
            }
        }
    }
    assert!(compared >= 16, "only {compared} CRD versions compared");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

const ISTIO_GROUP: &str = "networking.istio.io";
const ISTIO_KINDS: [&str; 4] = [
    "Gateway",
    "VirtualService",
    "DestinationRule",
    "ServiceEntry",
];

/// Notes each object node at or below `path` that lists fields but would not call others unknown.
fn open_nodes(s: &Schema, path: &str, out: &mut Vec<String>) {
    if !s.properties.is_empty() && !s.closed() {
        out.push(format!("{path}: lists fields but is not closed"));
    }
    for (name, sub) in &s.properties {
        open_nodes(sub, &format!("{path}.{name}"), out);
    }
    if let Some(i) = &s.items {
        open_nodes(i, &format!("{path}[]"), out);
    }
    if let Some(a) = &s.additional {
        open_nodes(a, &format!("{path}{{*}}"), out);
    }
}

/// The schema at a dotted path (`[]` steps into items).
fn at<'a>(s: &'a Schema, path: &str) -> Option<&'a Schema> {
    path.split('.')
        .try_fold(s, |s, step| match step.strip_suffix("[]") {
            Some(name) => s.property(name)?.items.as_deref(),
            None => s.property(step),
        })
}

#[test]
fn embedded_istio_fields_are_complete_below_spec() {
    let source = include_str!("../src/schema/istio-fields.yaml");
    let commit = source
        .lines()
        .find_map(|l| l.strip_prefix("source: "))
        .expect("istio-fields.yaml records its source commit");
    assert!(
        commit.len() == 40 && commit.bytes().all(|b| b.is_ascii_hexdigit()),
        "source {commit:?} is not a commit"
    );
    let catalog = Catalog::gateway_api(Version::new(1, 6), None);
    let mut problems = Vec::new();
    for kind in ISTIO_KINDS {
        let emb = catalog.get(ISTIO_GROUP, kind).expect("embedded Istio kind");
        let mut versions: Vec<&str> = emb.versions.iter().map(|(v, _)| v.as_str()).collect();
        versions.sort_unstable();
        assert_eq!(versions, ["v1", "v1alpha3", "v1beta1"], "{kind}");
        for (version, schema) in &emb.versions {
            let spec = schema.property("spec").expect("spec");
            assert!(spec.closed(), "{kind} {version}: spec not closed");
            open_nodes(spec, &format!("{kind} {version} spec"), &mut problems);
            if let Some(status) = schema.property("status") {
                assert!(!status.closed(), "{kind} {version}: status closed");
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // One field from each part of each API, several of which the transcription does not name.
    for (kind, path) in [
        ("Gateway", "spec.servers[].tls.cipherSuites"),
        ("Gateway", "spec.servers[].defaultEndpoint"),
        ("VirtualService", "spec.http[].match[].uri.prefix"),
        ("VirtualService", "spec.http[].retries.retryOn"),
        ("VirtualService", "spec.http[].corsPolicy.allowOrigins"),
        ("VirtualService", "spec.http[].route[].headers.request.set"),
        ("VirtualService", "spec.tls[].match[].sniHosts"),
        (
            "DestinationRule",
            "spec.trafficPolicy.connectionPool.tcp.maxConnections",
        ),
        (
            "DestinationRule",
            "spec.trafficPolicy.outlierDetection.consecutive5xxErrors",
        ),
        (
            "DestinationRule",
            "spec.subsets[].trafficPolicy.loadBalancer.simple",
        ),
        ("ServiceEntry", "spec.endpoints[].locality"),
        ("ServiceEntry", "spec.workloadSelector.labels"),
    ] {
        let emb = catalog.get(ISTIO_GROUP, kind).expect("embedded Istio kind");
        for (version, schema) in &emb.versions {
            assert!(
                at(schema, path).is_some(),
                "{kind} {version}: {path} unknown"
            );
        }
    }
}

#[test]
fn embedded_istio_fields_match_a_given_crd_bundle() {
    let Some(file) = std::env::var_os("GWLINT_ISTIO_CRD") else {
        println!("note: GWLINT_ISTIO_CRD not set; Istio field lists not compared with a CRD");
        return;
    };
    let file = Path::new(&file);
    let bytes = std::fs::read(file).unwrap();
    let loaded = load_bytes(0, file, bytes, &LoadOptions::default());
    let catalog = Catalog::gateway_api(Version::new(1, 6), None);
    let mut problems = Vec::new();
    let mut compared = 0;
    for doc in &loaded.docs {
        let r = &doc.root;
        if r.get("kind").and_then(|k| k.as_str()) != Some("CustomResourceDefinition") {
            continue;
        }
        let name = r
            .get("metadata")
            .and_then(|m| m.get("name"))
            .and_then(|n| n.as_str())
            .unwrap_or("");
        let Some(crd) = r.get("spec").and_then(|s| KindSchema::from_crd(name, s)) else {
            continue;
        };
        if crd.group != ISTIO_GROUP || !ISTIO_KINDS.contains(&crd.kind.as_str()) {
            continue;
        }
        let Some(emb) = catalog.get(&crd.group, &crd.kind) else {
            continue;
        };
        for (version, schema) in &crd.versions {
            let Some(e) = emb.version(version) else {
                problems.push(format!("{} {version}: no embedded version", crd.kind));
                continue;
            };
            compared += 1;
            compare(schema, e, &format!("{} {version}", crd.kind), &mut problems);
        }
    }
    assert_eq!(compared, 12, "CRD versions compared");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The Istio triggers of testdata/API509 name the field and the declared one meant.
#[test]
fn misspelt_istio_fields_suggest_the_declared_name() {
    let outcome = common::lint_dir(&common::root().join("testdata/API509/trigger"));
    let mut messages: Vec<&str> = outcome
        .diagnostics
        .iter()
        .filter(|d| d.rule == "API509" && d.message.contains("the Istio "))
        .map(|d| d.message.as_str())
        .collect();
    messages.sort_unstable();
    let wanted = [
        (
            "spec.servers[0].tls.minProtocolVerison",
            "minProtocolVersion",
        ),
        ("spec.http[0].match[0].uri.prefx", "prefix"),
        ("spec.http[0].route[0].wieght", "weight"),
        (
            "spec.trafficPolicy.connectionPool.tcp.maxConnection",
            "maxConnections",
        ),
        ("spec.port", "ports"),
    ];
    for (field, meant) in wanted {
        assert!(
            messages.iter().any(|m| m.contains(&format!("\"{field}\""))
                && m.contains(&format!("did you mean `{meant}`?"))),
            "{field}: {messages:#?}"
        );
    }
    assert_eq!(messages.len(), wanted.len(), "{messages:#?}");
}
