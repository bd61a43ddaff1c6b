// Compiles every rule page under rules/ into the binary, so `gwlint explain` and SARIF rule
// metadata always match the documentation and a new page needs no code change to be found.
use std::fmt::Write;

fn main() {
    println!("cargo:rerun-if-changed=rules");
    // SARIF helpUri names the repository a release was built from (src/report/sarif.rs).
    println!("cargo:rerun-if-env-changed=GWLINT_REPOSITORY");
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    let mut pages: Vec<_> = std::fs::read_dir(&dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "md"))
                .collect()
        })
        .unwrap_or_default();
    pages.sort();
    let mut out = String::from("&[\n");
    for p in pages {
        let file = p.file_name().unwrap().to_string_lossy().into_owned();
        writeln!(
            out,
            "    ({file:?}, include_str!({:?})),",
            p.display().to_string()
        )
        .unwrap();
    }
    out.push_str("]\n");
    let dest = std::path::Path::new(&std::env::var("OUT_DIR").unwrap()).join("rule_pages.rs");
    std::fs::write(dest, out).unwrap();
}
