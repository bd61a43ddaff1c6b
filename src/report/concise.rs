//! `--format concise`: one line per finding, `path:line:col: severity[ID] message`, the shape
//! editors' problem matchers and `grep` read.

use std::io::Write;

use super::region;
use crate::Outcome;
use crate::escape::display;

pub fn render(outcome: &Outcome, out: &mut dyn Write) -> std::io::Result<()> {
    for d in &outcome.diagnostics {
        let (start, _) = region(outcome, d.span);
        writeln!(
            out,
            "{}:{}:{}: {}[{}]{} {}",
            display(&outcome.file(d.span.file).display_path()),
            start.line,
            start.column,
            d.severity.as_str(),
            d.rule,
            if super::applicable_fix(d, false).is_some() {
                " [*]"
            } else {
                ""
            },
            display(&d.message)
        )?;
    }
    Ok(())
}
