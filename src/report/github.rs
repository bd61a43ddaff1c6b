//! `--format github`: GitHub Actions workflow commands, shown as annotations on the diff.

use super::region;
use crate::Outcome;
use crate::config::Severity;

/// A workflow command's data: the runner's own escapes for `%` and line breaks, and the other
/// control characters written visibly, since the log viewer shows the line as a terminal would.
fn escape_data(s: &str) -> String {
    crate::escape::controls(s)
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

pub fn render(outcome: &Outcome, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    for d in &outcome.diagnostics {
        let (start, end) = region(outcome, d.span);
        let level = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let name = crate::rules::meta(d.rule).map(|m| m.name).unwrap_or("");
        let mut message = d.message.clone();
        if let Some(h) = &d.help {
            message.push_str("\nhelp: ");
            message.push_str(h);
        }
        writeln!(
            out,
            "::{level} file={},line={},col={},endLine={},endColumn={},title={}::{}",
            escape_property(&outcome.file(d.span.file).display_path()),
            start.line,
            start.column,
            end.line,
            end.column,
            escape_property(&format!("{} {name}", d.rule)),
            escape_data(&message)
        )?;
    }
    Ok(())
}
