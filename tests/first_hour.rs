//! What a new user meets in the reports: JUnit agrees with the exit code.

mod common;

use assert_cmd::Command;

/// A route with an error (GW108, the Service is missing) and a warning (GW120, no parentRefs).
const ROUTE: &str = "\
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: shop
  namespace: shop
spec:
  rules:
  - backendRefs:
    - name: missing-svc
      port: 8080
";

fn junit(dir: &std::path::Path, fail_on: Option<&str>) -> (String, Option<i32>) {
    let mut cmd = Command::cargo_bin("gwlint").unwrap();
    cmd.current_dir(dir)
        .args(["check", ".", "--no-config", "--format", "junit"]);
    if let Some(f) = fail_on {
        cmd.args(["--fail-on", f]);
    }
    let out = cmd.output().unwrap();
    (String::from_utf8(out.stdout).unwrap(), out.status.code())
}

#[test]
fn junit_failures_follow_fail_on() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("route.yaml"), ROUTE).unwrap();
    for (fail_on, failures, code) in [(None, 1, 1), (Some("warning"), 2, 1), (Some("never"), 0, 0)]
    {
        let (xml, exit) = junit(dir.path(), fail_on);
        assert_eq!(exit, Some(code), "{fail_on:?}");
        assert!(
            xml.contains(&format!("tests=\"2\" failures=\"{failures}\"")),
            "{fail_on:?}:\n{xml}"
        );
        assert_eq!(xml.matches("<failure ").count(), failures, "{xml}");
        assert_eq!(xml.matches("<system-out>").count(), 2 - failures, "{xml}");
    }
}

/// A route whose sectionName misses one of a Gateway's many listeners, in another file.
fn typo_repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let mut gw = String::from(
        "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata:\n  name: gw\n  namespace: shop\nspec:\n  gatewayClassName: istio\n  listeners:\n",
    );
    for i in 0..8 {
        gw.push_str(&format!(
            "  - name: l{i}\n    protocol: HTTP\n    port: 80\n    hostname: h{i}.example.com\n"
        ));
    }
    std::fs::write(dir.path().join("gw.yaml"), gw).unwrap();
    std::fs::write(
        dir.path().join("route.yaml"),
        "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata:\n  name: r\n  namespace: shop\nspec:\n  parentRefs:\n  - name: gw\n    sectionName: l9\n---\napiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata:\n  name: r2\n  namespace: shop\nspec:\n  parentRefs:\n  - name: gw\n    sectionName: l10\n",
    )
    .unwrap();
    dir
}

fn human(dir: &std::path::Path, format: &str) -> String {
    let out = Command::cargo_bin("gwlint")
        .unwrap()
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .args([
            "check",
            ".",
            "--no-config",
            "--select",
            "GW102",
            "--format",
            format,
        ])
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn human_output_is_readable() {
    let dir = typo_repo();
    let out = human(dir.path(), "human");
    // The severity as a word, a blank line between findings.
    assert_eq!(
        out.matches("error[GW102] section-name-not-found").count(),
        2,
        "{out}"
    );
    assert!(out.contains("╰────\n\nerror[GW102]"), "{out}");
    // The related listener is shown by its first line, not the whole block of eight.
    assert!(!out.contains("h7.example.com"), "{out}");
    // Piped: a fixed width, whatever the terminal.
    assert!(out.lines().all(|l| l.chars().count() <= 100), "{out}");
}

#[test]
fn concise_is_one_line_per_finding() {
    let dir = typo_repo();
    let out = human(dir.path(), "concise");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines,
        [
            "route.yaml:9:18: error[GW102] HTTPRoute shop/r: sectionName `l9` matches no listener of Gateway shop/gw",
            "route.yaml:19:18: error[GW102] HTTPRoute shop/r2: sectionName `l10` matches no listener of Gateway shop/gw",
        ],
        "{out}"
    );
}

fn gwlint_in(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::cargo_bin("gwlint")
        .unwrap()
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn report_destinations_that_cannot_be_meant_are_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("route.yaml"), ROUTE).unwrap();
    // -o with every format given its own file would be ignored.
    let out = gwlint_in(
        dir.path(),
        &["check", ".", "--format", "json=a.json", "-o", "b.txt"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("-o b.txt names no report"));
    // Two formats to one file would keep only the last.
    let out = gwlint_in(
        dir.path(),
        &[
            "check",
            ".",
            "--format",
            "json=r.out",
            "--format",
            "sarif=r.out",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(!dir.path().join("r.out").exists());
    // -o with a format that has no file is what -o is for.
    let out = gwlint_in(
        dir.path(),
        &["check", ".", "--format", "json", "-o", "r.json"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(dir.path().join("r.json").exists());
}

#[test]
fn no_yaml_is_said() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("docs")).unwrap();
    std::fs::write(dir.path().join("docs/readme.md"), "# nothing\n").unwrap();
    // Named files none of which is YAML: a mistake.
    let out = gwlint_in(dir.path(), &["check", "docs/readme.md"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not a YAML file"));
    // A named directory without YAML: a warning.
    let out = gwlint_in(dir.path(), &["check", "docs"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("warning: no YAML files found in the given paths")
    );
    // The current directory without YAML: a warning.
    let out = gwlint_in(&dir.path().join("docs"), &["check"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stderr).contains("warning: no YAML files found"));
}

#[test]
fn unknown_graph_gateway_is_a_usage_error() {
    let dir = typo_repo();
    let out = gwlint_in(dir.path(), &["graph", ".", "--gateway", "shop/nope"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no Gateway `shop/nope`"));
    let out = gwlint_in(dir.path(), &["graph", ".", "--gateway", "shop/gw"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("Gateway\\nshop/gw"));
}

#[test]
fn select_and_ignore_take_families_and_prefixes() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("route.yaml"), ROUTE).unwrap();
    let rules = |args: &[&str]| -> Vec<String> {
        let mut all = vec!["--no-config"];
        all.extend_from_slice(args);
        rules_with(dir.path(), &all)
    };
    assert_eq!(rules(&[]), ["GW120", "GW108"]);
    assert_eq!(rules(&["--select", "GW1"]), ["GW120", "GW108"]);
    assert_eq!(rules(&["--select", "gw12"]), ["GW120"]);
    assert!(rules(&["--select", "TLS"]).is_empty());
    assert_eq!(rules(&["--ignore", "GW12"]), ["GW108"]);
    let out = gwlint_in(dir.path(), &["check", ".", "--select", "NOPE"]);
    assert_eq!(out.status.code(), Some(2));
}

/// The rule ids `gwlint check .` reports in `dir`, in order.
fn rules_in(dir: &std::path::Path) -> Vec<String> {
    rules_with(dir, &[])
}

/// The rule ids `gwlint check . ARGS` reports in `dir`, in order.
fn rules_with(dir: &std::path::Path, args: &[&str]) -> Vec<String> {
    let mut all = vec!["check", ".", "--format", "json"];
    all.extend_from_slice(args);
    common::rules_of(&gwlint_in(dir, &all).stdout)
}

/// Runs `gwlint init` in `dir`: the configuration it wrote, and its `istioGatewayWorkloads` line.
fn init_in(dir: &std::path::Path) -> (String, String) {
    let out = gwlint_in(dir, &["init"]);
    assert_eq!(out.status.code(), Some(0));
    let text = std::fs::read_to_string(dir.join(".gwlint.yaml")).unwrap();
    let line = text
        .lines()
        .find(|l| l.trim_start().starts_with("istioGatewayWorkloads:"))
        .unwrap()
        .to_string();
    (text, line)
}

#[test]
fn init_fits_the_starter_to_the_repository() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir_all(d.join(".git")).unwrap();
    std::fs::create_dir_all(d.join("apps")).unwrap();
    std::fs::create_dir_all(d.join("archive/2023")).unwrap();
    std::fs::write(
        d.join("apps/gateway.yaml"),
        "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata:\n  name: gw\n  namespace: edge\nspec:\n  gatewayClassName: corp-lb\n  listeners:\n  - name: http\n    protocol: HTTP\n    port: 80\n---\napiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata:\n  name: shop-tls\n  namespace: edge\nspec:\n  secretName: shop-tls\n  dnsNames: [shop.example.com]\n  issuerRef:\n    name: letsencrypt-prod\n    kind: ClusterIssuer\n",
    )
    .unwrap();
    // An old manifest nothing deploys, with a dangling reference.
    std::fs::write(d.join("archive/2023/route.yaml"), ROUTE).unwrap();
    let rules = rules_in;
    let before = rules(d);
    assert!(before.contains(&"GW112".to_string()), "{before:?}");
    assert!(before.contains(&"TLS210".to_string()), "{before:?}");
    // The archive is deployed by nothing: left out even without a configuration, unless named.
    assert!(!before.contains(&"GW108".to_string()), "{before:?}");
    let out = gwlint_in(d, &["check", "archive/2023", "--format", "json"]);
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("\"GW108\""),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let out = gwlint_in(d, &["init"]);
    assert_eq!(out.status.code(), Some(0));
    let text = std::fs::read_to_string(d.join(".gwlint.yaml")).unwrap();
    assert!(text.contains("gatewayClasses: [corp-lb]"), "{text}");
    assert!(
        text.contains("clusterIssuers: [letsencrypt-prod]"),
        "{text}"
    );
    assert!(text.contains("exclude: [\"**/archive/**\"]"), "{text}");
    // Right after init, what only the cluster explained is gone.
    let after = rules(d);
    for gone in ["GW112", "TLS210", "GW108"] {
        assert!(
            !after.contains(&gone.to_string()),
            "{gone} after init: {after:?}"
        );
    }
}

/// An Istio Gateway whose credential Secret sits in the Gateway's namespace, and whose gateway
/// pods (Istio's default `istio: ingressgateway`) the repository does not run.
const ISTIO_GATEWAY: &str = "\
apiVersion: networking.istio.io/v1
kind: Gateway
metadata:
  name: shop
  namespace: shop
spec:
  selector:
    istio: ingressgateway
  servers:
  - port: {number: 443, name: https, protocol: HTTPS}
    hosts: [shop.example.com]
    tls: {mode: SIMPLE, credentialName: shop-tls}
---
apiVersion: v1
kind: Secret
metadata:
  name: shop-tls
  namespace: shop
type: kubernetes.io/tls
data: {tls.crt: '', tls.key: ''}
";

#[test]
fn init_declares_the_istio_gateway_workloads_the_repository_does_not_run() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir_all(d.join(".git")).unwrap();
    std::fs::write(d.join("gateway.yaml"), ISTIO_GATEWAY).unwrap();
    let rules = rules_in;
    // Where the gateway pods run is unknown: the credential is not judged.
    assert!(!rules(d).contains(&"IST602".to_string()));
    let (_, line) = init_in(d);
    assert!(
        line.contains("[\"istio-system/istio=ingressgateway\"]")
            && line.contains("# selected by Istio Gateways, run by no Deployment or Pod"),
        "{line}"
    );
    // Declared, the workload's namespace is known: the Secret in the Gateway's namespace is the
    // classic mistake, and it is reported now.
    assert!(rules(d).contains(&"IST602".to_string()));

    // On the AKS add-on, the upstream gateway does not exist: not proposed, and init says why.
    let aks = tempfile::tempdir().unwrap();
    let a = aks.path();
    std::fs::create_dir_all(a.join(".git")).unwrap();
    std::fs::write(
        a.join("gateway.yaml"),
        ISTIO_GATEWAY.replace(
            "namespace: shop\nspec:",
            "namespace: shop\n  labels: {istio.io/rev: asm-1-26}\nspec:",
        ),
    )
    .unwrap();
    let out = gwlint_in(a, &["init"]);
    assert_eq!(out.status.code(), Some(0));
    let text = std::fs::read_to_string(a.join(".gwlint.yaml")).unwrap();
    assert!(text.contains("\nprofile: aks-istio"), "{text}");
    assert!(
        text.contains("istioGatewayWorkloads: [] # the AKS add-on's ingress gateways"),
        "{text}"
    );
    // The profile knows the add-on's gateways: `istio: ingressgateway` selects none of them.
    assert!(rules(a).contains(&"IST601".to_string()));
}

/// Test data is not what the cluster runs: a gateway Deployment in a test fixture does not stand
/// for the installed gateway, and a test Gateway's selector is not proposed. A missing class that
/// is a slip for one the repository defines is left for GW112 to show.
#[test]
fn init_reads_past_test_data_and_slips() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir_all(d.join(".git")).unwrap();
    std::fs::create_dir_all(d.join("tests/testdata")).unwrap();
    std::fs::create_dir_all(d.join("examples")).unwrap();
    std::fs::write(d.join("gateway.yaml"), ISTIO_GATEWAY).unwrap();
    std::fs::write(
        d.join("tests/testdata/fixture.yaml"),
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: gw, namespace: shop}\nspec:\n  selector: {matchLabels: {istio: ingressgateway}}\n  template:\n    metadata: {labels: {istio: ingressgateway}}\n    spec: {containers: [{name: p, image: auto}]}\n---\n"
            .to_string()
            + &ISTIO_GATEWAY.replace("istio: ingressgateway", "istio: ingresstypo"),
    )
    .unwrap();
    std::fs::write(
        d.join("examples/classes.yaml"),
        "apiVersion: gateway.networking.k8s.io/v1\nkind: GatewayClass\nmetadata: {name: envoy-ai-gateway-basic}\nspec: {controllerName: gateway.envoyproxy.io/gatewayclass-controller}\n---\napiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {name: gw, namespace: default}\nspec:\n  gatewayClassName: envoy-ai-gateway\n  listeners: [{name: http, protocol: HTTP, port: 80}]\n",
    )
    .unwrap();
    let (text, line) = init_in(d);
    assert!(
        line.contains("[\"istio-system/istio=ingressgateway\"]"),
        "{line}"
    );
    assert!(!text.contains("envoy-ai-gateway"), "{text}");
    let out = gwlint_in(d, &["check", ".", "--format", "json"]);
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("\"GW112\""),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

/// A controller repository's test inputs are not the user's problem: findings in `testdata`
/// are left out (and said so), naming the directory or `lintTestData: true` brings them back,
/// and an example's credentials are an info, not a warning.
#[test]
fn test_data_is_left_out_and_examples_are_info() {
    let dir = tempfile::tempdir().unwrap();
    let td = dir.path().join("internal/testdata");
    std::fs::create_dir_all(&td).unwrap();
    std::fs::write(td.join("route.yaml"), ROUTE).unwrap();
    std::fs::create_dir_all(dir.path().join("examples")).unwrap();
    std::fs::write(
        dir.path().join("examples/secret.yaml"),
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: demo\n  namespace: shop\nstringData:\n  password: not-a-placeholder\n",
    )
    .unwrap();
    let json = |args: &[&str]| -> serde_json::Value {
        let out = gwlint_in(dir.path(), args);
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let rules = |v: &serde_json::Value| -> Vec<(String, String)> {
        v["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| {
                (
                    d["rule"].as_str().unwrap().to_string(),
                    d["severity"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    let all = json(&["check", ".", "--no-config", "--format", "json"]);
    assert_eq!(rules(&all), vec![("SEC413".into(), "info".into())]);
    let text = gwlint_in(dir.path(), &["check", ".", "--no-config"]);
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(
        text.contains(
            "1 file of test data (testdata and fixtures directories, golden outputs, …) not linted"
        ),
        "{text}"
    );
    // Named on the command line, the test data is meant.
    let named = json(&[
        "check",
        "internal/testdata",
        "--no-config",
        "--format",
        "json",
    ]);
    assert!(rules(&named).iter().any(|(r, _)| r == "GW108"), "{named}");
    std::fs::write(dir.path().join(".gwlint.yaml"), "lintTestData: true\n").unwrap();
    let configured = json(&["check", ".", "--format", "json"]);
    assert!(
        rules(&configured).iter().any(|(r, _)| r == "GW108"),
        "{configured}"
    );
}
