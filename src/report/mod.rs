//! Report stage: findings to bytes. Every format reads the same sorted list.

pub mod concise;
pub mod github;
pub mod graph;
pub mod human;
pub mod json;
pub mod junit;
pub mod sarif;

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::Outcome;
use crate::config::Severity;
use crate::diagnostic::Diagnostic;
use crate::source::{Position, Span};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Human,
    Concise,
    Json,
    Sarif,
    Github,
    Junit,
}

impl Format {
    pub fn parse(s: &str) -> Option<Format> {
        match s {
            "human" => Some(Format::Human),
            "concise" => Some(Format::Concise),
            "json" => Some(Format::Json),
            "sarif" => Some(Format::Sarif),
            "github" => Some(Format::Github),
            "junit" => Some(Format::Junit),
            _ => None,
        }
    }
}

/// Start and end (exclusive) positions of a span.
pub fn region(outcome: &Outcome, span: Span) -> (Position, Position) {
    let f = outcome.file(span.file);
    (
        f.position(span.start as usize),
        f.position(span.end as usize),
    )
}

/// A stable identity for a finding: rule, file, object, field and the value at that field (the
/// reference's target), but no line numbers, so it survives edits elsewhere in the file. Without
/// the value, a baselined GW108 for `missing-a` also hid a new `missing-b` at the same field.
pub fn fingerprint(outcome: &Outcome, d: &Diagnostic) -> String {
    let mut h = Sha256::new();
    h.update(d.rule.as_bytes());
    h.update([0]);
    h.update(outcome.file(d.span.file).display_path().as_bytes());
    h.update([0]);
    match (&d.object, &d.field) {
        (Some(o), Some(field)) => {
            h.update(format!("{}/{}/{}/{}", o.group, o.kind, o.namespace, o.name).as_bytes());
            h.update([0]);
            h.update(field.as_bytes());
            h.update([0]);
            h.update(target(outcome, d.span).as_bytes());
        }
        _ => h.update(d.message.as_bytes()),
    }
    h.finalize()[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The text at a finding's field when it is a short scalar (a name, a hostname, a port): the
/// target a reference names. Empty for a whole mapping or list, whose text changes with every
/// edit inside it, and for anything that may be a Secret value, which no baseline may hold
/// even hashed.
fn target(outcome: &Outcome, span: Span) -> &str {
    let f = outcome.file(span.file);
    let r = span.range();
    let redacted = || {
        f.redactions
            .iter()
            .chain(&f.no_snippet)
            .any(|z| r.start < z.end && z.start < r.end.max(r.start + 1))
    };
    match f.text.get(r.clone()) {
        Some(t) if t.len() <= 256 && !t.contains(['\n', '\r']) && !redacted() => t.trim(),
        _ => "",
    }
}

/// The fix `--fix` would apply to a finding (with `--unsafe-fixes` when `unsafe_fixes`).
pub fn applicable_fix(d: &Diagnostic, unsafe_fixes: bool) -> Option<&crate::fix::Fix> {
    use crate::fix::Applicability;
    d.fixes.iter().find(|f| match f.applicability {
        Applicability::Safe => true,
        Applicability::Unsafe => unsafe_fixes,
        Applicability::DisplayOnly => false,
    })
}

/// The footer hint, as ruff words it: how many findings `--fix` would fix, and how many more
/// `--unsafe-fixes` would. None when there is nothing to fix.
pub fn fix_hint(diags: &[Diagnostic], unsafe_fixes: bool) -> Option<String> {
    let fixable = diags
        .iter()
        .filter(|d| applicable_fix(d, unsafe_fixes).is_some())
        .count();
    let hidden = if unsafe_fixes {
        0
    } else {
        diags
            .iter()
            .filter(|d| applicable_fix(d, false).is_none() && applicable_fix(d, true).is_some())
            .count()
    };
    let flag = if unsafe_fixes {
        "--fix --unsafe-fixes"
    } else {
        "--fix"
    };
    match (fixable, hidden) {
        (0, 0) => None,
        (0, h) => Some(format!(
            "No fixes available ({h} hidden fix{} can be enabled with --unsafe-fixes).",
            if h == 1 { "" } else { "es" }
        )),
        (n, 0) => Some(format!("[*] {n} fixable with {flag}.")),
        (n, h) => Some(format!(
            "[*] {n} fixable with {flag} ({h} hidden fix{} can be enabled with --unsafe-fixes).",
            if h == 1 { "" } else { "es" }
        )),
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
}

pub fn counts(diags: &[Diagnostic]) -> Counts {
    let mut c = Counts::default();
    for d in diags {
        match d.severity {
            Severity::Error => c.errors += 1,
            Severity::Warning => c.warnings += 1,
            Severity::Info => c.infos += 1,
        }
    }
    c
}

/// A JSON document written piece by piece: the findings array is built one element at a time as
/// it is written, so a report of a hundred thousand findings never exists as one tree of values
/// (ten times the size of its text). Entries are written in the order given, as the
/// `preserve_order` maps of `json!` are.
pub(crate) enum Doc<'a> {
    Value(serde_json::Value),
    Map(Vec<(&'static str, Doc<'a>)>),
    List(Vec<Doc<'a>>),
    /// `len` elements, the `i`-th made by the function when it is written.
    Stream(usize, Box<dyn Fn(usize) -> serde_json::Value + 'a>),
}

impl serde::Serialize for Doc<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeMap, SerializeSeq};
        match self {
            Doc::Value(v) => v.serialize(s),
            Doc::Map(entries) => {
                let mut m = s.serialize_map(Some(entries.len()))?;
                for (k, v) in entries {
                    m.serialize_entry(k, v)?;
                }
                m.end()
            }
            Doc::List(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for v in items {
                    seq.serialize_element(v)?;
                }
                seq.end()
            }
            Doc::Stream(len, make) => {
                let mut seq = s.serialize_seq(Some(*len))?;
                for i in 0..*len {
                    seq.serialize_element(&make(i))?;
                }
                seq.end()
            }
        }
    }
}

/// The document pretty-printed, with a final newline.
pub(crate) fn pretty(doc: &Doc, out: &mut dyn Write) -> io::Result<()> {
    write_json(doc, out)
}

/// Any value pretty-printed as JSON with a final newline, escaped for CI logs (`LogSafe`).
pub fn write_json<T: serde::Serialize + ?Sized>(value: &T, out: &mut dyn Write) -> io::Result<()> {
    let mut ser = serde_json::Serializer::with_formatter(
        &mut *out,
        LogSafe(serde_json::ser::PrettyFormatter::new()),
    );
    value.serialize(&mut ser).map_err(io::Error::other)?;
    out.write_all(b"\n")
}

/// Pretty JSON whose strings write as `\uXXXX` the characters a terminal or a CI runner would
/// act on (`crate::escape`): a report printed to a job log cannot forge workflow commands, and
/// every value reads back the same.
struct LogSafe(serde_json::ser::PrettyFormatter<'static>);

impl serde_json::ser::Formatter for LogSafe {
    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        let mut from = 0;
        for (at, c) in crate::escape::json_escape_at(fragment) {
            writer.write_all(&fragment.as_bytes()[from..at])?;
            let mut units = [0u16; 2];
            for u in c.encode_utf16(&mut units) {
                write!(writer, "\\u{u:04x}")?;
            }
            from = at + c.len_utf8();
        }
        writer.write_all(&fragment.as_bytes()[from..])
    }

    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_array(w)
    }
    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array(w)
    }
    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.0.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array_value(w)
    }
    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object(w)
    }
    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object(w)
    }
    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.0.begin_object_key(w, first)
    }
    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object_value(w)
    }
    fn end_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object_value(w)
    }
}

/// How human output looks: colours, and the width to wrap at (None: a fixed width, for pipes
/// and files, so the output does not depend on who ran it).
#[derive(Clone, Copy, Debug, Default)]
pub struct Look {
    pub color: bool,
    pub width: Option<usize>,
    /// `--unsafe-fixes`: unsafe fixes count as fixable in the hints.
    pub unsafe_fixes: bool,
}

/// Writes the report finding by finding, so it never exists whole in memory.
pub fn write(
    outcome: &Outcome,
    format: Format,
    color: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    write_with(
        outcome,
        format,
        Look {
            color,
            width: None,
            unsafe_fixes: false,
        },
        out,
    )
}

/// `write`, with the terminal's width for human output.
pub fn write_with(
    outcome: &Outcome,
    format: Format,
    look: Look,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        Format::Human => human::render(outcome, look, out),
        Format::Concise => concise::render(outcome, out),
        Format::Json => json::render(outcome, out),
        Format::Sarif => sarif::render(outcome, out),
        Format::Github => github::render(outcome, out),
        Format::Junit => junit::render(outcome, out),
    }
}

/// The report as one string (tests and the fuzzer).
pub fn render(outcome: &Outcome, format: Format, color: bool) -> String {
    let mut out = Vec::new();
    // Writing to a vector cannot fail; the formats write only UTF-8.
    let _ = write(outcome, format, color, &mut out);
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// Writes a file by writing a new file beside it and renaming that over `path`.
///
/// Reports and baselines are written into checkouts of untrusted pull requests, where `path` may
/// be a planted symlink (or a FIFO) pointing outside the checkout. A rename replaces the link
/// itself instead of following it, and the new file is created exclusively (`create_new`), so
/// nothing outside the destination's own directory entry is ever opened for writing.
///
/// Paths under `/dev/` (`/dev/stdout`, `/dev/null`, `/dev/fd/3`) are opened as they are: they
/// name streams the caller set up, never something a repository can plant, and renaming over
/// them would replace the device node.
pub fn write_file(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    if path.starts_with("/dev/") {
        let f = std::fs::OpenOptions::new()
            .write(true)
            .truncate(true)
            .open(path)?;
        return fill(f, write);
    }
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "not a file name"))?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    if let Some(link) = symlinked_dir(dir) {
        return Err(io::Error::new(
            io::ErrorKind::PermissionDenied,
            format!("{} is a symlink; not writing through it", link.display()),
        ));
    }
    if std::fs::symlink_metadata(path).is_ok_and(|m| m.is_dir()) {
        return Err(io::Error::new(
            io::ErrorKind::IsADirectory,
            "is a directory",
        ));
    }
    // A name no other process (or an earlier, interrupted run) holds: create_new fails on any
    // existing entry, symlinks included, rather than following it.
    let (tmp, f) = {
        let mut attempt = 0u32;
        loop {
            let mut tmp_name = std::ffi::OsString::from(".");
            tmp_name.push(name);
            tmp_name.push(format!(".gwlint-{}-{attempt}.tmp", std::process::id()));
            let tmp = dir.join(tmp_name);
            match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&tmp)
            {
                Ok(f) => break (tmp, f),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists && attempt < 100 => {
                    attempt += 1;
                }
                Err(e) => return Err(e),
            }
        }
    };
    let result = fill(f, write).and_then(|()| std::fs::rename(&tmp, path));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Writes through one buffer and flushes, so a write error (a full disk) is returned, not lost.
fn fill(f: std::fs::File, write: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> io::Result<()> {
    let mut out = io::BufWriter::with_capacity(1 << 16, f);
    write(&mut out)?;
    out.flush()
}

/// The first directory of `dir` below the working directory that is a symlink. A checkout can
/// plant `reports -> /etc` as well as `report.json -> /etc/passwd`; directories above the
/// working directory (`/tmp`, `/var/run`) are the user's and may be links.
fn symlinked_dir(dir: &Path) -> Option<PathBuf> {
    let cwd = std::env::current_dir().ok()?;
    let below = if dir.is_absolute() {
        dir.strip_prefix(&cwd).ok()?
    } else {
        dir
    };
    let mut at = cwd;
    for c in below.components() {
        match c {
            std::path::Component::Normal(name) => {
                at.push(name);
                if std::fs::symlink_metadata(&at).is_ok_and(|m| m.file_type().is_symlink()) {
                    return Some(at);
                }
            }
            std::path::Component::CurDir => {}
            // `..` leaves the tree the working directory holds: what is there is the user's.
            _ => return None,
        }
    }
    None
}
