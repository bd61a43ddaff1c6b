//! Every rule page's Example triggers its rule and its Fix does not.

mod common;

use gwlint::config::{Channel, Config, Profile, Version};
use gwlint::{Options, lint};

fn rules_in(yaml: &str, rule: &str) -> Vec<&'static str> {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("example.yaml");
    std::fs::write(&file, yaml).unwrap();
    let mut config = Config::default();
    // An example certificate cannot stay "about to expire" as the calendar moves: widen the
    // window so TLS227's example keeps meaning "expires within the window".
    if rule == "TLS227" {
        config.expiry_warning_days = 365 * 100;
    }
    // API503 and API507 judge against the target cluster; their pages say which one.
    if rule == "API503" {
        config.targets.gateway_api = Version::new(1, 4);
        config.targets.gateway_api_channel = Some(Channel::Standard);
    }
    if rule.starts_with("API507") {
        config.profile = Some(Profile::AksIstio);
        config.targets.gateway_api = Version::new(1, 3);
        config.targets.gateway_api_channel = Some(Channel::Standard);
    }
    // The IST rules that follow a Gateway to its workload need the workloads known: the pages
    // use the AKS add-on's gateways.
    if matches!(rule, "IST601" | "IST602" | "IST603") {
        config.profile = Some(Profile::AksIstio);
    }
    if rule == "API507-fixed" {
        config.targets.istio_revisions = vec!["asm-1-26".into()];
    }
    let opts = Options {
        paths: vec![file],
        config,
        ..Options::default()
    };
    lint(&opts, None)
        .diagnostics
        .iter()
        .map(|d| d.rule)
        .collect()
}

#[test]
fn examples_trigger_and_fixes_do_not() {
    let mut problems = Vec::new();
    for r in gwlint::rules::all() {
        for section in ["What it finds", "Why it matters", "Example", "Fix"] {
            if r.section(section).is_none_or(str::is_empty) {
                problems.push(format!("{}: section `{section}` missing", r.file));
            }
        }
        let (Some((ex_lang, example)), Some((fix_lang, fix))) =
            (r.code_block("Example"), r.code_block("Fix"))
        else {
            problems.push(format!("{}: Example and Fix need a fenced block", r.file));
            continue;
        };
        if ex_lang != "yaml" || fix_lang != "yaml" {
            // Only a binary file cannot be shown as YAML.
            if r.id != "YAML003" {
                problems.push(format!("{}: Example and Fix must be yaml blocks", r.file));
            }
            continue;
        }
        if !rules_in(example, r.id).contains(&r.id) {
            problems.push(format!("{}: Example does not trigger {}", r.file, r.id));
        }
        // The Fix of a rule that needs a target is checked against the same target.
        let fix_config = match r.id {
            "API503" => "API503",
            "API507" => "API507-fixed",
            "IST601" | "IST602" | "IST603" => r.id,
            _ => "",
        };
        if rules_in(fix, fix_config).contains(&r.id) {
            problems.push(format!("{}: Fix still triggers {}", r.file, r.id));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn page_file_names_match_front_matter() {
    for r in gwlint::rules::all() {
        assert_eq!(r.file, format!("{}-{}.md", r.id, r.name));
        assert!(!r.summary.is_empty(), "{} has no summary", r.id);
    }
}
