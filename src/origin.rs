//! Findings in rendered output (`helm template … | gwlint check -`, `kustomize build …`) are
//! mapped back to the file that produced them: Helm writes `# Source: chart/templates/x.yaml`
//! before each document, kustomize can record `config.kubernetes.io/origin: path: …`. The
//! finding then points into that document under the source's path, and the position in the
//! stream stays available as a related location.

use std::collections::HashMap;

use crate::diagnostic::{Diagnostic, Related};
use crate::source::{FileId, SourceFile, Span};

/// The document of `text` around `offset`: from the line after the last `---` line before it to
/// the next `---` line.
fn document(text: &str, offset: usize) -> (usize, usize) {
    let mut start = 0;
    let mut end = text.len();
    let mut pos = 0;
    for line in text.split_inclusive('\n') {
        let is_sep = line.starts_with("---")
            && matches!(
                line.as_bytes().get(3),
                None | Some(b' ' | b'\n' | b'\r' | b'\t')
            );
        if is_sep {
            if pos <= offset {
                start = pos + line.len();
            } else {
                end = pos;
                break;
            }
        }
        pos += line.len();
    }
    (start, end.max(start))
}

/// The source a rendered document names, and where its own text starts.
fn source_of(doc: &str) -> Option<(String, usize)> {
    let mut pos = 0;
    for line in doc.split_inclusive('\n') {
        if let Some(path) = line.strip_prefix("# Source: ") {
            return Some((path.trim().to_string(), pos + line.len()));
        }
        pos += line.len();
    }
    let at = doc.find("config.kubernetes.io/origin:")?;
    let rest = &doc[at..];
    let path = rest
        .lines()
        .skip(1)
        .take(6)
        .find_map(|l| l.trim().strip_prefix("path: "))?;
    Some((path.trim().trim_matches(['"', '\'']).to_string(), 0))
}

/// Rewrites the spans of findings in rendered documents of `rendered` (standard input, the only
/// file whose markers are trusted) to virtual files named after their sources; returns the
/// virtual files to append to the run's file table.
pub fn map(
    files: &[SourceFile],
    diags: &mut [Diagnostic],
    rendered: Option<FileId>,
) -> Vec<SourceFile> {
    let Some(rendered_file) = rendered else {
        return Vec::new();
    };
    let mut virtual_files: Vec<SourceFile> = Vec::new();
    let mut by_region: HashMap<(FileId, usize), (FileId, usize, usize)> = HashMap::new();
    let base = files.len() as FileId;
    let Some(f) = files.get(rendered_file as usize) else {
        return Vec::new();
    };
    if !(f.text.contains("# Source: ") || f.text.contains("config.kubernetes.io/origin")) {
        return Vec::new();
    }
    for d in diags.iter_mut() {
        if d.span.file != rendered_file {
            continue;
        }
        let (start, end) = document(&f.text, d.span.start as usize);
        let Some((path, skip)) = source_of(&f.text[start..end]) else {
            continue;
        };
        let from = start + skip;
        if (d.span.start as usize) < from {
            continue;
        }
        let &mut (vid, vstart, vend) = by_region.entry((f.id, from)).or_insert_with(|| {
            let id = base + virtual_files.len() as FileId;
            let text = f.text[from..end].to_string();
            // The ranges of the file that fall in the region, as offsets into the region.
            let clip = |ranges: &[std::ops::Range<usize>]| {
                ranges
                    .iter()
                    .filter(|r| r.end > from && r.start < end)
                    .map(|r| (r.start.max(from) - from)..(r.end.min(end).max(from) - from))
                    .collect()
            };
            virtual_files.push(SourceFile::new(
                id,
                path.clone().into(),
                text,
                clip(&f.redactions),
                clip(&f.no_snippet),
            ));
            (id, from, end)
        });
        let remap = |s: Span| -> Option<Span> {
            (s.file == f.id && (s.start as usize) >= vstart && (s.end as usize) <= vend)
                .then(|| Span::new(vid, s.start as usize - vstart, s.end as usize - vstart))
        };
        let original = d.span;
        let Some(mapped) = remap(original) else {
            continue;
        };
        d.span = mapped;
        for r in &mut d.related {
            if let Some(m) = remap(r.span) {
                r.span = m;
            }
        }
        d.related.push(Related {
            span: original,
            message: "position in the rendered stream".into(),
        });
    }
    virtual_files
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_helm_and_kustomize_sources() {
        let text = "---\n# Source: shop/templates/route.yaml\napiVersion: v1\n---\nkind: X\nmetadata:\n  annotations:\n    config.kubernetes.io/origin: |\n      path: base/svc.yaml\n";
        let at = text.find("apiVersion").unwrap();
        let (s, e) = document(text, at);
        assert_eq!(
            source_of(&text[s..e]).unwrap().0,
            "shop/templates/route.yaml"
        );
        let at = text.find("kind: X").unwrap();
        let (s, e) = document(text, at);
        assert_eq!(source_of(&text[s..e]).unwrap().0, "base/svc.yaml");
    }
}
