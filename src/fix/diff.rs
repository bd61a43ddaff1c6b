//! Unified diffs of fixed files, for `gwlint check --diff`.
//!
//! Both sides are shown as human output shows snippets: Secret values replaced by a marker and
//! characters a terminal would act on escaped (`crate::escape::Escaped`), so a diff never
//! prints a value a fix happens to sit beside.

use std::io::{self, Write};
use std::ops::Range;

/// One file's text before and after fixing, with the ranges of each that must not be shown.
pub struct Change<'a> {
    pub path: &'a str,
    pub before: &'a str,
    pub before_hidden: &'a [Range<usize>],
    pub after: &'a str,
    pub after_hidden: &'a [Range<usize>],
}

/// Writes a unified diff (three lines of context) of each change, in the order given.
pub fn write(changes: &[Change], out: &mut dyn Write) -> io::Result<()> {
    for c in changes {
        let before = crate::escape::Escaped::new(c.before, c.before_hidden);
        let after = crate::escape::Escaped::new(c.after, c.after_hidden);
        if before.text == after.text {
            continue;
        }
        let path = crate::escape::display(c.path);
        let diff = similar::TextDiff::from_lines(before.text.as_str(), after.text.as_str());
        let text = diff
            .unified_diff()
            .context_radius(3)
            .header(&format!("a/{path}"), &format!("b/{path}"))
            .to_string();
        out.write_all(text.as_bytes())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_hides_secret_values_and_keeps_line_endings() {
        let before = "kind: Secret\r\ndata:\r\n  tls.key: c2VjcmV0\r\n";
        let after = "kind: Secret\r\ntype: kubernetes.io/tls\r\ndata:\r\n  tls.key: c2VjcmV0\r\n";
        let at = before.find("c2Vj").unwrap();
        let at2 = after.find("c2Vj").unwrap();
        let before_hidden: Vec<std::ops::Range<usize>> = std::iter::once(at..at + 8).collect();
        let after_hidden: Vec<std::ops::Range<usize>> = std::iter::once(at2..at2 + 8).collect();
        let mut out = Vec::new();
        write(
            &[Change {
                path: "s.yaml",
                before,
                before_hidden: &before_hidden,
                after,
                after_hidden: &after_hidden,
            }],
            &mut out,
        )
        .unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with("--- a/s.yaml\n+++ b/s.yaml\n"), "{text}");
        assert!(text.contains("+type: kubernetes.io/tls\r\n"), "{text}");
        assert!(!text.contains("c2Vj"), "{text}");
        assert!(text.contains("<redacted>"), "{text}");
    }
}
