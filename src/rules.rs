//! Rule metadata, read from the rule pages in `rules/` that are compiled into the binary.

use std::sync::OnceLock;

use crate::config::Severity;

static PAGES: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/rule_pages.rs"));

#[derive(Clone, Debug)]
pub struct RuleMeta {
    pub id: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub summary: &'static str,
    /// `gw`, `tls`, `dns`, `sec`, `api`, `yaml` (from the id prefix).
    pub family: &'static str,
    /// The page's file name under `rules/`.
    pub file: &'static str,
    /// The page's Markdown body (after the front matter).
    pub body: &'static str,
}

impl RuleMeta {
    /// The text of one `## Heading` section of the page.
    pub fn section(&self, heading: &str) -> Option<&'static str> {
        let marker = format!("## {heading}");
        let start = self.body.find(&marker)? + marker.len();
        let rest = &self.body[start..];
        let end = rest.find("\n## ").unwrap_or(rest.len());
        Some(rest[..end].trim())
    }

    /// The first fenced code block of a section, with its language tag.
    pub fn code_block(&self, heading: &str) -> Option<(&'static str, &'static str)> {
        let s = self.section(heading)?;
        let open = s.find("```")?;
        let after = &s[open + 3..];
        let nl = after.find('\n')?;
        let lang = after[..nl].trim();
        let body = &after[nl + 1..];
        let close = body.find("```")?;
        Some((lang, &body[..close]))
    }
}

fn family(id: &str) -> &'static str {
    let prefix: String = id.chars().take_while(|c| c.is_ascii_alphabetic()).collect();
    match prefix.as_str() {
        "GW" => "gw",
        "TLS" => "tls",
        "DNS" => "dns",
        "SEC" => "sec",
        "API" => "api",
        "YAML" => "yaml",
        "IST" => "ist",
        "FLX" => "flx",
        _ => "gwlint",
    }
}

fn parse_page(file: &'static str, text: &'static str) -> Option<RuleMeta> {
    let rest = text.strip_prefix("---\n")?;
    let end = rest.find("\n---\n")?;
    let front = &rest[..end];
    let body = &rest[end + 5..];
    let field = |key: &str| -> Option<&'static str> {
        front.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            (k.trim() == key).then(|| {
                let v = v.trim();
                v.strip_prefix('"')
                    .and_then(|x| x.strip_suffix('"'))
                    .unwrap_or(v)
            })
        })
    };
    let id = field("id")?;
    Some(RuleMeta {
        id,
        name: field("name")?,
        severity: Severity::parse(field("severity")?)?,
        summary: field("summary").unwrap_or(""),
        family: family(id),
        file,
        body,
    })
}

/// Every rule, ordered by id.
pub fn all() -> &'static [RuleMeta] {
    static RULES: OnceLock<Vec<RuleMeta>> = OnceLock::new();
    RULES.get_or_init(|| {
        let mut v: Vec<RuleMeta> = PAGES.iter().filter_map(|(f, t)| parse_page(f, t)).collect();
        v.sort_by(|a, b| a.id.cmp(b.id));
        v
    })
}

/// Number of pages that failed to parse (a test asserts zero).
pub fn malformed_pages() -> Vec<&'static str> {
    PAGES
        .iter()
        .filter(|(f, t)| parse_page(f, t).is_none())
        .map(|(f, _)| *f)
        .collect()
}

/// A rule by id (`GW101`) or name (`parent-ref-not-found`), case-insensitively for ids.
pub fn find(id_or_name: &str) -> Option<&'static RuleMeta> {
    all()
        .iter()
        .find(|r| r.id.eq_ignore_ascii_case(id_or_name) || r.name == id_or_name)
}

pub fn meta(id: &str) -> Option<&'static RuleMeta> {
    all().iter().find(|r| r.id == id)
}

pub fn index_of(id: &str) -> Option<usize> {
    all().iter().position(|r| r.id == id)
}
