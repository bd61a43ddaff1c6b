//! SARIF as GitHub code scanning reads it: rule metadata within its limits, security metadata for
//! the Secret rules, related locations linked from the message, and paths from the repository
//! root whatever directory gwlint ran in.

mod common;

use assert_cmd::Command;

fn write(path: &std::path::Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// A repository (`.git` at its root) with a route in `apps/shop/` whose parentRef names a
/// Gateway that exists with another listener name: GW102 with a related location.
fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    write(
        &dir.path().join("apps/shop/route.yaml"),
        "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata:\n  name: shop\n  namespace: shop\nspec:\n  parentRefs:\n  - name: gw\n    sectionName: htps\n  rules:\n  - backendRefs:\n    - name: svc\n      port: 80\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: svc\n  namespace: shop\nspec:\n  ports:\n  - port: 80\n",
    );
    write(
        &dir.path().join("infra/gw.yaml"),
        "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata:\n  name: gw\n  namespace: shop\nspec:\n  gatewayClassName: istio\n  listeners:\n  - name: https\n    protocol: HTTP\n    port: 80\n",
    );
    dir
}

fn sarif(dir: &std::path::Path, args: &[&str]) -> serde_json::Value {
    let out = Command::cargo_bin("gwlint")
        .unwrap()
        .current_dir(dir)
        .args(["check", "--no-config", "--format", "sarif"])
        .args(args)
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn rule_metadata_fits_github() {
    let dir = repo();
    let v = sarif(dir.path(), &["."]);
    let rules = v["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap();
    assert!(rules.len() > 50);
    for r in rules {
        let id = r["id"].as_str().unwrap();
        for d in ["shortDescription", "fullDescription"] {
            let text = r[d]["text"].as_str().unwrap();
            assert!(!text.is_empty() && text.chars().count() <= 1024, "{id} {d}");
        }
        let uri = r["helpUri"].as_str().unwrap();
        assert!(
            uri.starts_with("https://") && uri.ends_with(".md") && uri.contains(id),
            "{uri}"
        );
        let props = &r["properties"];
        assert!(
            ["very-high", "high", "medium"].contains(&props["precision"].as_str().unwrap()),
            "{id}"
        );
        let tags: Vec<&str> = props["tags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t.as_str().unwrap())
            .collect();
        let security = id.starts_with("SEC");
        assert_eq!(tags.contains(&"security"), security, "{id} {tags:?}");
        assert_eq!(props.get("security-severity").is_some(), security, "{id}");
        if security {
            let score: f64 = props["security-severity"]
                .as_str()
                .unwrap()
                .parse()
                .unwrap();
            assert!((0.0..=10.0).contains(&score));
        }
    }
}

#[test]
fn paths_are_relative_to_the_repository_root_from_any_directory() {
    let dir = repo();
    let sub = dir.path().join("apps/shop");
    for (cwd, arg) in [(dir.path().to_path_buf(), "."), (sub.clone(), "../..")] {
        let v = sarif(&cwd, &[arg]);
        let run = &v["runs"][0];
        let base = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
            .as_str()
            .unwrap();
        assert!(
            base.starts_with("file:///") && base.ends_with('/'),
            "{base}"
        );
        let results = run["results"].as_array().unwrap();
        let gw102 = results
            .iter()
            .find(|r| r["ruleId"] == "GW102")
            .unwrap_or_else(|| panic!("{v:#}"));
        let loc = &gw102["locations"][0]["physicalLocation"]["artifactLocation"];
        assert_eq!(loc["uri"], "apps/shop/route.yaml", "from {}", cwd.display());
        assert_eq!(loc["uriBaseId"], "%SRCROOT%");
        // The related location (the Gateway's listener) is linked from the message.
        let related = gw102["relatedLocations"].as_array().unwrap();
        assert!(!related.is_empty());
        let text = gw102["message"]["text"].as_str().unwrap();
        for r in related {
            assert!(text.contains(&format!("]({})", r["id"])), "{text}");
            assert_eq!(
                r["physicalLocation"]["artifactLocation"]["uri"],
                "infra/gw.yaml"
            );
        }
        if let Some(schema) = common::sarif_schema() {
            let validator = jsonschema::validator_for(&schema).unwrap();
            let errors: Vec<String> = validator.iter_errors(&v).map(|e| e.to_string()).collect();
            assert!(errors.is_empty(), "{errors:?}");
        }
    }
}
