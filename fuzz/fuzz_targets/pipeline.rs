//! Bytes as standard input → the whole pipeline (load, model, graph, checks) → all three report
//! formats. Must never panic.
#![no_main]

use gwlint::Options;
use gwlint::report::{self, Format};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let opts = Options {
        paths: vec!["-".into()],
        ..Options::default()
    };
    let outcome = gwlint::lint(&opts, Some(data.to_vec()));
    for format in [Format::Human, Format::Json, Format::Sarif] {
        let _ = report::render(&outcome, format, false);
    }
    // Colour output goes through the same layout with escape codes added.
    let _ = report::render(&outcome, Format::Human, true);
});
