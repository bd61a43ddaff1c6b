//! YAML005: plain scalars that YAML 1.1 readers take for something else than YAML 1.2 does, in
//! fields that must hold strings.
//!
//! kubectl and Helm read manifests with go-yaml v2 (through sigs.k8s.io/yaml), which keeps YAML
//! 1.1's booleans (`yes`, `on`, `n` …), reads `0755` as octal, drops `_` from numbers and reads
//! `0b…` as binary; gwlint reads YAML 1.2, like the newer tools. go-yaml has no base-60 numbers, but
//! YAML 1.1 does and PyYAML-based tools (Ansible) use them. `true`/`false`, `~`/`null`, `.inf` and
//! `0o17` mean the same to both readers, so a string field holding them is a type error (API505),
//! not a reading that differs.
//!
//! Only the quoting style, kept in the span tree, tells `"on"` from `on`, so this runs while the
//! tree exists. Only the listed string fields are looked at, and nothing is allocated unless a
//! finding is made.

use crate::load::LoadIssue;
use crate::load::tree::{Node, Style, Value};

use super::{GATEWAY_GROUP, GATEWAY_X_GROUP};

pub const RULE: &str = "YAML005";

/// Where the object's string fields are, for the checks and for messages.
struct Ctx<'a> {
    text: &'a str,
    kind: &'a str,
    /// `ns/name`.
    who: &'a str,
    /// An object that may be a Secret (`super::may_hold_secret`): its values never appear in a
    /// message.
    secret: bool,
}

/// Checks the string fields of one object (`node` is the object's root mapping).
pub fn check(
    group: &str,
    kind: &str,
    who: &str,
    node: &Node,
    text: &str,
    issues: &mut Vec<LoadIssue>,
) {
    let cx = Ctx {
        text,
        kind,
        who,
        secret: super::may_hold_secret(kind),
    };
    if let Some(meta) = node.get("metadata") {
        values(&cx, meta.get("labels"), "label", issues);
        values(&cx, meta.get("annotations"), "annotation", issues);
    }
    let spec = node.get("spec");
    match (group, kind) {
        ("", "ConfigMap") => values(&cx, node.get("data"), "ConfigMap data key", issues),
        ("", "Pod") => pod(&cx, spec, issues),
        ("", "ReplicationController" | "PodTemplate") | ("apps", _) | ("batch", "Job") => {
            let template = if kind == "PodTemplate" {
                node.get("template")
            } else {
                spec.and_then(|s| s.get("template"))
            };
            pod(&cx, template.and_then(|t| t.get("spec")), issues);
        }
        ("batch", "CronJob") => {
            let template = spec
                .and_then(|s| s.get("jobTemplate"))
                .and_then(|j| j.get("spec"))
                .and_then(|s| s.get("template"));
            pod(&cx, template.and_then(|t| t.get("spec")), issues);
        }
        (GATEWAY_GROUP, "Gateway") => {
            let Some(spec) = spec else { return };
            if let Some(infra) = spec.get("infrastructure") {
                values(
                    &cx,
                    infra.get("annotations"),
                    "infrastructure annotation",
                    issues,
                );
                values(&cx, infra.get("labels"), "infrastructure label", issues);
            }
            listeners(&cx, spec, issues);
        }
        (GATEWAY_GROUP, "ListenerSet") | (GATEWAY_X_GROUP, "XListenerSet") => {
            if let Some(spec) = spec {
                listeners(&cx, spec, issues);
            }
        }
        _ => {}
    }
}

fn listeners(cx: &Ctx, spec: &Node, issues: &mut Vec<LoadIssue>) {
    for l in spec.get("listeners").and_then(Node::as_seq).unwrap_or(&[]) {
        let options = l.get("tls").and_then(|t| t.get("options"));
        values(cx, options, "listener tls option", issues);
    }
}

fn pod(cx: &Ctx, spec: Option<&Node>, issues: &mut Vec<LoadIssue>) {
    let Some(spec) = spec else { return };
    for list in ["initContainers", "containers", "ephemeralContainers"] {
        for c in spec.get(list).and_then(Node::as_seq).unwrap_or(&[]) {
            for env in c.get("env").and_then(Node::as_seq).unwrap_or(&[]) {
                if let (Some(name), Some(value)) = (env.get("name"), env.get("value")) {
                    scalar(cx, name, value, "environment variable", issues);
                }
            }
        }
    }
}

/// The values of a `map[string]string`.
fn values(cx: &Ctx, map: Option<&Node>, what: &str, issues: &mut Vec<LoadIssue>) {
    for (k, v) in map.and_then(Node::as_map).unwrap_or(&[]) {
        scalar(cx, k, v, what, issues);
    }
}

fn scalar(cx: &Ctx, key: &Node, value: &Node, what: &str, issues: &mut Vec<LoadIssue>) {
    if value.style != Style::Plain {
        return;
    }
    let raw = match &value.value {
        Value::Str(s) => &**s,
        // The raw text is needed to tell `0755` from `755`.
        Value::Int(_) => match cx.text.get(value.span.range()) {
            Some(t) => t,
            None => return,
        },
        _ => return,
    };
    let Some(reading) = yaml11(raw) else {
        return;
    };
    if tagged_str(cx.text, value) {
        return;
    }
    // An integer where a string belongs is already a type error at the same place; one finding
    // is enough.
    if matches!(value.value, Value::Int(_))
        && issues
            .iter()
            .any(|i| i.rule == "API505" && i.span == value.span)
    {
        return;
    }
    let key = key.as_str().unwrap_or("?");
    // A Secret's values, and environment variables (which often carry passwords), are never
    // quoted, nor what they read as: `the number 10` would tell `0b1010`.
    let hide = cx.secret || what == "environment variable";
    let shown = if hide {
        "the plain value".to_string()
    } else {
        format!("plain `{raw}`")
    };
    let as_read = |what: &str, value: String| {
        if hide {
            format!("{} {what}", if what.starts_with('o') { "an" } else { "a" })
        } else {
            format!("the {what} {value}")
        }
    };
    let message = match reading {
        Reading::Bool(b) => format!(
            "{} {}: {what} `{key}`: {shown} is {} to YAML 1.1 readers such as kubectl and Helm, but a string to YAML 1.2; the field takes a string, so the API server rejects the boolean",
            cx.kind,
            cx.who,
            as_read("boolean", b.to_string())
        ),
        Reading::Number(n) => format!(
            "{} {}: {what} `{key}`: {shown} is {} to YAML 1.1 readers such as kubectl and Helm, but a string to YAML 1.2; the field takes a string, so the API server rejects the number",
            cx.kind,
            cx.who,
            as_read("number", n)
        ),
        Reading::Octal(n) => format!(
            "{} {}: {what} `{key}`: {shown} is {} to YAML 1.1 readers such as kubectl and Helm, and a decimal integer to YAML 1.2; neither is the string the field takes",
            cx.kind,
            cx.who,
            as_read("octal integer", n.to_string())
        ),
        Reading::Base60(n) => format!(
            "{} {}: {what} `{key}`: {shown} is {} to YAML 1.1 readers that implement it (PyYAML, so Ansible), while kubectl, Helm and YAML 1.2 read a string",
            cx.kind,
            cx.who,
            as_read("base-60 number", n)
        ),
    };
    // Load-stage findings carry no separate help, so the fix ends the message.
    let fix = if hide {
        "quote the value so every reader sees a string".to_string()
    } else {
        format!("quote it so every reader sees a string: \"{raw}\"")
    };
    // Quoted, the scalar is the string every reader already sees as a YAML 1.2 one: the fix
    // changes no value gwlint reads, so it is safe. Two insertions, so the fix never holds the
    // value itself (a Secret's or an environment variable's may be a password).
    let extent = crate::fix::text::scalar_extent(cx.text, value.span);
    let fixes = match cx.text.get(extent.range()) {
        Some(written) if !written.contains(['"', '\\', '\n', '\r', '#']) => {
            let title = if hide {
                "Quote the value as a string".to_string()
            } else {
                format!("Quote `{written}` as a string")
            };
            let file = value.span.file;
            vec![crate::fix::Fix::safe(
                title,
                vec![
                    crate::fix::Edit::insert(file, extent.start, "\""),
                    crate::fix::Edit::insert(file, extent.end, "\""),
                ],
            )]
        }
        _ => Vec::new(),
    };
    issues.push(LoadIssue {
        rule: RULE,
        span: value.span,
        message: format!("{message}; {fix}"),
        related: vec![],
        fixes,
    });
}

/// `!!str on` is a string to every reader; the tree keeps no tags, so the text before the value
/// is looked at (only for a would-be finding).
fn tagged_str(text: &str, value: &Node) -> bool {
    let at = value.span.start as usize;
    let tagged = |s: &str| s.starts_with("!!str") || s.starts_with("!<tag:yaml.org,2002:str>");
    let before = text.get(..at).map(str::trim_end).unwrap_or("");
    text.get(at..).is_some_and(tagged)
        || before.ends_with("!!str")
        || before.ends_with("!<tag:yaml.org,2002:str>")
}

/// How a YAML 1.1 reader reads a plain scalar, when that differs from the YAML 1.2 reading.
#[derive(Debug, PartialEq)]
enum Reading {
    Bool(bool),
    /// An integer or float, written as YAML 1.1 prints it.
    Number(String),
    Octal(i64),
    Base60(String),
}

fn yaml11(raw: &str) -> Option<Reading> {
    let first = *raw.as_bytes().first()?;
    if raw.len() <= 5 && matches!(first, b'y' | b'Y' | b'n' | b'N' | b'o' | b'O') {
        return match raw {
            "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" => Some(Reading::Bool(true)),
            "n" | "N" | "no" | "No" | "NO" | "off" | "Off" | "OFF" => Some(Reading::Bool(false)),
            _ => None,
        };
    }
    if !(first.is_ascii_digit() || first == b'-' || first == b'+') {
        return None;
    }
    let digits = raw.strip_prefix(['-', '+']).unwrap_or(raw);
    let negative = raw.starts_with('-');
    if raw.contains(':') {
        return base60(digits, negative);
    }
    if let Some(bin) = digits.strip_prefix("0b") {
        let bin = bin.replace('_', "");
        if bin.is_empty() || !bin.bytes().all(|b| b == b'0' || b == b'1') {
            return None;
        }
        let v = i64::from_str_radix(&bin, 2).ok()?;
        return Some(Reading::Number(signed(v, negative).to_string()));
    }
    if raw.contains('_') {
        let plain = digits.replace('_', "");
        if plain.is_empty() {
            return None;
        }
        if let Some(v) = go_int(&plain) {
            return Some(match v {
                GoInt::Octal(v) => Reading::Octal(signed(v, negative)),
                GoInt::Plain(v) => Reading::Number(signed(v, negative).to_string()),
            });
        }
        if crate::load::scalar::is_core_float(&plain) {
            let v: f64 = plain.parse().ok()?;
            return Some(Reading::Number(format!(
                "{}",
                if negative { -v } else { v }
            )));
        }
        return None;
    }
    // Without `_`, only a leading-zero octal reads differently (YAML 1.2 reads it as decimal).
    match go_int(digits)? {
        GoInt::Octal(v) if digits.parse::<i64>().ok() != Some(v) => {
            Some(Reading::Octal(signed(v, negative)))
        }
        _ => None,
    }
}

fn signed(v: i64, negative: bool) -> i64 {
    if negative { -v } else { v }
}

enum GoInt {
    Octal(i64),
    Plain(i64),
}

/// Go's `strconv.ParseInt(s, 0, 64)` on an unsigned literal, as go-yaml v2 applies it. Only
/// digits of the base may follow a prefix: Rust's `from_str_radix` also takes a sign there, which
/// read `0-0` and `0-1` (strings to every YAML reader) as octal integers.
fn go_int(s: &str) -> Option<GoInt> {
    let radix = |digits: &str, base: u32| {
        (!digits.is_empty() && digits.chars().all(|c| c.is_digit(base)))
            .then(|| i64::from_str_radix(digits, base).ok())
            .flatten()
    };
    if let Some(hex) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        return radix(hex, 16).map(GoInt::Plain);
    }
    if let Some(oct) = s.strip_prefix("0o").or_else(|| s.strip_prefix("0O")) {
        return radix(oct, 8).map(GoInt::Plain);
    }
    if s.len() > 1 && s.starts_with('0') {
        return radix(&s[1..], 8).map(GoInt::Octal);
    }
    if s.bytes().all(|b| b.is_ascii_digit()) {
        return s.parse().ok().map(GoInt::Plain);
    }
    None
}

/// YAML 1.1 `[1-9][0-9_]*(:[0-5]?[0-9])+` (integer) and the same with a `.[0-9_]*` fraction
/// (float).
fn base60(s: &str, negative: bool) -> Option<Reading> {
    let (whole, frac) = match s.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (s, None),
    };
    let mut parts = whole.split(':');
    let head = parts.next()?;
    let first_digit = *head.as_bytes().first()?;
    if !(b'1'..=b'9').contains(&first_digit)
        || !head.bytes().all(|c| c.is_ascii_digit() || c == b'_')
    {
        return None;
    }
    let mut value: i64 = head.replace('_', "").parse().ok()?;
    let mut sixties = 0;
    for part in parts {
        let ok = (1..=2).contains(&part.len())
            && part.bytes().all(|c| c.is_ascii_digit())
            && (part.len() == 1 || part.as_bytes()[0] <= b'5');
        if !ok {
            return None;
        }
        value = value
            .checked_mul(60)?
            .checked_add(part.parse::<i64>().ok()?)?;
        sixties += 1;
    }
    if sixties == 0 {
        return None;
    }
    let value = signed(value, negative);
    match frac {
        None => Some(Reading::Base60(value.to_string())),
        Some(f) if f.bytes().all(|c| c.is_ascii_digit() || c == b'_') => {
            let f = f.replace('_', "");
            Some(Reading::Base60(format!(
                "{value}.{}",
                if f.is_empty() { "0" } else { &f }
            )))
        }
        Some(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml11_readings() {
        assert_eq!(yaml11("on"), Some(Reading::Bool(true)));
        assert_eq!(yaml11("No"), Some(Reading::Bool(false)));
        assert_eq!(yaml11("y"), Some(Reading::Bool(true)));
        assert_eq!(yaml11("true"), None);
        // Strings to YAML 1.1 as well: no int or float pattern of the spec matches them.
        for s in ["0-0", "0-1", "0x-1", "0o-7", "0b-1", "0b", "00-1", "1-2"] {
            assert_eq!(yaml11(s), None, "{s}");
        }
        assert_eq!(yaml11("none"), None);
        assert_eq!(yaml11("0755"), Some(Reading::Octal(493)));
        assert_eq!(yaml11("07"), None);
        assert_eq!(yaml11("0"), None);
        assert_eq!(yaml11("0o17"), None);
        assert_eq!(yaml11("089"), None);
        assert_eq!(yaml11("1_000"), Some(Reading::Number("1000".into())));
        assert_eq!(yaml11("-1_000"), Some(Reading::Number("-1000".into())));
        assert_eq!(yaml11("1_0.5"), Some(Reading::Number("10.5".into())));
        assert_eq!(yaml11("0b101"), Some(Reading::Number("5".into())));
        assert_eq!(yaml11("1:30"), Some(Reading::Base60("90".into())));
        assert_eq!(yaml11("190:20:30"), Some(Reading::Base60("685230".into())));
        assert_eq!(yaml11("1:30.5"), Some(Reading::Base60("90.5".into())));
        assert_eq!(yaml11("10:60"), None);
        assert_eq!(yaml11("01:30"), None);
        assert_eq!(yaml11("1:2:3:x"), None);
        assert_eq!(yaml11("8080"), None);
        assert_eq!(yaml11("1.2.3"), None);
        assert_eq!(yaml11("a_b"), None);
        assert_eq!(yaml11("2024-01-01"), None);
        assert_eq!(yaml11("_"), None);
    }
}
