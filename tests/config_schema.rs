//! schemas/gwlint.schema.json: the configurations gwlint accepts validate against it, and what
//! gwlint rejects (unknown keys, bad levels) the schema rejects too.

mod support;

use std::path::Path;

use serde_json::{Value, json};
use support::{read, root, to_json, yaml_doc};

fn schema() -> Value {
    serde_json::from_str(&read("schemas/gwlint.schema.json")).expect("the schema is JSON")
}

fn validator() -> jsonschema::Validator {
    jsonschema::validator_for(&schema()).expect("a valid JSON Schema")
}

fn schema_errors(v: &jsonschema::Validator, doc: &Value) -> Vec<String> {
    v.iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect()
}

fn known(n: &str) -> Option<&'static str> {
    gwlint::rules::find(n).map(|r| r.id)
}

fn load(path: &Path) -> Result<gwlint::config::Config, gwlint::config::ConfigError> {
    gwlint::config::load(path, &known)
}

/// A configuration text as JSON (empty file: null, as gwlint reads it).
fn config_json(text: &str, what: &str) -> Value {
    let p = support::parse_yaml(text);
    assert!(p.issues.is_empty(), "{what}: loader findings");
    p.docs.first().map_or(Value::Null, |d| to_json(&d.root))
}

#[test]
fn schema_is_draft_2020_12_and_strict() {
    let s = schema();
    assert_eq!(s["$schema"], "https://json-schema.org/draft/2020-12/schema");
    assert_eq!(s["additionalProperties"], false);
    for key in ["externals", "dns", "tls", "targets"] {
        assert_eq!(s["properties"][key]["additionalProperties"], false, "{key}");
    }
    assert_eq!(
        s["properties"]["ignore"]["items"]["additionalProperties"],
        false
    );
    // Every top-level key config.rs accepts is described, and nothing else.
    let mut keys: Vec<&str> = s["properties"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    let mut expected = vec![
        "allowExternalSecrets",
        "defaultNamespace",
        "dns",
        "exclude",
        "externals",
        "failOn",
        "ignore",
        "include",
        "lintTestData",
        "maxFileSize",
        "profile",
        "rules",
        "targets",
        "tls",
    ];
    expected.sort_unstable();
    assert_eq!(keys, expected);
}

/// The rule keys the schema lists are exactly gwlint's rule ids and names.
#[test]
fn schema_lists_every_rule() {
    let s = schema();
    let mut listed: Vec<String> = s["properties"]["rules"]["propertyNames"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    listed.sort();
    let mut all: Vec<String> = gwlint::rules::all()
        .iter()
        .flat_map(|r| [r.id.to_string(), r.name.to_string()])
        .collect();
    all.sort();
    assert_eq!(listed, all, "regenerate the rule list in the schema");
}

#[test]
fn starter_config_validates_and_names_the_schema() {
    let text = read("src/starter-config.yaml");
    let first = text.lines().next().unwrap();
    let (_, url) = first
        .split_once("# yaml-language-server: $schema=")
        .expect("modeline on the first line");
    assert_eq!(
        url,
        format!(
            "https://raw.githubusercontent.com/{}/main/schemas/gwlint.schema.json",
            env!("CARGO_PKG_REPOSITORY").trim_start_matches("https://github.com/")
        )
    );
    assert_eq!(schema()["$id"], url);
    let v = validator();
    let doc = config_json(&text, "starter config");
    assert_eq!(schema_errors(&v, &doc), Vec::<String>::new());

    // What `gwlint init` writes is that file, and gwlint loads it.
    let dir = tempfile::tempdir().unwrap();
    let st = assert_cmd::Command::cargo_bin("gwlint")
        .unwrap()
        .args(["init"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(st.status.success());
    let written = dir.path().join(".gwlint.yaml");
    assert_eq!(std::fs::read_to_string(&written).unwrap(), text);
    load(&written).expect("starter config loads");
}

#[test]
fn testdata_configs_validate() {
    let v = validator();
    let mut stack = vec![root().join("testdata")];
    let mut seen = 0;
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.file_name().is_some_and(|n| n == ".gwlint.yaml") {
                let text = std::fs::read_to_string(&path).unwrap();
                let doc = config_json(&text, &path.display().to_string());
                let errors = schema_errors(&v, &doc);
                assert!(errors.is_empty(), "{}: {errors:?}", path.display());
                load(&path).unwrap_or_else(|e| panic!("{e}"));
                seen += 1;
            }
        }
    }
    assert!(seen > 0, "no .gwlint.yaml under testdata/");
}

/// The README's configuration example (the yaml block that starts with `failOn:`).
#[test]
fn readme_config_example_validates() {
    let readme = read("README.md");
    let start = readme
        .find("```yaml\nfailOn: error")
        .expect("README configuration example");
    let body = &readme[start + "```yaml\n".len()..];
    let body = &body[..body.find("```").unwrap()];
    let doc = yaml_doc(body, "README configuration example");
    let v = validator();
    assert_eq!(schema_errors(&v, &doc), Vec::<String>::new());
    // It sets every top-level key the schema knows.
    for key in schema()["properties"].as_object().unwrap().keys() {
        assert!(doc.get(key).is_some(), "the README example lacks {key}");
    }
}

/// A configuration both the schema and gwlint must reject; gwlint's message contains `says`.
fn rejected(text: &str, says: &str) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(".gwlint.yaml");
    std::fs::write(&path, text).unwrap();
    let err = load(&path).expect_err(text);
    assert!(
        err.message.contains(says),
        "{text}: gwlint says {:?}, expected it to contain {says:?}",
        err.message
    );
    let doc = config_json(text, text);
    assert!(
        !schema_errors(&validator(), &doc).is_empty(),
        "the schema accepts {text:?}, gwlint does not"
    );
}

/// A configuration both accept.
fn accepted(text: &str) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(".gwlint.yaml");
    std::fs::write(&path, text).unwrap();
    load(&path).unwrap_or_else(|e| panic!("{text}: {e}"));
    let doc = config_json(text, text);
    assert_eq!(
        schema_errors(&validator(), &doc),
        Vec::<String>::new(),
        "{text}"
    );
}

#[test]
fn invalid_configs_are_rejected_by_schema_and_gwlint() {
    rejected("failsOn: error\n", "unknown key `failsOn`");
    rejected("failOn: fatal\n", "`failOn` must be");
    rejected(
        "rules:\n  GW108: fatal\n",
        "is not one of off, info, warning or error",
    );
    rejected("rules:\n  GW999: off\n", "unknown rule `GW999`");
    rejected(
        "externals:\n  gatewayClass: [x]\n",
        "unknown key `externals.gatewayClass`",
    );
    rejected(
        "externals:\n  secrets: shop/tls\n",
        "must be a list of strings",
    );
    rejected("dns:\n  zones: [a.example]\n", "unknown key `dns.zones`");
    rejected("tls:\n  expiryWarningDays: -1\n", "number of days");
    rejected("ignore:\n  - kind: HTTPRoute\n", "needs `rule`");
    rejected(
        "ignore:\n  - rule: GW108\n    file: x\n",
        "unknown key `ignore.file`",
    );
    rejected("profile: eks\n", "`profile` must be");
    rejected("targets:\n  gatewayAPI: \"v1.9\"\n", "not a known bundle");
    rejected(
        "targets:\n  gatewayAPIChannel: beta\n",
        "must be standard or experimental",
    );
    rejected("targets:\n  certManager: latest\n", "must be a version");
    rejected(
        "targets:\n  istio: \"1.26\"\n",
        "unknown key `targets.istio`",
    );
    rejected("maxFileSize: 0\n", "positive number of bytes");
    rejected("allowExternalSecrets: yes\n", "must be true or false");
    rejected("- failOn\n", "must be a mapping");
}

#[test]
fn valid_edge_cases_are_accepted_by_both() {
    accepted("");
    accepted("# only comments\n");
    accepted("rules:\nexternals:\nignore:\n");
    accepted("rules:\n  GW112: false\n  backend-not-found: warning\n");
    accepted("targets:\n  gatewayAPI: 1.4\n  externalDNS: \"v0.22.1\"\n  certManager: 1\n");
    accepted("profile: none\nignore:\n  - {rule: SEC413, path: \"bootstrap/**\"}\n");
    let _ = json!(null);
}

/// A key written twice is an error in gwlint's words for a configuration file, not the
/// loader's words for a manifest (which speak of the API server).
#[test]
fn duplicate_key_message_is_about_the_configuration() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(".gwlint.yaml");
    std::fs::write(&path, "profile: aks-istio\nfailOn: error\nprofile: none\n").unwrap();
    let err = load(&path).expect_err("duplicate key");
    assert_eq!((err.line, err.column), (3, 1));
    assert!(
        err.message.contains("duplicate key `profile`")
            && err.message.contains("line 1")
            && err.message.contains("configuration")
            && !err.message.contains("API server"),
        "{}",
        err.message
    );
}
