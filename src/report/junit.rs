//! `--format junit`: JUnit XML, one test case per finding (and one passing case when clean), for
//! CI systems that show test reports.

use super::region;
use crate::Outcome;

/// Text from the files in XML: escaped for people and CI logs first (`crate::escape`, which
/// also writes line breaks and control characters visibly), then for XML. The non-characters
/// U+FFFE and U+FFFF, which no XML 1.0 document may hold even as references, are written
/// visibly too.
fn xml(s: &str) -> String {
    xml_markup(&crate::escape::display(s))
}

/// XML escaping of text that is already safe to print (rule-made line breaks are kept).
fn xml_markup(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\u{fffe}' | '\u{ffff}' => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c if (c as u32) < 0x20 && c != '\n' && c != '\t' => {
                out.push_str(&format!("\\u{{{:x}}}", c as u32))
            }
            c => out.push(c),
        }
    }
    out
}

/// One test case per finding. A finding that fails the run (at or above `--fail-on`) is a
/// `failure`; one below it passes, with its text as `system-out`, so the report agrees with the
/// exit code.
pub fn render(outcome: &Outcome, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let fails = |s: crate::config::Severity| outcome.fail_on.is_some_and(|t| s >= t);
    let failures = outcome
        .diagnostics
        .iter()
        .filter(|d| fails(d.severity))
        .count();
    let tests = outcome.diagnostics.len().max(1);
    out.write_all(b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")?;
    out.write_fmt(format_args!(
        "<testsuites name=\"gwlint\" tests=\"{tests}\" failures=\"{failures}\">\n  <testsuite name=\"gwlint\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"0\">\n",
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
            "{}:{}:{}: {}: {}{}",
            xml(&path),
            start.line,
            start.column,
            d.severity.as_str(),
            xml(&d.message),
            d.help
                .as_ref()
                .map(|h| format!("\nhelp: {}", xml(h)))
                .unwrap_or_default()
        );
        if fails(d.severity) {
            out.write_fmt(format_args!(
                "      <failure type=\"{}\" message=\"{}\">{}</failure>\n",
                d.severity.as_str(),
                xml(&d.message),
                body
            ))?;
        } else {
            out.write_fmt(format_args!("      <system-out>{body}</system-out>\n"))?;
        }
        out.write_all(b"    </testcase>\n")?;
    }
    out.write_all(b"  </testsuite>\n</testsuites>\n")
}
