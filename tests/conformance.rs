//! The Gateway API conformance manifests as ground truth: each deliberately broken test
//! manifest, linted together with the suite's base manifests as the suite applies it, must
//! produce the finding its name promises.

mod common;

use std::collections::BTreeSet;

/// (test manifest, rules that must be reported in it).
const EXPECTED: &[(&str, &[&str])] = &[
    ("backendtlspolicy-invalid-ca-certificate-ref", &["GW123"]),
    ("gateway-secret-invalid-reference-grant", &["GW111"]),
    ("gateway-secret-missing-reference-grant", &["GW111"]),
    ("httproute-disallowed-kind", &["GW105"]),
    ("httproute-invalid-cross-namespace-backend-ref", &["GW110"]),
    ("httproute-invalid-cross-namespace-parent-ref", &["GW104"]),
    ("httproute-invalid-nonexistent-backendref", &["GW108"]),
    (
        "httproute-invalid-parentref-not-matching-listener-port",
        &["GW103"],
    ),
    (
        "httproute-invalid-parentref-not-matching-section-name",
        &["GW102"],
    ),
    (
        "httproute-invalid-parentref-section-name-not-matching-port",
        &["GW103"],
    ),
    ("httproute-invalid-reference-grant", &["GW110"]),
    ("httproute-omitted-backendrefs", &["GW121"]),
    (
        "httproute-partially-invalid-via-invalid-reference-grant",
        &["GW110"],
    ),
    ("listenerset-default-not-allowed", &["GW118"]),
    (
        "listenerset-gateway-parent-section-name-not-found",
        &["GW102"],
    ),
    ("listenerset-hostname-conflict", &["GW117"]),
    ("listenerset-protocol-conflict", &["GW117"]),
    ("tcproute-invalid-backendref-nonexistent", &["GW108"]),
    ("tcproute-invalid-cross-namespace-backend-ref", &["GW110"]),
    ("tcproute-invalid-non-tcp-listener", &["GW105"]),
    ("tlsroute-invalid-backendref-nonexistent", &["GW108"]),
    ("tlsroute-invalid-no-matching-listener-hostname", &["GW106"]),
    ("tlsroute-invalid-no-matching-listener", &["GW102", "GW105"]),
    ("tlsroute-invalid-reference-grant", &["GW110"]),
    ("udproute-invalid-backendref-nonexistent", &["GW108"]),
    ("udproute-invalid-cross-namespace-backend-ref", &["GW110"]),
    ("udproute-not-allowed-by-listeners", &["GW105"]),
];

#[test]
fn deliberate_conformance_defects_are_reported() {
    let dir = common::corpus().join("gateway-api/conformance");
    if !dir.is_dir() {
        eprintln!("corpus not present; skipped");
        return;
    }
    let mut missing = Vec::new();
    for (test, rules) in EXPECTED {
        let file = dir.join("tests").join(format!("{test}.yaml"));
        let opts = gwlint::Options {
            paths: vec![dir.join("base/manifests.yaml"), file.clone()],
            ..Default::default()
        };
        let outcome = gwlint::lint(&opts, None);
        let name = format!("{test}.yaml");
        let found: BTreeSet<&str> = outcome
            .diagnostics
            .iter()
            .filter(|d| outcome.file(d.span.file).display_path().ends_with(&name))
            .map(|d| d.rule)
            .collect();
        for r in *rules {
            if !found.contains(r) {
                missing.push(format!("{test}: {r} not reported (found {found:?})"));
            }
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}
