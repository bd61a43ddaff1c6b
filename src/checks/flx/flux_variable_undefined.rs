//! FLX701: a `${VAR}` that a Flux Kustomization deploying the file leaves undefined.
//!
//! Flux substitutes post-build variables into the YAML of every object a Kustomization builds
//! (`spec.postBuild.substitute`, then the `data` of `substituteFrom` ConfigMaps and Secrets),
//! and only when at least one variable is defined (or `substituteStrategy: Always`). An
//! undefined `${VAR}` becomes an empty string, or fails the reconcile with strict substitution
//! (kustomize-controller's `StrictPostBuildSubstitutions`, on by default from v1.9). A
//! Kustomization whose variables cannot all be read from the repository (a Secret, a ConfigMap
//! not in it, a patch from a parent) is never judged.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use rayon::prelude::*;

use super::envsubst::{self, Expr, Op};
use crate::checks::{Check, Ctx, name_list};
use crate::diagnostic::Diagnostic;
use crate::escape;
use crate::load::tree::{Node, Style, Value};
use crate::model::kustomize::{FluxKustomization, SUBSTITUTE_KEY};
use crate::model::{Object, Spec};
use crate::source::{FileId, Span};

pub struct Rule;

/// ConfigMaps by name: each one's namespace and `data`.
type ConfigMaps<'m> = HashMap<&'m str, Vec<(&'m str, &'m [(String, String)])>>;

/// What a Flux Kustomization does to `${…}` in the files it deploys.
enum Vars<'m> {
    /// Some variable may come from where the repository does not show (a Secret, a ConfigMap
    /// not in it, a patch): any name may be defined.
    Unknown,
    /// No substitution at all: no `postBuild`, or one that defines nothing.
    None,
    /// Substitution with exactly these names.
    Defines(BTreeSet<&'m str>),
}

struct Deployer<'m> {
    obj: &'m Object,
    flux: &'m FluxKustomization,
    vars: Vars<'m>,
}

impl Deployer<'_> {
    fn name(&self) -> String {
        escape::display(&format!("{}/{}", self.obj.key.namespace, self.obj.key.name)).into_owned()
    }
}

/// How a use of a variable depends on its definition.
#[derive(Clone, Debug)]
enum Need {
    /// Read whenever the object is substituted (a top-level expression, or one in the
    /// arguments of a transformation).
    Always(Op),
    /// `${NAME:=…}` and the other forms with a default: never undefined.
    Defaulted,
    /// In the default of `${OUTER:=…}` (of each of these, nested): evaluated always, but its
    /// value matters only when they are all undefined (strict substitution fails on it
    /// regardless).
    InDefaultOf(Vec<String>),
}

#[derive(Clone, Debug)]
struct Use {
    name: String,
    need: Need,
    /// A top-level expression: with no substitution it reaches the cluster as written.
    top: bool,
    span: Span,
}

/// The values of the `StrictPostBuildSubstitutions=` flags a file sets (not in comments), in
/// order. Found once per text: every file is looked through on every run.
struct StrictFlags(Vec<bool>);

fn strict_flags(f: &crate::source::SourceFile) -> StrictFlags {
    const FLAG: &str = "StrictPostBuildSubstitutions=";
    let mut out = Vec::new();
    for (at, _) in f.text.match_indices(FLAG) {
        let line_start = f.text[..at].rfind('\n').map_or(0, |i| i + 1);
        if f.text[line_start..at].trim_start().starts_with('#') {
            continue;
        }
        let rest = &f.text[at + FLAG.len()..];
        if rest.starts_with("true") {
            out.push(true);
        } else if rest.starts_with("false") {
            out.push(false);
        }
    }
    StrictFlags(out)
}

/// Strict substitution as the repository sets it: `Some((on, where))` when every
/// `StrictPostBuildSubstitutions=` flag in it agrees.
fn strictness(files: &[crate::source::SourceFile]) -> Option<(bool, String)> {
    let mut seen: Option<(bool, String)> = None;
    for f in files {
        for &on in &f.derived(strict_flags).0 {
            match &seen {
                None => seen = Some((on, escape::display(&f.display_path()).into_owned())),
                Some((was, _)) if *was != on => return None,
                Some(_) => {}
            }
        }
    }
    seen
}

impl Check for Rule {
    fn id(&self) -> &'static str {
        "FLX701"
    }

    fn run(&self, cx: &Ctx, out: &mut Vec<Diagnostic>) {
        let g = cx.graph;
        let reach = &g.flux;
        if reach.deploys.is_empty() || cx.files.is_empty() {
            return;
        }
        // The Flux Kustomizations still in the model (archived ones are withheld), by their
        // document; kustomize may copy one into several namespaces: the first copy stands.
        let mut flux_objects: HashMap<(FileId, u32), (&Object, &FluxKustomization)> =
            HashMap::new();
        let mut config_maps: ConfigMaps = HashMap::new();
        for o in g.objects {
            match &o.spec {
                Spec::FluxKustomization(f) => {
                    flux_objects.entry((o.file, o.doc.start)).or_insert((o, f));
                }
                Spec::ConfigMap(cm) => config_maps
                    .entry(o.key.name.as_str())
                    .or_default()
                    .push((o.key.namespace.as_str(), cm.data.as_slice())),
                _ => {}
            }
        }
        // Every name some Flux Kustomization's postBuild is seen to define, with the first
        // that defines it.
        let mut known: BTreeMap<&str, String> = BTreeMap::new();
        let mut deployers: Vec<(Deployer, &[FileId])> = Vec::new();
        for ((file, start), files) in &reach.deploys {
            let Some(&(obj, flux)) = flux_objects.get(&(*file, *start)) else {
                continue;
            };
            // Left out of the kustomization that would apply it: deploys nothing.
            if reach.passed_over.contains(file) {
                continue;
            }
            let vars = variables(obj, flux, &config_maps, reach.patched.contains(file));
            let d = Deployer { obj, flux, vars };
            if let Vars::Defines(names) = &d.vars {
                for n in names {
                    known.entry(*n).or_insert_with(|| d.name());
                }
            }
            deployers.push((d, files.as_slice()));
        }
        // The deployers of each file.
        let mut by_file: BTreeMap<FileId, Vec<usize>> = BTreeMap::new();
        for (i, (_, files)) in deployers.iter().enumerate() {
            for f in *files {
                by_file.entry(*f).or_default().push(i);
            }
        }
        by_file.retain(|f, ds| {
            !reach.disabled.contains(f)
                && cx
                    .files
                    .get(*f as usize)
                    .is_some_and(|s| s.text.contains("${"))
                && ds
                    .iter()
                    .any(|&i| !matches!(deployers[i].0.vars, Vars::Unknown))
        });
        if by_file.is_empty() {
            return;
        }
        let strict = strictness(cx.files);
        let jobs: Vec<(FileId, Vec<usize>)> = by_file.into_iter().collect();
        // Per file: its findings, and the Kustomizations whose definitions were put to the
        // test.
        let found: Vec<(Vec<Diagnostic>, BTreeSet<usize>)> = jobs
            .par_iter()
            .map(|(file, ds)| {
                let mut diags = Vec::new();
                let mut tested = BTreeSet::new();
                for (obj, uses) in uses_in(cx, *file) {
                    for u in uses {
                        tested.extend(
                            ds.iter()
                                .copied()
                                .filter(|&i| tests(&deployers[i].0, &u, &known)),
                        );
                        let lacking: Vec<&Deployer> = ds
                            .iter()
                            .map(|&i| &deployers[i].0)
                            .filter(|d| lacks(d, &u, &strict, &known))
                            .collect();
                        if !lacking.is_empty() {
                            diags.push(finding(self.id(), obj, &u, &lacking, &strict, &known));
                        }
                    }
                }
                (diags, tested)
            })
            .collect();
        // Kustomizations without postBuild whose files use variables others define, against
        // those with postBuild whose definitions were tested: when the former are many and
        // outnumber the latter, the variables reach them in a way the repository does not
        // show (a mutating webhook that adds substituteFrom, an operator's defaults), and no
        // Kustomization's variables can be told.
        let tested: BTreeSet<usize> = found.iter().flat_map(|(_, t)| t.iter().copied()).collect();
        let without = tested
            .iter()
            .filter(|&&i| matches!(deployers[i].0.vars, Vars::None))
            .count();
        if without >= MIN_LACKING_FOR_OUTSIDE_SOURCE && without > tested.len() - without {
            return;
        }
        out.extend(found.into_iter().flat_map(|(d, _)| d));
    }
}

/// How many Kustomizations without postBuild must use Flux variables before "most of them
/// do" means the variables come from outside the repository.
const MIN_LACKING_FOR_OUTSIDE_SOURCE: usize = 3;

/// Whether this use tests the Kustomization's definitions (it could lack it).
fn tests(d: &Deployer, u: &Use, known: &BTreeMap<&str, String>) -> bool {
    match &d.vars {
        Vars::Unknown => false,
        Vars::None => u.top && known.contains_key(u.name.as_str()),
        Vars::Defines(_) => !matches!(u.need, Need::Defaulted),
    }
}

/// The variables a Flux Kustomization substitutes, as far as the repository tells.
fn variables<'m>(
    obj: &'m Object,
    flux: &'m FluxKustomization,
    config_maps: &ConfigMaps<'m>,
    patched: bool,
) -> Vars<'m> {
    if patched || flux.may_disable_substitution {
        return Vars::Unknown;
    }
    let Some(pb) = &flux.post_build else {
        return Vars::None;
    };
    let mut names: BTreeSet<&str> = pb.names.iter().map(String::as_str).collect();
    for (kind, name, _) in &pb.from {
        // Flux reads the ConfigMap in the Kustomization's namespace. One of that name in the
        // repository gives its keys (all of them, when several define it); a Secret, or a
        // ConfigMap the repository does not hold, may define anything.
        let (Some("ConfigMap"), Some(name)) = (kind.as_deref(), name.as_deref()) else {
            return Vars::Unknown;
        };
        let Some(all) = config_maps.get(name) else {
            return Vars::Unknown;
        };
        let ns = obj.key.namespace.as_str();
        let here: Vec<_> = all.iter().filter(|(n, _)| *n == ns).collect();
        let chosen: Vec<_> = if here.is_empty() {
            all.iter().collect()
        } else {
            here
        };
        for (_, data) in chosen {
            names.extend(data.iter().map(|(k, _)| k.as_str()));
        }
    }
    if names.is_empty() && !pb.always {
        Vars::None
    } else {
        Vars::Defines(names)
    }
}

/// Whether a Flux Kustomization deploying the file leaves this use undefined.
fn lacks(
    d: &Deployer,
    u: &Use,
    strict: &Option<(bool, String)>,
    known: &BTreeMap<&str, String>,
) -> bool {
    match &d.vars {
        Vars::Unknown => false,
        // Without substitution the text stays as written: a defect only where the name is
        // one Flux defines elsewhere (an application's own `${…}` is meant to stay).
        Vars::None => u.top && known.contains_key(u.name.as_str()),
        Vars::Defines(names) => {
            if names.contains(u.name.as_str()) {
                return false;
            }
            match &u.need {
                Need::Always(_) => true,
                Need::Defaulted => false,
                Need::InDefaultOf(outers) => {
                    outers.iter().all(|o| !names.contains(o.as_str()))
                        || matches!(strict, Some((true, _)))
                }
            }
        }
    }
}

fn finding(
    rule: &'static str,
    obj: &Object,
    u: &Use,
    lacking: &[&Deployer],
    strict: &Option<(bool, String)>,
    known: &BTreeMap<&str, String>,
) -> Diagnostic {
    let name = escape::display(&u.name).into_owned();
    let (empty, literal): (Vec<&Deployer>, Vec<&Deployer>) = lacking
        .iter()
        .copied()
        .partition(|d| matches!(d.vars, Vars::Defines(_)));
    let shown = match u.need {
        Need::Always(Op::Plain) => format!("`${{{name}}}`"),
        _ => format!("variable `{name}`"),
    };
    let mut parts = Vec::new();
    if !empty.is_empty() {
        let names: Vec<String> = empty.iter().map(|d| d.name()).collect();
        let (s, verb) = plural(names.len());
        let consequence = match (&u.need, strict) {
            (Need::Always(Op::Transform), Some((true, at))) => format!(
                "Flux transforms an empty value, or fails the reconcile in recent releases \
                 (strict substitution is on: StrictPostBuildSubstitutions=true in {at})"
            ),
            (Need::Always(Op::Transform), Some((false, at))) => format!(
                "Flux transforms an empty value (StrictPostBuildSubstitutions=false in {at})"
            ),
            (Need::Always(Op::Transform), None) => "Flux transforms an empty value, or fails the \
                 reconcile where strict substitution is on in recent releases"
                .to_string(),
            (Need::InDefaultOf(outers), Some((true, at)))
                if empty.iter().all(|d| outers.iter().any(|o| defines(d, o))) =>
            {
                format!(
                    "Flux evaluates the default of `{}` even though that variable is defined, and \
                     strict substitution is on (StrictPostBuildSubstitutions=true in {at}), so \
                     the reconcile fails",
                    escape::display(outers.last().map_or("", String::as_str))
                )
            }
            (_, Some((true, at))) => format!(
                "strict substitution is on (StrictPostBuildSubstitutions=true in {at}), so the \
                 reconcile fails"
            ),
            (_, Some((false, at))) => format!(
                "Flux substitutes an empty string (StrictPostBuildSubstitutions=false in {at})"
            ),
            (_, None) => "Flux substitutes an empty string, or fails the reconcile where strict \
                 substitution is on (the default from kustomize-controller v1.9)"
                .to_string(),
        };
        parts.push(format!(
            "{shown} is not defined by the postBuild of Flux Kustomization{s} {} that deploy{verb} \
             this file: {consequence}",
            name_list(&names)
        ));
    }
    if !literal.is_empty() {
        let names: Vec<String> = literal.iter().map(|d| d.name()).collect();
        let (s, verb) = plural(names.len());
        let definer = known.get(u.name.as_str()).map_or("", String::as_str);
        let expression = match u.need {
            Need::Always(Op::Plain) => format!("`${{{name}}}`"),
            _ => format!("the expression reading `{name}`"),
        };
        parts.push(format!(
            "{expression} reaches the cluster as written: Flux Kustomization{s} {} deploy{verb} \
             this file without post-build substitution (`{name}` is a post-build variable of \
             {definer})",
            name_list(&names)
        ));
    }
    let help = if empty.is_empty() {
        format!(
            "give the Flux Kustomization a spec.postBuild that defines `{name}` (as {} does)",
            known.get(u.name.as_str()).map_or("", String::as_str)
        )
    } else {
        format!(
            "define `{name}` in spec.postBuild.substitute or a substituteFrom ConfigMap, write a \
             default (`${{{name}:=value}}`), or write `$${{{name}}}` if the application expands \
             it itself"
        )
    };
    Diagnostic::new(rule, u.span, parts.join("; "))
        .label("undefined for this Flux Kustomization")
        .related_each(lacking.iter(), |d| match (&d.vars, &d.flux.post_build) {
            (Vars::Defines(_), Some(pb)) => (
                pb.span,
                format!(
                    "postBuild of Flux Kustomization {}, without `{name}`",
                    d.name()
                ),
            ),
            _ => (
                d.flux.path.as_ref().map_or(d.obj.name_span(), |p| p.span),
                format!(
                    "Flux Kustomization {} deploys this path without post-build substitution",
                    d.name()
                ),
            ),
        })
        .help(help)
        .on(obj)
}

fn defines(d: &Deployer, name: &str) -> bool {
    matches!(&d.vars, Vars::Defines(names) if names.contains(name))
}

fn plural(n: usize) -> (&'static str, &'static str) {
    if n == 1 { ("", "s") } else { ("s", "") }
}

/// The uses of variables in each document of a file's text, by the document's start; `None`
/// for a document with a malformed expression. Found once per text: the file is parsed again
/// for them, and a long-lived client's next run over the same text needs them again.
struct TextUses {
    /// The file id the spans are in.
    file: FileId,
    docs: Vec<(usize, Option<Vec<Use>>)>,
}

fn text_uses(src: &crate::source::SourceFile) -> TextUses {
    let parsed = crate::load::parse::parse(
        &src.text,
        src.lines(),
        src.id,
        crate::load::parse::Limits::default(),
    );
    let docs = parsed
        .docs
        .iter()
        .map(|doc| {
            let mut uses = Vec::new();
            if collect(&src.text, &doc.root, &mut uses).is_err() {
                return (doc.start, None);
            }
            // An alias repeats its anchor's uses at the alias.
            uses.sort_by_key(|u: &Use| (u.span.start, u.span.end, u.name.clone()));
            uses.dedup_by(|a, b| a.span == b.span && a.name == b.name);
            (doc.start, Some(uses))
        })
        .collect();
    TextUses { file: src.id, docs }
}

/// The uses of variables in the objects of a file, by object. Documents that are not objects,
/// kustomize's own files, objects marked `kustomize.toolkit.fluxcd.io/substitute: disabled`,
/// and objects with a malformed expression (Flux fails their substitution outright) give none.
fn uses_in<'m>(cx: &Ctx<'_, 'm>, file: FileId) -> Vec<(&'m Object, Vec<Use>)> {
    let Some(src) = cx.files.get(file as usize) else {
        return Vec::new();
    };
    let objects = cx.graph.objects;
    let first = objects.partition_point(|o| o.file < file);
    let mine: Vec<&Object> = objects[first..]
        .iter()
        .take_while(|o| o.file == file)
        .collect();
    let mut parsed = src.derived(text_uses);
    if parsed.file != file {
        // Not this file's spans (a copy given another id): found again, not remembered.
        let mut copy = src.clone();
        copy.id = file;
        parsed = std::sync::Arc::new(text_uses(&copy));
    }
    let mut out = Vec::new();
    for (start, uses) in &parsed.docs {
        let Some(obj) = mine.iter().find(|o| o.doc.start as usize == *start) else {
            continue;
        };
        if matches!(obj.spec, Spec::Kustomization(_)) {
            continue;
        }
        if [
            obj.meta.annotation(SUBSTITUTE_KEY),
            obj.meta.label(SUBSTITUTE_KEY),
        ]
        .iter()
        .flatten()
        .any(|v| v.v == "disabled")
        {
            continue;
        }
        let Some(uses) = uses else { continue };
        if !uses.is_empty() {
            out.push((*obj, uses.clone()));
        }
    }
    out
}

/// The uses in every string (keys and values) under `node`.
fn collect(text: &str, node: &Node, out: &mut Vec<Use>) -> Result<(), envsubst::Malformed> {
    match &node.value {
        Value::Str(s) if s.contains("${") => {
            for e in envsubst::parse(s.as_str())? {
                push_uses(text, node, s.as_str(), &e, &[], true, out);
            }
            Ok(())
        }
        Value::Seq(items) => items.iter().try_for_each(|n| collect(text, n, out)),
        Value::Map(entries) => entries.iter().try_for_each(|(k, v)| {
            collect(text, k, out)?;
            collect(text, v, out)
        }),
        _ => Ok(()),
    }
}

fn push_uses(
    text: &str,
    node: &Node,
    value: &str,
    e: &Expr,
    outers: &[String],
    top: bool,
    out: &mut Vec<Use>,
) {
    let need = match e.op {
        Op::Default => Need::Defaulted,
        _ if !outers.is_empty() => Need::InDefaultOf(outers.to_vec()),
        op => Need::Always(op),
    };
    out.push(Use {
        name: e.name.clone(),
        need,
        top,
        span: locate(text, node, value, e.range.clone()),
    });
    // The arguments of a default are the fallback for this expression's variable; those of a
    // transformation are read whenever it is.
    let mut inner = outers.to_vec();
    if e.op == Op::Default {
        inner.push(e.name.clone());
    }
    for n in &e.nested {
        push_uses(text, node, value, n, &inner, false, out);
    }
}

/// The source span of `value[range]`, a scalar's text, where it can be told: the k-th
/// occurrence of the expression in the value is the k-th in the source when both hold it
/// equally often (quoting, escapes and folding change neither a `${…}` nor their count).
/// Otherwise the whole scalar.
fn locate(text: &str, node: &Node, value: &str, range: std::ops::Range<usize>) -> Span {
    let mut extent = node.span;
    if matches!(node.style, Style::Plain | Style::Quoted) {
        let one_line = crate::fix::text::scalar_extent(text, node.span);
        if text
            .get(one_line.range())
            .is_some_and(|r| !r.contains('\n'))
        {
            extent = one_line;
        }
    }
    let (Some(needle), Some(raw)) = (value.get(range.clone()), text.get(extent.range())) else {
        return extent;
    };
    let Some(k) = value
        .match_indices(needle)
        .position(|(i, _)| i == range.start)
    else {
        return extent;
    };
    let in_raw: Vec<usize> = raw.match_indices(needle).map(|(i, _)| i).collect();
    if in_raw.len() != value.matches(needle).count() {
        return extent;
    }
    match in_raw.get(k) {
        Some(&at) => {
            let start = extent.start as usize + at;
            Span::new(extent.file, start, start + needle.len())
        }
        None => extent,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;

    fn files(texts: &[&str]) -> Vec<SourceFile> {
        texts
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let path = format!("f{i}.yaml").into();
                SourceFile::new(i as FileId, path, t.to_string(), vec![], vec![])
            })
            .collect()
    }

    #[test]
    fn strict_substitution_from_the_feature_gate() {
        let on = "args:\n  - --feature-gates=StrictPostBuildSubstitutions=true\n";
        let off = "value: --feature-gates=OtherGate=true,StrictPostBuildSubstitutions=false\n";
        let commented = "# - --feature-gates=StrictPostBuildSubstitutions=false\n";
        assert_eq!(strictness(&files(&[on])), Some((true, "f0.yaml".into())));
        assert_eq!(
            strictness(&files(&[commented, off])),
            Some((false, "f1.yaml".into()))
        );
        assert_eq!(
            strictness(&files(&[on, commented])).map(|s| s.0),
            Some(true)
        );
        // Flags that disagree (two clusters) tell nothing.
        assert_eq!(strictness(&files(&[on, off])), None);
        assert_eq!(strictness(&files(&["kind: ConfigMap\n"])), None);
    }
}
