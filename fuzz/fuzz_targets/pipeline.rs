//! Bytes as standard input → the whole pipeline (load, model, graph, checks) → every report
//! format. Must never panic, and no report may carry a character a terminal or a CI log would
//! act on (src/escape.rs): only line breaks, and colour codes when colour is asked for.
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
    for format in [
        Format::Human,
        Format::Concise,
        Format::Json,
        Format::Sarif,
        Format::Github,
        Format::Junit,
    ] {
        let text = report::render(&outcome, format, false);
        if let Some(c) = text
            .chars()
            .find(|&c| gwlint::escape::is_active(c) && c != '\n')
        {
            panic!("{format:?} report holds {c:?}");
        }
    }
    // Colour output goes through the same layout with escape codes added.
    let _ = report::render(&outcome, Format::Human, true);
});
