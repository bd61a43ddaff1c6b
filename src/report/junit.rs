//! `--format junit`: JUnit XML, one test case per finding (and one passing case when clean), for
//! CI systems that show test reports.

use super::{counts, region};
use crate::Outcome;

fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if (c as u32) < 0x20 && c != '\n' && c != '\t' => {}
            c => out.push(c),
        }
    }
    out
}

pub fn render(outcome: &Outcome, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let c = counts(&outcome.diagnostics);
    let failures = c.errors + c.warnings;
    let tests = outcome.diagnostics.len().max(1);
    out.write_all(b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")?;
    out.write_fmt(format_args!(
        "<testsuites name=\"gwlint\" tests=\"{tests}\" failures=\"{failures}\">\n  <testsuite name=\"gwlint\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"{}\">\n",
        c.infos
    ))?;
    if outcome.diagnostics.is_empty() {
        out.write_all(b"    <testcase classname=\"gwlint\" name=\"no findings\"/>\n")?;
    }
    for d in &outcome.diagnostics {
        let (start, _) = region(outcome, d.span);
        let path = outcome.file(d.span.file).display_path();
        let name = crate::rules::meta(d.rule).map(|m| m.name).unwrap_or("");
        out.write_fmt(format_args!(
            "    <testcase classname=\"{}\" name=\"{} {name} {}:{}:{}\" file=\"{}\" line=\"{}\">\n",
            xml(&path),
            d.rule,
            xml(&path),
            start.line,
            start.column,
            xml(&path),
            start.line
        ))?;
        let body = format!(
            "{}:{}:{}: {}{}",
            path,
            start.line,
            start.column,
            d.message,
            d.help
                .as_ref()
                .map(|h| format!("\nhelp: {h}"))
                .unwrap_or_default()
        );
        match d.severity {
            crate::config::Severity::Info => out.write_fmt(format_args!(
                "      <skipped message=\"{}\"/>\n",
                xml(&d.message)
            ))?,
            s => out.write_fmt(format_args!(
                "      <failure type=\"{}\" message=\"{}\">{}</failure>\n",
                s.as_str(),
                xml(&d.message),
                xml(&body)
            ))?,
        }
        out.write_all(b"    </testcase>\n")?;
    }
    out.write_all(b"  </testsuite>\n</testsuites>\n")
}
