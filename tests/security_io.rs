//! Hostile repositories and hostile I/O: what a pull request can plant (symlinks, ignore files,
//! nested configurations, `# Source:` comments, escape sequences in names) and what the
//! environment can do to the process (endless inputs, closed or full standard streams). Each
//! test failed before the corresponding fix.

#![cfg(target_os = "linux")]

use std::io::Write;
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use assert_cmd::Command;

/// An HTTPRoute whose parent Gateway does not exist: one GW101 error (exit 1).
const ROUTE: &str = "apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: storefront
  namespace: shop
spec:
  parentRefs:
  - name: missing-gw
";

fn gwlint(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("gwlint").unwrap();
    c.current_dir(dir)
        .env("NO_COLOR", "1")
        .timeout(Duration::from_secs(60));
    c
}

fn write(path: &Path, text: impl AsRef<[u8]>) {
    if let Some(d) = path.parent() {
        std::fs::create_dir_all(d).unwrap();
    }
    std::fs::write(path, text).unwrap();
}

/// A repository (a directory with `.git`) with one failing route.
fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    write(&dir.path().join("route.yaml"), ROUTE);
    dir
}

fn stderr_of(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

// ---- 7: configuration symlinks and error messages ----

#[test]
fn discovered_config_symlink_out_of_the_repository_is_not_read() {
    let outside = tempfile::tempdir().unwrap();
    let secret = outside.path().join("shadow");
    write(&secret, "topsecret-hash-value: 1\n");
    let repo = repo();
    std::os::unix::fs::symlink(&secret, repo.path().join(".gwlint.yaml")).unwrap();
    let out = gwlint(repo.path()).args(["check", "."]).output().unwrap();
    let err = stderr_of(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(!err.contains("topsecret"), "file content echoed: {err}");
    assert!(err.contains("outside the repository"), "{err}");
}

#[test]
fn explicit_config_symlink_is_followed() {
    let outside = tempfile::tempdir().unwrap();
    let cfg = outside.path().join("cfg.yaml");
    write(&cfg, "rules:\n  GW101: off\n");
    let repo = repo();
    std::os::unix::fs::symlink(&cfg, repo.path().join("link.yaml")).unwrap();
    gwlint(repo.path())
        .args(["check", "route.yaml", "--config", "link.yaml"])
        .assert()
        .code(0);
}

#[test]
fn config_errors_never_echo_more_than_a_short_escaped_key() {
    let repo = repo();
    let long = "k".repeat(300);
    write(
        &repo.path().join(".gwlint.yaml"),
        format!("\"{long}\\e[31m\": 1\n"),
    );
    let out = gwlint(repo.path()).args(["check", "."]).output().unwrap();
    let err = stderr_of(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(!err.contains(&"k".repeat(65)), "key not capped: {err}");
    assert!(!err.contains('\u{1b}'), "escape not escaped: {err:?}");
    // A rule level's value is never quoted back.
    write(
        &repo.path().join(".gwlint.yaml"),
        "rules:\n  GW101: hunter2-secret\n",
    );
    let out = gwlint(repo.path()).args(["check", "."]).output().unwrap();
    let err = stderr_of(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(!err.contains("hunter2"), "value echoed: {err}");
}

// ---- 8: ways to lint nothing and exit 0 ----

#[test]
fn dot_ignore_files_are_not_honoured() {
    let repo = repo();
    write(&repo.path().join(".ignore"), "*.yaml\n");
    gwlint(repo.path()).args(["check", "."]).assert().code(1);
}

#[test]
fn gitignore_above_the_repository_root_is_not_honoured() {
    let outer = tempfile::tempdir().unwrap();
    write(&outer.path().join(".gitignore"), "*.yaml\n");
    let inner = outer.path().join("repo");
    std::fs::create_dir_all(inner.join(".git")).unwrap();
    write(&inner.join("route.yaml"), ROUTE);
    gwlint(&inner).args(["check", "."]).assert().code(1);
    // Without a repository, the directory checked is the boundary.
    let plain = outer.path().join("plain");
    write(&plain.join("route.yaml"), ROUTE);
    gwlint(&plain).args(["check", "."]).assert().code(1);
    // The repository's own .gitignore still applies.
    write(&inner.join(".gitignore"), "route.yaml\n");
    gwlint(&inner).args(["check", "."]).assert().code(0);
}

#[test]
fn nested_config_does_not_replace_the_root_one() {
    let repo = repo();
    write(&repo.path().join("apps/route.yaml"), ROUTE);
    write(
        &repo.path().join("apps/.gwlint.yaml"),
        "rules:\n  GW101: off\n",
    );
    // The first path's directory is no longer where the configuration comes from.
    let out = gwlint(repo.path())
        .args(["check", "apps", "route.yaml"])
        .output()
        .unwrap();
    let err = stderr_of(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("nested configuration not applied"), "{err}");
    assert!(err.contains("apps/.gwlint.yaml"), "{err}");
    // Walking the whole repository finds it too, and says so.
    let out = gwlint(repo.path()).args(["check", "."]).output().unwrap();
    let err = stderr_of(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("nested configuration not applied"), "{err}");
    // One between the linted directory and the root is named as well.
    write(&repo.path().join("apps/sub/route.yaml"), ROUTE);
    let out = gwlint(repo.path())
        .args(["check", "apps/sub"])
        .output()
        .unwrap();
    let err = stderr_of(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("apps/.gwlint.yaml: nested configuration not applied"),
        "{err}"
    );
    // The root configuration governs.
    write(
        &repo.path().join(".gwlint.yaml"),
        "rules:\n  GW101: warning\n",
    );
    gwlint(repo.path()).args(["check", "apps"]).assert().code(0);
}

#[test]
fn source_comment_in_a_committed_file_does_not_move_findings() {
    let repo = repo();
    write(
        &repo.path().join("route.yaml"),
        format!("---\n# Source: elsewhere/other.yaml\n{ROUTE}"),
    );
    let out = gwlint(repo.path())
        .args(["check", "--root", ".", "route.yaml", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr_of(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["diagnostics"][0]["location"]["path"], "route.yaml");
}

#[test]
fn verbose_says_why_files_were_skipped() {
    let repo = repo();
    write(&repo.path().join(".gitignore"), "hidden.yaml\nbuild/\n");
    write(&repo.path().join("hidden.yaml"), ROUTE);
    write(&repo.path().join("build/out.yaml"), ROUTE);
    write(&repo.path().join("notes.txt"), "x");
    write(&repo.path().join("vendor/x.yaml"), ROUTE);
    write(
        &repo.path().join("big.yaml"),
        format!("# {}\n", "x".repeat(3000)),
    );
    write(
        &repo.path().join(".gwlint.yaml"),
        "exclude: [\"vendor/**\"]\nmaxFileSize: 2000\n",
    );
    let out = gwlint(repo.path())
        .args(["check", ".", "-v"])
        .output()
        .unwrap();
    let err = stderr_of(&out);
    assert!(err.contains("hidden.yaml: ignored by .gitignore"), "{err}");
    assert!(
        err.contains("build: directory ignored by .gitignore"),
        "{err}"
    );
    assert!(err.contains("notes.txt: not a .yaml or .yml file"), "{err}");
    assert!(
        err.contains("vendor/x.yaml: excluded by configuration"),
        "{err}"
    );
    assert!(
        err.contains("big.yaml: skipped (YAML003): file is larger than the limit"),
        "{err}"
    );
    // Names of skipped files are not even collected without --verbose.
    let out = gwlint(repo.path()).args(["check", "."]).output().unwrap();
    assert!(!stderr_of(&out).contains("notes.txt"));
}

// ---- 11: reports and baselines are not written through symlinks ----

#[test]
fn reports_and_baselines_replace_planted_symlinks() {
    let outside = tempfile::tempdir().unwrap();
    let victim = outside.path().join("victim");
    let repo = repo();
    for (name, args) in [
        ("out.json", vec!["-o", "out.json", "--format", "json"]),
        ("rep.sarif", vec!["--format", "sarif=rep.sarif"]),
        ("base.json", vec!["--write-baseline", "base.json"]),
    ] {
        write(&victim, "precious\n");
        let link = repo.path().join(name);
        std::os::unix::fs::symlink(&victim, &link).unwrap();
        let out = gwlint(repo.path())
            .args(["check", "route.yaml"])
            .args(&args)
            .output()
            .unwrap();
        assert!(
            matches!(out.status.code(), Some(0 | 1)),
            "{name}: {}",
            stderr_of(&out)
        );
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious\n");
        let meta = std::fs::symlink_metadata(&link).unwrap();
        assert!(meta.is_file(), "{name} is still a symlink");
        assert!(std::fs::read_to_string(&link).unwrap().len() > 10);
    }
}

#[test]
fn reports_are_not_written_through_a_symlinked_directory() {
    let outside = tempfile::tempdir().unwrap();
    let repo = repo();
    std::os::unix::fs::symlink(outside.path(), repo.path().join("reports")).unwrap();
    let out = gwlint(repo.path())
        .args(["check", "route.yaml", "-o", "reports/out.txt"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr_of(&out));
    assert!(stderr_of(&out).contains("symlink"));
    assert_eq!(std::fs::read_dir(outside.path()).unwrap().count(), 0);
}

#[test]
fn unwritable_report_is_exit_2() {
    let repo = repo();
    std::fs::create_dir(repo.path().join("dir.json")).unwrap();
    let out = gwlint(repo.path())
        .args(["check", "route.yaml", "-o", "dir.json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr_of(&out).contains("dir.json"));
}

// ---- 12: bounded reads ----

#[test]
fn endless_config_and_baseline_are_refused() {
    let repo = repo();
    let out = gwlint(repo.path())
        .args(["check", "route.yaml", "--config", "/dev/zero"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr_of(&out).contains("larger than the limit"));
    write(&repo.path().join(".gwlint.yaml"), "maxFileSize: 1000\n");
    let out = gwlint(repo.path())
        .args(["check", "route.yaml", "--baseline", "/dev/zero"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr_of(&out);
    assert!(
        err.contains("/dev/zero") && err.contains("larger than the limit"),
        "{err}"
    );
}

/// Standard input that never ends is read up to the limit and skipped as files are (YAML003);
/// before, the run waited for the end of input.
#[test]
fn stdin_is_read_up_to_the_limit() {
    let repo = repo();
    write(&repo.path().join(".gwlint.yaml"), "maxFileSize: 1000\n");
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("gwlint"))
        .current_dir(repo.path())
        .args(["check", "-", "--format", "json", "--fail-on", "info"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(&[b'a'; 5000]).unwrap();
    stdin.flush().unwrap();
    // Kept open: the run must not wait for the end of input.
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("gwlint waited for the end of standard input");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    drop(stdin);
    let mut text = String::new();
    std::io::Read::read_to_string(&mut child.stdout.take().unwrap(), &mut text).unwrap();
    assert_eq!(status.code(), Some(1), "{text}");
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["diagnostics"][0]["rule"], "YAML003");
    assert!(
        v["diagnostics"][0]["message"]
            .as_str()
            .unwrap()
            .contains("larger than the limit")
    );
}

// ---- 13: closed and full standard streams ----

fn dev_full() -> Stdio {
    Stdio::from(
        std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap(),
    )
}

/// A pipe whose read end is already closed: writing to it is EPIPE.
fn broken_pipe() -> Stdio {
    use std::os::fd::FromRawFd;
    let mut fds = [0; 2];
    // SAFETY: `fds` has room for the two descriptors pipe(2) writes.
    assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
    // SAFETY: both descriptors were just created and are owned here alone.
    unsafe {
        libc::close(fds[0]);
        Stdio::from(std::os::fd::OwnedFd::from_raw_fd(fds[1]))
    }
}

#[test]
fn full_or_closed_stdout_is_exit_2_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        vec!["rules"],
        vec!["rules", "--format", "json"],
        vec!["explain", "GW101"],
        vec!["completions", "bash"],
    ] {
        for (what, stdout) in [("full", dev_full()), ("closed", broken_pipe())] {
            let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("gwlint"))
                .current_dir(dir.path())
                .args(&args)
                .stdout(stdout)
                .stderr(Stdio::piped())
                .output()
                .unwrap();
            let err = stderr_of(&out);
            assert_eq!(out.status.code(), Some(2), "{args:?} {what}: {err}");
            assert!(!err.contains("panicked"), "{args:?} {what}: {err}");
        }
    }
}

#[test]
fn full_or_closed_stderr_is_not_a_panic() {
    let repo = repo();
    for (what, stderr) in [("full", dev_full()), ("closed", broken_pipe())] {
        let status = std::process::Command::new(assert_cmd::cargo::cargo_bin("gwlint"))
            .current_dir(repo.path())
            .args(["check", ".", "--select", "no-such-rule"])
            .stdout(Stdio::null())
            .stderr(stderr)
            .status()
            .unwrap();
        assert_eq!(status.code(), Some(2), "{what}");
    }
    let status = std::process::Command::new(assert_cmd::cargo::cargo_bin("gwlint"))
        .current_dir(repo.path())
        .args(["check", ".", "-v"])
        .stdout(Stdio::null())
        .stderr(dev_full())
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(1));
}

// ---- escaping of input-derived text on standard error ----

#[test]
fn stderr_cannot_carry_workflow_commands_or_escapes() {
    let repo = repo();
    let name = "x\n::error file=a.yaml::pwned\u{1b}[2J##[group]\u{202e}.yaml";
    let out = gwlint(repo.path()).args(["check", name]).output().unwrap();
    let err = stderr_of(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(!err.contains("::"), "{err}");
    assert!(!err.contains("##["), "{err}");
    assert!(
        !err.contains('\u{1b}') && !err.contains('\u{202e}'),
        "{err:?}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains(r":\:error") && err.contains(r"\u{1b}"),
        "{err}"
    );
    // A file name that a shell glob turned into an unknown option: clap's usage error.
    let out = gwlint(repo.path())
        .args(["check", "--x\u{1b}[2J::error::y"])
        .output()
        .unwrap();
    let err = stderr_of(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(!err.contains('\u{1b}') && !err.contains("::"), "{err:?}");
    // A rule name in a planted configuration.
    write(
        &repo.path().join(".gwlint.yaml"),
        "rules:\n  \"::warning::x\\r\\n::error::y\": off\n",
    );
    let out = gwlint(repo.path()).args(["check", "."]).output().unwrap();
    let err = stderr_of(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(!err.contains("::") && !err.contains('\r'), "{err:?}");
    assert_eq!(err.lines().count(), 1, "{err}");
}
