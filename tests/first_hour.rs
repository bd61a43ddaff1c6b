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
