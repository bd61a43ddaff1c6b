//! `--new-from-rev REV` (only findings the revision did not have, deletions included), the
//! pre-commit hook that runs it, and `--root` as editors use it (directories, paths relative to a
//! sub-directory, `-` with `--stdin-filename` replacing a file of the repository).

mod common;

use std::path::Path;

use assert_cmd::Command;

fn gwlint(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("gwlint").unwrap();
    c.current_dir(dir).env("NO_COLOR", "1");
    c
}

fn has_git() -> bool {
    let ok = std::process::Command::new("git")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        eprintln!("git is not installed; skipped");
    }
    ok
}

fn git(dir: &Path, args: &[&str]) {
    let out = std::process::Command::new("git")
        .args(["-c", "user.email=a@b", "-c", "user.name=t"])
        .args([
            "-c",
            "init.defaultBranch=main",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

const GATEWAY: &str = "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata:\n  name: edge\n  namespace: shop\nspec:\n  gatewayClassName: istio\n  listeners:\n  - name: http\n    port: 80\n    protocol: HTTP\n";

/// A route to `checkout` (defined) and `cart` (missing: one GW108 from the start).
const ROUTE: &str = "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata:\n  name: shop\n  namespace: shop\nspec:\n  parentRefs:\n  - name: edge\n  rules:\n  - backendRefs:\n    - name: cart\n      port: 80\n    - name: checkout\n      port: 80\n";

const SERVICE: &str = "apiVersion: v1\nkind: Service\nmetadata:\n  name: checkout\n  namespace: shop\nspec:\n  ports:\n  - port: 80\n";

/// A committed repository with one existing finding (GW108 for `cart`).
fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir_all(d.join("apps/shop")).unwrap();
    std::fs::write(d.join("gateway.yaml"), GATEWAY).unwrap();
    std::fs::write(d.join("apps/shop/route.yaml"), ROUTE).unwrap();
    std::fs::write(d.join("apps/shop/service.yaml"), SERVICE).unwrap();
    git(d, &["init", "-q"]);
    git(d, &["add", "."]);
    git(d, &["commit", "-q", "-m", "init"]);
    dir
}

/// (rule, path, message) of every finding of a JSON report.
fn findings(out: &[u8]) -> Vec<(String, String, String)> {
    let v: serde_json::Value = serde_json::from_slice(out)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(out)));
    v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["rule"].as_str().unwrap().to_string(),
                d["location"]["path"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                d["message"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

fn rules(out: &[u8]) -> Vec<String> {
    findings(out).into_iter().map(|f| f.0).collect()
}

#[test]
fn deleting_a_used_service_is_a_new_finding() {
    if !has_git() {
        return;
    }
    let dir = repo();
    std::fs::remove_file(dir.path().join("apps/shop/service.yaml")).unwrap();
    let out = gwlint(dir.path())
        .args(["check", "--new-from-rev", "HEAD", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let f = findings(&out.stdout);
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0].0, "GW108");
    assert_eq!(f[0].1, "apps/shop/route.yaml");
    assert!(f[0].2.contains("checkout"), "{f:?}");
    // Staged or not, the same: the working tree is compared.
    git(
        dir.path(),
        &["rm", "-q", "--cached", "apps/shop/service.yaml"],
    );
    gwlint(dir.path())
        .args(["check", "--new-from-rev", "HEAD"])
        .assert()
        .code(1);
}

#[test]
fn unchanged_repository_reports_nothing() {
    if !has_git() {
        return;
    }
    let dir = repo();
    // The finding exists...
    gwlint(dir.path()).args(["check", "."]).assert().code(1);
    // ...but not since HEAD, also from a sub-directory, and with a path.
    let out = gwlint(dir.path())
        .args(["check", "--new-from-rev", "HEAD", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(rules(&out.stdout).is_empty());
    let sub = dir.path().join("apps");
    let out = gwlint(&sub)
        .args([
            "check",
            "--new-from-rev",
            "HEAD",
            "--format",
            "json",
            "shop",
            "..",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(rules(&out.stdout).is_empty());
    // The working directory in the repository, linting it all by an absolute path.
    gwlint(&sub)
        .args(["check", "--new-from-rev", "HEAD"])
        .arg(dir.path())
        .assert()
        .code(0);
}

#[test]
fn only_the_new_finding_of_a_changed_file_is_reported() {
    if !has_git() {
        return;
    }
    let dir = repo();
    // A second missing backend in the same route, and a line added above the old one so that
    // every position moves.
    let changed = ROUTE
        .replace("metadata:\n", "metadata:\n  labels:\n    app: shop\n")
        .replace(
            "    - name: checkout\n      port: 80\n",
            "    - name: checkout\n      port: 80\n    - name: payments\n      port: 80\n",
        );
    std::fs::write(dir.path().join("apps/shop/route.yaml"), changed).unwrap();
    let out = gwlint(dir.path())
        .args(["check", "--new-from-rev", "HEAD", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let f = findings(&out.stdout);
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0].0, "GW108");
    assert!(f[0].2.contains("payments"), "{f:?}");
    // An untracked file is new as a whole.
    std::fs::write(
        dir.path().join("apps/extra.yaml"),
        ROUTE.replace("name: shop\n", "name: extra\n"),
    )
    .unwrap();
    let out = gwlint(dir.path())
        .args(["check", "--new-from-rev", "HEAD", "--format", "json"])
        .output()
        .unwrap();
    let f = findings(&out.stdout);
    assert!(f.iter().any(|x| x.1 == "apps/extra.yaml"), "{f:?}");
    assert!(
        !f.iter()
            .any(|x| x.2.contains("`cart`") && x.1 == "apps/shop/route.yaml")
    );
}

#[test]
fn errors_exit_2() {
    if !has_git() {
        return;
    }
    let dir = repo();
    let out = gwlint(dir.path())
        .args(["check", "--new-from-rev", "no-such-rev"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("unknown revision `no-such-rev`"), "{err}");
    gwlint(dir.path())
        .args(["check", "--new-from-rev", "--output=x"])
        .assert()
        .code(2);
    // Not a repository.
    let plain = tempfile::tempdir().unwrap();
    std::fs::write(plain.path().join("gateway.yaml"), GATEWAY).unwrap();
    let out = gwlint(plain.path())
        .env("GIT_CEILING_DIRECTORIES", plain.path().parent().unwrap())
        .args(["check", "--new-from-rev", "HEAD"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("not in a git repository"),
        "{out:?}"
    );
    // git missing.
    let out = gwlint(dir.path())
        .env("PATH", plain.path())
        .args(["check", "--new-from-rev", "HEAD"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("needs git"),
        "{out:?}"
    );
}

/// The hook's entry, as `.pre-commit-hooks.yaml` gives it, with `gwlint` the binary under test.
fn hook_entry() -> Vec<String> {
    let hooks = std::fs::read_to_string(common::root().join(".pre-commit-hooks.yaml")).unwrap();
    let entry = hooks
        .lines()
        .find_map(|l| l.trim().strip_prefix("entry: "))
        .unwrap();
    let mut words: Vec<String> = entry.split_whitespace().map(String::from).collect();
    assert_eq!(words[0], "gwlint");
    words[0] = assert_cmd::cargo::cargo_bin("gwlint")
        .to_string_lossy()
        .into_owned();
    words
}

#[test]
fn the_pre_commit_hook_catches_a_deletion() {
    if !has_git() {
        return;
    }
    let hooks = std::fs::read_to_string(common::root().join(".pre-commit-hooks.yaml")).unwrap();
    assert!(hooks.contains("pass_filenames: false"));
    assert!(hooks.contains("always_run: true"));
    let dir = repo();
    let entry = hook_entry();
    let run = |dir: &Path| {
        std::process::Command::new(&entry[0])
            .args(&entry[1..])
            .current_dir(dir)
            .output()
            .unwrap()
    };
    assert_eq!(run(dir.path()).status.code(), Some(0));
    git(dir.path(), &["rm", "-q", "apps/shop/service.yaml"]);
    let out = run(dir.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("GW108"));

    // With pre-commit itself, when installed: `try-repo` of a hook repository whose hook is this
    // one's definition, run as a system command (building the Rust hook would take minutes).
    if !std::process::Command::new("pre-commit")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
    {
        eprintln!("pre-commit is not installed; try-repo skipped");
        return;
    }
    let hook_repo = tempfile::tempdir().unwrap();
    let definition = hooks
        .replace("entry: gwlint ", &format!("entry: {} ", entry[0]))
        .replace("language: rust", "language: system");
    std::fs::write(hook_repo.path().join(".pre-commit-hooks.yaml"), definition).unwrap();
    git(hook_repo.path(), &["init", "-q"]);
    git(hook_repo.path(), &["add", "."]);
    git(hook_repo.path(), &["commit", "-q", "-m", "hooks"]);
    let out = std::process::Command::new("pre-commit")
        .arg("try-repo")
        .arg(hook_repo.path())
        .arg("gwlint")
        .current_dir(dir.path())
        .env("PRE_COMMIT_HOME", hook_repo.path().join(".home"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    // Only a deletion is staged, no YAML file: always_run runs the hook anyway.
    assert!(!out.status.success(), "{stdout}");
    assert!(stdout.contains("GW108"), "{stdout}");
    git(dir.path(), &["commit", "-q", "-m", "drop the service"]);
    let out = std::process::Command::new("pre-commit")
        .arg("try-repo")
        .arg(hook_repo.path())
        .arg("gwlint")
        .arg("--all-files")
        .current_dir(dir.path())
        .env("PRE_COMMIT_HOME", hook_repo.path().join(".home"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn root_takes_directories_and_paths_relative_to_the_working_directory() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir_all(d.join("apps/shop")).unwrap();
    std::fs::write(d.join("gateway.yaml"), GATEWAY).unwrap();
    std::fs::write(d.join("apps/shop/route.yaml"), ROUTE).unwrap();
    std::fs::write(d.join("apps/shop/service.yaml"), SERVICE).unwrap();
    // A directory: every file under it.
    let out = gwlint(d)
        .args(["check", "--root", ".", "apps", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert_eq!(rules(&out.stdout), vec!["GW108"]);
    // The root itself: everything.
    gwlint(d)
        .args(["check", "--root", ".", "."])
        .assert()
        .code(1);
    // A path relative to a sub-directory, the root given relative to it.
    let sub = d.join("apps");
    let out = gwlint(&sub)
        .args([
            "check",
            "--root",
            "..",
            "shop/route.yaml",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert_eq!(rules(&out.stdout), vec!["GW108"]);
    let out = gwlint(&sub)
        .args(["check", "--root"])
        .arg(d)
        .args(["shop", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(rules(&out.stdout), vec!["GW108"]);
    // A file with no finding reports nothing.
    gwlint(&sub)
        .args(["check", "--root", "..", "shop/service.yaml"])
        .assert()
        .code(0);
    // Missing, and outside the root: exit 2.
    let out = gwlint(d)
        .args(["check", "--root", ".", "apps/nope.yaml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("apps/nope.yaml"));
    let elsewhere = tempfile::tempdir().unwrap();
    std::fs::write(elsewhere.path().join("x.yaml"), SERVICE).unwrap();
    let out = gwlint(&sub)
        .args(["check", "--root", "."])
        .arg(elsewhere.path().join("x.yaml"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("outside the root"));
    gwlint(&sub)
        .args(["check", "--root", ".", "../gateway.yaml"])
        .assert()
        .code(2);
    gwlint(d)
        .args(["check", "--root", "nope", "x.yaml"])
        .assert()
        .code(2);
}

#[test]
fn root_with_stdin_replaces_a_file_of_the_repository() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir_all(d.join("apps/shop")).unwrap();
    std::fs::write(d.join("gateway.yaml"), GATEWAY).unwrap();
    std::fs::write(d.join("apps/shop/route.yaml"), ROUTE).unwrap();
    std::fs::write(d.join("apps/shop/service.yaml"), SERVICE).unwrap();
    // On disk the route has a dangling reference; the buffer fixes it.
    let fixed = ROUTE.replace("    - name: cart\n      port: 80\n", "");
    let out = gwlint(d)
        .args(["check", "--root", ".", "-", "--stdin-filename"])
        .arg("apps/shop/route.yaml")
        .args(["--format", "json"])
        .write_stdin(fixed)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(rules(&out.stdout).is_empty());
    // The Service file is clean on disk; a buffer that renames it breaks the route's reference,
    // reported in the buffer's file only when the buffer is that file.
    std::fs::write(
        d.join("apps/shop/route.yaml"),
        ROUTE.replace("    - name: cart\n      port: 80\n", ""),
    )
    .unwrap();
    gwlint(d).args(["check", "."]).assert().code(0);
    let broken = SERVICE.replace("name: checkout", "name: checkout-v2");
    let out = gwlint(&d.join("apps"))
        .args(["check", "--root", "..", "-", "--stdin-filename"])
        .arg("shop/route.yaml")
        .args(["--format", "json"])
        .write_stdin(
            ROUTE
                .replace("    - name: cart\n      port: 80\n", "")
                .replace("name: checkout", "name: chekout"),
        )
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let f = findings(&out.stdout);
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0].0, "GW108");
    assert_eq!(f[0].1, "../apps/shop/route.yaml");
    assert!(f[0].2.contains("chekout"), "{f:?}");
    // A buffer of the Service file: its own findings only (none), though the route now
    // dangles.
    let out = gwlint(d)
        .args(["check", "--root", ".", "-", "--stdin-filename"])
        .arg("apps/shop/service.yaml")
        .args(["--format", "json"])
        .write_stdin(broken.clone())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    // The route's file, the Service's buffer: the route's finding appears.
    let out = gwlint(d)
        .args([
            "check",
            "--root",
            ".",
            "-",
            "apps/shop/route.yaml",
            "--stdin-filename",
        ])
        .arg("apps/shop/service.yaml")
        .args(["--format", "json"])
        .write_stdin(broken)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let f = findings(&out.stdout);
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0].1, "apps/shop/route.yaml");
    // `-` with --root needs --stdin-filename, inside the root.
    gwlint(d)
        .args(["check", "--root", ".", "-"])
        .write_stdin("")
        .assert()
        .code(2);
    gwlint(&d.join("apps"))
        .args([
            "check",
            "--root",
            ".",
            "-",
            "--stdin-filename",
            "../gateway.yaml",
        ])
        .write_stdin("")
        .assert()
        .code(2);
    // A buffer not saved yet: a new file of the repository.
    let out = gwlint(d)
        .args([
            "check",
            "--root",
            ".",
            "-",
            "--stdin-filename",
            "apps/new.yaml",
        ])
        .args(["--format", "json"])
        .write_stdin(ROUTE.replace("name: shop\n", "name: new\n"))
        .output()
        .unwrap();
    let f = findings(&out.stdout);
    assert!(
        !f.is_empty() && f.iter().all(|x| x.1 == "apps/new.yaml"),
        "{f:?}"
    );
}

/// An editor's buffer against the last commit: only what the buffer adds.
#[test]
fn stdin_buffer_with_new_from_rev() {
    if !has_git() {
        return;
    }
    let dir = repo();
    let out = gwlint(dir.path())
        .args(["check", "--new-from-rev", "HEAD", "--root", ".", "-"])
        .args([
            "--stdin-filename",
            "apps/shop/route.yaml",
            "--format",
            "json",
        ])
        .write_stdin(ROUTE.replace("name: checkout", "name: chekout"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let f = findings(&out.stdout);
    assert_eq!(f.len(), 1, "{f:?}");
    assert!(f[0].2.contains("chekout"), "{f:?}");
}
