//! A real client: headless Neovim (its built-in LSP client) against `gwlint server` on a copy of
//! testdata/lsp/workspace. Skipped, with a note, when `nvim` is not installed (`.ci/run`
//! installs Debian's package).

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn copy_dir(from: &Path, to: &Path) {
    for e in std::fs::read_dir(from).expect("fixture") {
        let e = e.expect("entry");
        std::fs::copy(e.path(), to.join(e.file_name())).expect("copy");
    }
}

#[test]
fn neovim_session() {
    if Command::new("nvim").arg("--version").output().is_err() {
        println!("note: nvim is not installed; the Neovim session is skipped");
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let root = std::fs::canonicalize(dir.path()).expect("abs").join("ws");
    std::fs::create_dir(&root).expect("mkdir");
    copy_dir(Path::new("testdata/lsp/workspace"), &root);
    let result = dir.path().join("result.txt");
    let script = std::fs::canonicalize("tests/nvim/session.lua").expect("script");
    let mut child = Command::new("nvim")
        .args(["--headless", "--clean", "-u"])
        .arg(&script)
        .env("GWLINT_ROOT", &root)
        .env("GWLINT_BIN", env!("CARGO_BIN_EXE_gwlint"))
        .env("GWLINT_RESULT", &result)
        .current_dir(&root)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .spawn()
        .expect("nvim starts");
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if child.try_wait().expect("wait").is_some() {
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("nvim did not finish in time");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let got = std::fs::read_to_string(&result).expect("the session's result");
    let lines: Vec<&str> = got.lines().collect();
    assert_eq!(
        lines,
        [
            "diagnostics true GW101 7:10",
            "jumped gateway.yaml 11:10",
            "line   - name: https",
            "action Change the parentRef to Gateway `public`, the nearest name in namespace `infra` (unsafe fix)",
            "action Suppress GW101 on this line",
            "buffer   parentRefs:",
            "buffer   # gwlint-ignore: GW101",
            "buffer   - name: publik # expect: GW101",
            "cleared true",
        ],
        "{got}"
    );
}
