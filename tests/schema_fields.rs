//! The embedded Gateway API schemas know every field of the Gateway API CRDs in the corpus (the
//! v1.6 standard and experimental install), and are closed exactly where the CRDs are: a
//! misspelt field anywhere in a Gateway API object is API509, and a field a CRD keeps open
//! (a map, `x-kubernetes-preserve-unknown-fields`) is never called unknown. The field lists are
//! generated (`scripts/gateway-api-fields.py`); this keeps them from drifting.

use std::path::Path;

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
