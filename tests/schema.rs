//! Schema validation: the embedded Gateway API rules compile for every bundle, say what the
//! upstream CRDs say, behave like the upstream CRDs on the fixtures, and every standard rule has
//! a fixture that violates it.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use gwlint::config::{Channel, Config, Version};
use gwlint::schema::KindSchema;
use gwlint::schema::embedded::Catalog;
use gwlint::{Options, lint};

const BUNDLES: &[(u32, u32)] = &[(1, 0), (1, 1), (1, 2), (1, 3), (1, 4), (1, 5), (1, 6)];

#[test]
fn every_embedded_bundle_compiles() {
    let mut report = Vec::new();
    for &(major, minor) in BUNDLES {
        for channel in [Some(Channel::Standard), Some(Channel::Experimental), None] {
            let catalog = Catalog::gateway_api(Version::new(major, minor), channel);
            let (mut total, mut compiled, mut transition) = (0, 0, 0);
            for k in catalog.kinds() {
                // Versions of a kind share one schema; count it once.
                let Some((_, s)) = k.versions.first() else {
                    continue;
                };
                let c = s.rule_counts();
                total += c.total;
                compiled += c.compiled;
                transition += c.transition;
            }
            assert!(
                catalog.kinds().len() >= 4,
                "v{major}.{minor}: kinds missing"
            );
            assert_eq!(
                compiled, total,
                "v{major}.{minor} {channel:?}: rules that do not compile"
            );
            report.push(format!(
                "v{major}.{minor} {channel:?}: {} kinds, {compiled}/{total} rules compiled ({transition} transition rules, not evaluated on create)",
                catalog.kinds().len()
            ));
        }
    }
    println!("{}", report.join("\n"));
}

fn corpus_crds(dir: &Path) -> Vec<KindSchema> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "yaml") {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        let loaded = gwlint::load::load_bytes(0, &path, bytes, &Default::default());
        for doc in loaded.docs {
            if doc.root.get("kind").and_then(|k| k.as_str()) != Some("CustomResourceDefinition") {
                continue;
            }
            let name = doc
                .root
                .pointer("/metadata/name")
                .and_then(|n| n.as_str())
                .unwrap_or("")
                .to_string();
            if let Some(spec) = doc.root.get("spec") {
                out.extend(KindSchema::from_crd(&name, spec));
            }
        }
    }
    out
}

fn messages(s: &gwlint::schema::openapi::Schema) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    s.each_rule(&mut |r| {
        if !r.transition {
            out.insert(r.static_message());
        }
    });
    out
}

/// The embedded v1.6 standard rules carry exactly the messages of the v1.6.1 standard CRDs.
#[test]
fn embedded_messages_are_the_upstream_crds_messages() {
    let dir = common::corpus().join("gateway-api/config/crd/standard");
    if !dir.is_dir() {
        eprintln!("corpus not present; skipped");
        return;
    }
    let catalog = Catalog::gateway_api(Version::new(1, 6), Some(Channel::Standard));
    let mut problems = Vec::new();
    let mut compared = 0;
    for upstream in corpus_crds(&dir) {
        let Some(ours) = catalog.get(&upstream.group, &upstream.kind) else {
            problems.push(format!("{}: not embedded", upstream.kind));
            continue;
        };
        for (version, schema) in &upstream.versions {
            let Some(mine) = ours.version(version) else {
                problems.push(format!("{} {version}: version not embedded", upstream.kind));
                continue;
            };
            // Status is written by controllers, never by a manifest: its rules are not embedded.
            let theirs: BTreeSet<String> = messages(schema)
                .into_iter()
                .filter(|m| !m.starts_with("Hostname value must only contain"))
                .collect();
            let mine = messages(mine);
            for m in theirs.difference(&mine) {
                problems.push(format!(
                    "{} {version}: upstream rule missing: {m}",
                    upstream.kind
                ));
            }
            for m in mine.difference(&theirs) {
                problems.push(format!(
                    "{} {version}: message not upstream: {m}",
                    upstream.kind
                ));
            }
            compared += theirs.len();
        }
    }
    assert!(compared > 100, "too few rules compared: {compared}");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Every rule of every CRD in the corpus compiles with gwlint's CEL environment.
#[test]
fn corpus_crd_rules_compile() {
    let dirs = [
        "gateway-api/config/crd/standard",
        "gateway-api/config/crd/experimental",
        "cert-manager/cert-manager/deploy/crds",
        "external-secrets/config/crds/bases",
        "azure/external-dns/config/crd/standard",
    ];
    let mut total = 0;
    let mut bad = Vec::new();
    for d in dirs {
        let dir = common::corpus().join(d);
        if !dir.is_dir() {
            continue;
        }
        for k in corpus_crds(&dir) {
            for (v, s) in &k.versions {
                s.each_rule(&mut |r| {
                    total += 1;
                    if let Err(e) = r.program() {
                        bad.push(format!("{} {v}: {}: {e}", k.kind, r.source));
                    }
                });
            }
        }
    }
    println!("{total} rules in corpus CRDs, {} do not compile", bad.len());
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

fn schema_findings(paths: Vec<PathBuf>, config: Config) -> BTreeMap<(String, usize), Vec<String>> {
    let opts = Options {
        paths,
        config,
        select: vec!["API504".into(), "API505".into(), "API508".into()],
        ..Options::default()
    };
    let outcome = lint(&opts, None);
    let mut out: BTreeMap<(String, usize), Vec<String>> = BTreeMap::new();
    for d in &outcome.diagnostics {
        let f = outcome.file(d.span.file);
        if f.display_path().contains("config/crd") {
            continue;
        }
        let line = f.position(d.span.start as usize).line;
        // The rule's message, without the object name and field path in front.
        let msg = d.message.rsplit(": ").next().unwrap_or("").to_string();
        out.entry((f.display_path(), line))
            .or_default()
            .push(format!("{} {msg}", d.rule));
    }
    for v in out.values_mut() {
        v.sort();
    }
    out
}

fn standard() -> Config {
    let mut c = Config::default();
    c.targets.gateway_api_channel = Some(Channel::Standard);
    c
}

/// The trigger and clean fixtures give the same findings with the embedded rules as with the
/// upstream v1.6.1 standard CRDs in the repository.
#[test]
fn embedded_rules_behave_like_the_upstream_crds() {
    std::env::set_current_dir(common::root()).unwrap();
    let crds = common::corpus().join("gateway-api/config/crd/standard");
    if !crds.is_dir() {
        eprintln!("corpus not present; skipped");
        return;
    }
    for fixture in [
        "testdata/API504/trigger",
        "testdata/API504/clean",
        "testdata/API505/trigger",
    ] {
        let embedded = schema_findings(vec![fixture.into()], standard());
        let upstream = schema_findings(vec![fixture.into(), crds.clone()], standard());
        let mut diff = Vec::new();
        for k in embedded
            .keys()
            .chain(upstream.keys())
            .collect::<BTreeSet<_>>()
        {
            let (a, b) = (embedded.get(k), upstream.get(k));
            if a != b {
                diff.push(format!("{k:?}: embedded {a:?}, upstream {b:?}"));
            }
        }
        assert!(diff.is_empty(), "{fixture}:\n{}", diff.join("\n"));
    }
}

/// Each standard v1.6 rule (by message) is violated somewhere in the trigger fixture.
#[test]
fn every_standard_rule_has_a_violating_fixture() {
    std::env::set_current_dir(common::root()).unwrap();
    let catalog = Catalog::gateway_api(Version::new(1, 6), Some(Channel::Standard));
    let found: BTreeSet<String> =
        schema_findings(vec!["testdata/API504/trigger".into()], standard())
            .into_values()
            .flatten()
            .collect();
    let mut missing = Vec::new();
    for k in catalog.kinds() {
        for m in messages(&k.versions[0].1) {
            if !found.contains(&format!("API504 {m}")) {
                missing.push(format!("{}: {m}", k.kind));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "no fixture violates:\n{}",
        missing.join("\n")
    );
}

/// The corpus's real unknown field: cert-manager's docs misspell `emailAddresses` in a
/// Certificate's `nameConstraints`, and the cert-manager CRDs beside them reject it.
#[test]
fn corpus_misspelt_name_constraint_is_an_unknown_field() {
    let dir = common::corpus().join("cert-manager");
    if !dir.is_dir() {
        eprintln!("../shared/corpus not present; skipped");
        return;
    }
    let outcome = common::lint_dir(&dir);
    let unknown: Vec<(String, usize, &str)> = outcome
        .diagnostics
        .iter()
        .filter(|d| d.rule == "API509")
        .map(|d| {
            let f = outcome.file(d.span.file);
            let line = f.position(d.span.start as usize).line;
            (f.display_path(), line, d.message.as_str())
        })
        .collect();
    assert!(
        unknown.iter().any(|(path, line, message)| {
            path.ends_with("website-snippets/usage__certificate.05.yaml")
                && *line == 20
                && message.contains("\"spec.nameConstraints.permitted.emailAddress\"")
                && message.contains("did you mean `emailAddresses`?")
        }),
        "{unknown:#?}"
    );
    // Nothing else in cert-manager's own files and docs is undeclared.
    assert_eq!(unknown.len(), 1, "{unknown:#?}");
}
