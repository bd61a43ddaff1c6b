//! What a new user meets in the reports: JUnit agrees with the exit code.

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
