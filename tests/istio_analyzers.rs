//! Ground truth for the IST rules: Istio's own analyzer test grid. Each file of
//! `../shared/corpus/istio-analyzers/testdata` is linted alone, the way Istio's `testGrid` runs one
//! analyzer over one file, with what Istio's harness injects: an ingress gateway pod labelled
//! `istio: ingressgateway` in `istio-system` (declared as an external gateway workload) and the
//! Service `istio-ingressgateway` in front of it (a manifest beside the file). The findings of the
//! rules that correspond to the case's analyzer are compared, message by message, with the
//! expected `(code, resource)` list of `EXPECTED.md`.

use std::collections::BTreeMap;
use std::path::Path;

use gwlint::config::Config;
use gwlint::{Options, lint};

const INJECTED: &str = "apiVersion: v1
kind: Service
metadata:
  name: istio-ingressgateway
  namespace: istio-system
spec:
  selector:
    istio: ingressgateway
  ports:
  - {name: http2, port: 80}
  - {name: https, port: 443}
  - {name: tcp, port: 31400}
  - {name: tls, port: 15443}
";

/// The Istio release the analyzers of the corpus's commit belong to (its CRD minimums include
/// TCPRoute's v1.6, which entered in 1.31), pinned the way a repository pins it, for the
/// CRD-version analyzer's case only: a HelmRelease of an istio chart makes IST601's gateway set
/// incomplete, which the other cases must not see.
const ISTIOD: &str = "apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: istiod
  namespace: istio-system
spec:
  chart:
    spec:
      chart: istiod
      version: 1.31.0
";

/// Our rules per Istio analyzer; `None`: out of gwlint's scope (policies' selectors on Gateway
/// API pods, status conditions of live objects).
fn rules_of(analyzer: &str) -> Option<&'static [&'static str]> {
    Some(match analyzer {
        "gateway.SecretAnalyzer" => &["IST601", "IST602", "IST603"],
        "gateway.CertificateAnalyzer" => &["IST606"],
        "gateway.IngressGatewayPortAnalyzer" => &["IST601", "IST604"],
        "gateway.ConflictingGatewayAnalyzer" => &["IST605"],
        "virtualservice.GatewayAnalyzer" => &["GW125", "IST607", "IST608"],
        "virtualservice.ConflictingMeshGatewayHostsAnalyzer" => &["IST613"],
        "virtualservice.DestinationHostAnalyzer" => &["IST609", "IST610", "IST611", "IST614"],
        "virtualservice.DestinationRuleAnalyzer" => &["IST612"],
        "destinationrule.CaCertificateAnalyzer" => &["IST615"],
        "k8sgateway.CRDVersionAnalyzer" => &["IST617"],
        _ => return None,
    })
}

const ALL_IST: &[&str] = &[
    "GW125", "IST601", "IST602", "IST603", "IST604", "IST605", "IST606", "IST607", "IST608",
    "IST609", "IST610", "IST611", "IST612", "IST613", "IST614", "IST615", "IST617",
];

/// `(code, kind, namespace, name)`; a resource without a namespace is in `default` here.
type Message = (String, String, String, String);

struct Case {
    file: String,
    analyzer: String,
    expected: Vec<Message>,
}

fn cases(md: &str) -> Vec<Case> {
    let mut out: Vec<Case> = Vec::new();
    for line in md.lines() {
        if let Some(rest) = line.strip_prefix("#### `testdata/") {
            out.push(Case {
                file: rest.trim_end_matches('`').to_string(),
                analyzer: String::new(),
                expected: Vec::new(),
            });
        } else if let (Some(c), Some(a)) = (out.last_mut(), line.strip_prefix("- analyzer: `")) {
            c.analyzer = a.split('`').next().unwrap_or("").to_string();
        } else if let Some(c) = out.last_mut() {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            // | # | code | type | level | kind | namespace | name |
            if cells.len() == 9 && cells[2].starts_with("IST") && cells[1].parse::<u32>().is_ok() {
                let ns = if cells[6] == "(none)" {
                    "default"
                } else {
                    cells[6]
                };
                c.expected
                    .push((cells[2].into(), cells[5].into(), ns.into(), cells[7].into()));
            }
        }
    }
    out
}

/// The istioctl code a finding's message names; GW125 is Istio's IST0101 for gateways.
fn code_of(rule: &str, message: &str) -> String {
    if rule == "GW125" {
        return "IST0101".into();
    }
    message
        .split("(istioctl: ")
        .nth(1)
        .map(|r| r.chars().take(7).collect())
        .unwrap_or_default()
}

fn run(dir: &Path, file: &Path, rules: &[&str]) -> Vec<Message> {
    let work = tempfile::tempdir().unwrap();
    std::fs::copy(file, work.path().join("case.yaml")).unwrap();
    std::fs::write(work.path().join("injected.yaml"), INJECTED).unwrap();
    if rules == ["IST617"] {
        std::fs::write(work.path().join("istiod.yaml"), ISTIOD).unwrap();
    }
    let mut config = Config::default();
    config.externals.istio_gateway_workloads = vec!["istio-system/istio=ingressgateway".into()];
    let _ = dir;
    let opts = Options {
        paths: vec![work.path().to_path_buf()],
        config,
        ..Options::default()
    };
    lint(&opts, None)
        .diagnostics
        .iter()
        .filter(|d| rules.contains(&d.rule))
        .filter_map(|d| {
            let o = d.object.as_ref()?;
            // A cluster-scoped object (a CRD) has no namespace; EXPECTED.md writes `(none)`.
            let ns = if o.namespace.is_empty() {
                "default"
            } else {
                o.namespace.as_str()
            };
            Some((
                code_of(d.rule, &d.message),
                o.kind.to_string(),
                ns.to_string(),
                o.name.to_string(),
            ))
        })
        .collect()
}

/// Multiset difference `a - b`.
fn minus(a: &[Message], b: &[Message]) -> Vec<Message> {
    let mut left = b.to_vec();
    let mut out = Vec::new();
    for m in a {
        match left.iter().position(|x| x == m) {
            Some(p) => {
                left.remove(p);
            }
            None => out.push(m.clone()),
        }
    }
    out
}

#[test]
fn istio_analyzer_test_grid() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/istio-analyzers");
    let Ok(md) = std::fs::read_to_string(root.join("EXPECTED.md")) else {
        println!(
            "note: {} missing; Istio analyzer ground truth skipped",
            root.display()
        );
        return;
    };
    let cases = cases(&md);
    assert_eq!(cases.len(), 36, "EXPECTED.md cases");
    let mut in_scope = 0;
    let mut reproduced = 0;
    let mut extra: Vec<String> = Vec::new();
    let mut missed: Vec<String> = Vec::new();
    // code → (expected in scope, reproduced, extra)
    let mut table: BTreeMap<String, (usize, usize, usize)> = BTreeMap::new();
    for c in &cases {
        let Some(rules) = rules_of(&c.analyzer) else {
            continue;
        };
        let file = root.join("testdata").join(&c.file);
        let got = run(&root, &file, rules);
        // A negative case must stay clean of every IST rule, not only its analyzer's (and of
        // IST617 with an Istio release pinned).
        if c.expected.is_empty() {
            let pinned = run(&root, &file, &["IST617"]);
            for m in run(&root, &file, ALL_IST).into_iter().chain(pinned) {
                extra.push(format!(
                    "{} (negative): {} {} {}/{}",
                    c.file, m.0, m.1, m.2, m.3
                ));
            }
        }
        in_scope += c.expected.len();
        let miss = minus(&c.expected, &got);
        let more = minus(&got, &c.expected);
        reproduced += c.expected.len() - miss.len();
        for m in &c.expected {
            table.entry(m.0.clone()).or_default().0 += 1;
        }
        for m in minus(&c.expected, &miss) {
            table.entry(m.0.clone()).or_default().1 += 1;
        }
        for m in &more {
            table.entry(m.0.clone()).or_default().2 += 1;
            extra.push(format!("{}: extra {} {} {}/{}", c.file, m.0, m.1, m.2, m.3));
        }
        for m in &miss {
            missed.push(format!(
                "{}: missed {} {} {}/{}",
                c.file, m.0, m.1, m.2, m.3
            ));
        }
    }
    println!("| istioctl code | expected | reproduced | extra |");
    println!("|---|---|---|---|");
    for (code, (e, r, x)) in &table {
        println!("| {code} | {e} | {r} | {x} |");
    }
    println!("in scope: {in_scope}, reproduced: {reproduced}");
    for m in missed.iter().chain(&extra) {
        println!("{m}");
    }
    // Out of scope: IST0166 (k8sgateway selector policies), IST0171 (status conditions).
    assert_eq!(in_scope, 68, "in-scope expected messages");
    assert!(
        extra.is_empty(),
        "messages Istio does not report:\n{}",
        extra.join("\n")
    );
    assert!(
        reproduced >= 64,
        "reproduced {reproduced} of {in_scope}:\n{}",
        missed.join("\n")
    );
    assert_eq!(
        reproduced,
        REPRODUCED,
        "reproduced count changed:\n{}",
        missed.join("\n")
    );
}

/// The count this branch reaches; a change either way must be looked at.
const REPRODUCED: usize = 67;
