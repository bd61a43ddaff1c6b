//! Bytes → the load stage (decode, parse, resynchronise, limits). Must never panic, and every
//! span it reports must lie inside the decoded text on character boundaries.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let loaded = gwlint::load::load_bytes(
        0,
        Path::new("fuzz.yaml"),
        data.to_vec(),
        &Default::default(),
    );
    let text = &loaded.source.text;
    for issue in &loaded.issues {
        let r = issue.span.range();
        assert!(
            r.start <= r.end && r.end <= text.len(),
            "span {r:?} outside the text"
        );
        assert!(text.is_char_boundary(r.start) && text.is_char_boundary(r.end));
        // Positions must be computable for every span.
        let _ = loaded.source.position(r.start);
        let _ = loaded.source.position(r.end);
    }
    for doc in &loaded.docs {
        assert!(
            doc.start <= doc.end && doc.end <= text.len(),
            "document {}..{} outside the text",
            doc.start,
            doc.end
        );
    }
});
