//! SEC413: a Secret manifest with values committed in plain text.

use crate::checks::{Check, Ctx};
use crate::diagnostic::Diagnostic;
use crate::model::Spec;
use crate::model::core::SecretKey;
use crate::source::FileId;
use std::collections::HashMap;

pub struct Rule;

impl Check for Rule {
    fn id(&self) -> &'static str {
        "SEC413"
    }

    fn run(&self, cx: &Ctx, out: &mut Vec<Diagnostic>) {
        let mut files_marked = HashMap::new();
        for o in cx.graph.objects {
            let Spec::Secret(s) = &o.spec else { continue };
            if s.sops {
                continue;
            }
            let keys: Vec<&SecretKey> = s
                .data_keys
                .iter()
                .chain(&s.string_data_keys)
                .filter(|k| !k.empty && !k.reference && !k.dummy)
                .filter(|k| !k.locator && !names_a_location(&k.name.v))
                .filter(|k| !declared_not_secret(cx, k, &mut files_marked))
                .collect();
            // A user name alone opens nothing: its password is empty, a reference or absent.
            if keys.iter().all(|k| names_a_user(&k.name.v)) {
                continue;
            }
            let Some(span) = s.data_span.or(s.string_data_span) else {
                continue;
            };
            let names: Vec<&str> = keys.iter().map(|k| k.name.v.as_str()).collect();
            // Only well-known defaults beside the user names: a sample's stand-in or a deployed
            // guessable password, which the repository cannot tell apart.
            let weak_only = keys
                .iter()
                .all(|k| k.weak_default || names_a_user(&k.name.v));
            let d = if weak_only {
                let weak: Vec<&str> = keys
                    .iter()
                    .filter(|k| k.weak_default)
                    .map(|k| k.name.v.as_str())
                    .collect();
                Diagnostic::new(
                    self.id(),
                    span,
                    format!(
                        "{} holds a well-known default value for {} in plain text: a stand-in if this is an example, a password anyone can guess if it is deployed as is",
                        o.key,
                        weak.join(", ")
                    ),
                )
                .severity(crate::config::Severity::Info)
                .label("well-known default credentials")
                .help("if this Secret is deployed, set a real value from a secret manager (External Secrets, SOPS, sealed secrets); if it is an example, leave the values empty")
            } else {
                Diagnostic::new(
                    self.id(),
                    span,
                    format!(
                        "{} holds values for {} in the repository in plain text",
                        o.key,
                        names.join(", ")
                    ),
                )
                .label("plaintext secret values")
                .help("keep secret values out of Git: use External Secrets, SOPS or sealed secrets, or leave the values empty as placeholders")
            }
            .on(o);
            if weak_only {
                out.push(d);
                continue;
            }
            // Tests and examples ship dummy credentials on purpose.
            out.push(cx.info_in_samples(d, o.file, "credentials are often dummies"));
        }
    }
}

/// The words of a key name, lower case: `DB_DATABASE_NAME`, `db-host`, `dbHost` and `db.port`
/// split the same way.
fn words(key: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for c in key.chars() {
        if !c.is_ascii_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && prev_lower && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        cur.push(c.to_ascii_lowercase());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// A key that says where a service is (host, port, database name), not how to log in to it.
fn names_a_location(key: &str) -> bool {
    let w = words(key);
    match w.as_slice() {
        [.., last]
            if ["host", "hostname", "port", "db", "dbname", "database"]
                .contains(&last.as_str()) =>
        {
            true
        }
        [.., db, name] if name == "name" && (db == "db" || db == "database") => true,
        _ => false,
    }
}

/// A key that holds a user name: half a credential.
fn names_a_user(key: &str) -> bool {
    let w = words(key);
    match w.as_slice() {
        [.., last] if ["user", "username", "login"].contains(&last.as_str()) => true,
        [.., user, name] => user == "user" && name == "name",
        _ => false,
    }
}

/// Comments by which scanners let an author declare a value not secret (gitleaks, Sonar,
/// gosec, detect-secrets): on the value's line or alone on the line above.
const MARKERS: &[&str] = &[
    "gitleaks:allow",
    "nosonar",
    "nosec",
    "pragma: allowlist secret",
];

/// Whether `k`'s value carries a marker. Files without any marker (nearly all) are ruled out by
/// one scan of their text, remembered in `files_marked`.
fn declared_not_secret(cx: &Ctx, k: &SecretKey, files_marked: &mut HashMap<FileId, bool>) -> bool {
    let span = k.name.span;
    let Some(src) = cx
        .files
        .get(span.file as usize)
        .filter(|f| f.id == span.file)
    else {
        return false;
    };
    let text = src.text.as_str();
    let marked = *files_marked
        .entry(span.file)
        .or_insert_with(|| has_marker(text));
    marked && marked_at(text, span.start as usize)
}

/// How far from the key a line break is looked for: a key deeper than this into a line, or a
/// value longer than this, is not in the one-key-per-line layout comments are written in, and
/// bounding the search keeps a file of one huge line linear.
const BACK: usize = 4 << 10;
const AHEAD: usize = 64 << 10;

/// The greatest char boundary of `text` at or below `i`.
fn floor(text: &str, i: usize) -> usize {
    let mut i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Where the line holding byte `at` (a char boundary) starts, looking back at most `BACK`
/// bytes; None when no line break is that near and the text starts further back.
fn line_start(text: &str, at: usize) -> Option<usize> {
    let from = floor(text, at.saturating_sub(BACK));
    text.get(from..at)
        .and_then(|t| t.rfind(['\n', '\r']).map(|i| from + i + 1))
        .or((from == 0).then_some(0))
}

/// Whether the line holding byte `at` ends with a comment carrying a marker, or the line above
/// it is such a comment alone.
fn marked_at(text: &str, at: usize) -> bool {
    let at = floor(text, at);
    let Some(start) = line_start(text, at) else {
        return false;
    };
    let to = floor(text, at.saturating_add(AHEAD));
    let end = text
        .get(at..to)
        .and_then(|t| t.find(['\n', '\r']))
        .map_or(to, |i| at + i);
    let line = text.get(start..end).unwrap_or("");
    if trailing_comment(line).is_some_and(has_marker) {
        return true;
    }
    // The line above counts only when it holds nothing but the comment.
    if start == 0 {
        return false;
    }
    let before = text.get(..start).unwrap_or("");
    let above_end = before
        .strip_suffix("\r\n")
        .or_else(|| before.strip_suffix(['\n', '\r']))
        .unwrap_or(before)
        .len();
    let Some(above_start) = line_start(text, above_end) else {
        return false;
    };
    let above = text.get(above_start..above_end).unwrap_or("").trim_start();
    above.strip_prefix('#').is_some_and(has_marker)
}

/// The comment that ends a line: from a `#` at the start or after a blank.
fn trailing_comment(line: &str) -> Option<&str> {
    line.char_indices()
        .find(|&(i, c)| c == '#' && (i == 0 || line[..i].ends_with([' ', '\t'])))
        .and_then(|(i, _)| line.get(i + 1..))
}

/// A marker as a word of its own: `nosec` but not `nosecurity`.
fn has_marker(text: &str) -> bool {
    let c = text.to_ascii_lowercase();
    let word = |b: Option<&u8>| b.is_none_or(|b| !b.is_ascii_alphanumeric());
    MARKERS.iter().any(|m| {
        c.match_indices(m).any(|(i, _)| {
            word(i.checked_sub(1).and_then(|j| c.as_bytes().get(j)))
                && word(c.as_bytes().get(i + m.len()))
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_words() {
        assert!(names_a_location("DB_DATABASE_NAME"));
        assert!(names_a_location("POSTGRES_DB"));
        assert!(names_a_location("dbHost"));
        assert!(names_a_location("port"));
        assert!(!names_a_location("DB_PASSWORD"));
        assert!(!names_a_location("hostkey"));
        assert!(names_a_user("DB_USERNAME"));
        assert!(names_a_user("mysql-user"));
        assert!(names_a_user("DB_USER_NAME"));
        assert!(!names_a_user("user-token"));
        assert!(!names_a_user("password"));
    }

    #[test]
    fn markers() {
        assert_eq!(
            trailing_comment("  pw: x # NOSONAR devenv"),
            Some(" NOSONAR devenv")
        );
        assert_eq!(trailing_comment("  pw: a#b"), None);
        assert!(has_marker(" gitleaks:allow"));
        assert!(has_marker(" pragma: allowlist secret"));
        assert!(!has_marker(" real password, rotate"));
    }

    #[test]
    fn marked_lines() {
        let text = "stringData:\n  a: x # NOSONAR\n  # gitleaks:allow\n  b: y\n\n  c: z\n  d: w # nosecurity\n";
        let at = |k: &str| text.find(format!("\n  {k}").as_str()).unwrap() + 3;
        assert!(marked_at(text, at("a:")));
        assert!(marked_at(text, at("b:")));
        assert!(!marked_at(text, at("c:")));
        assert!(!marked_at(text, at("d:")));
        assert!(!marked_at(text, 0));
        // CRLF line breaks, and a key at the very start.
        let crlf = "# nosec\r\nk: v\r\n";
        assert!(marked_at(crlf, crlf.find("k:").unwrap()));
        assert!(!marked_at("k: v", 0));
        // Past the end or inside a character: no panic.
        assert!(!marked_at("k: é", 4));
        assert!(!marked_at("k", 99));
    }
}
