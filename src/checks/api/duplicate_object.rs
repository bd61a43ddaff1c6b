//! API510: one object defined twice in what one kustomize build deploys.

use std::collections::BTreeSet;

use crate::checks::{Check, Ctx};
use crate::diagnostic::Diagnostic;
use crate::model::{ObjKey, Spec};

pub struct Rule;

impl Check for Rule {
    fn id(&self) -> &'static str {
        "API510"
    }

    fn run(&self, cx: &Ctx, out: &mut Vec<Diagnostic>) {
        let g = cx.graph;
        let objects = g.objects;
        // The objects another object shares a key with, by file: few, so each build's files
        // are looked up in a small map rather than searched for among all objects.
        let mut repeated: foldhash::HashMap<crate::source::FileId, Vec<usize>> =
            foldhash::HashMap::default();
        for (i, r) in g.key_repeated().into_iter().enumerate() {
            if r {
                repeated.entry(objects[i].file).or_default().push(i);
            }
        }
        let mut pairs: BTreeSet<(usize, usize)> = BTreeSet::new();
        let mut by: Vec<(usize, usize, &str)> = Vec::new();
        if repeated.is_empty() {
            return;
        }
        for b in &g.builds {
            let mut seen: foldhash::HashMap<&ObjKey, usize> = foldhash::HashMap::default();
            for &f in &b.files {
                for &i in repeated.get(&f).map_or(&[][..], Vec::as_slice) {
                    let o = &objects[i];
                    // A chart's objects are Helm's to reconcile with the others (`crate::helm`).
                    if matches!(o.spec, Spec::Kustomization(_))
                        || o.key.name.is_empty()
                        || o.from_chart
                    {
                        continue;
                    }
                    match seen.get(&o.key) {
                        Some(&first)
                            if (objects[first].file, objects[first].doc.start)
                                != (o.file, o.doc.start) =>
                        {
                            if pairs.insert((i, first)) {
                                by.push((i, first, b.by.as_str()));
                            }
                        }
                        Some(_) => {}
                        None => {
                            seen.insert(&o.key, i);
                        }
                    }
                }
            }
        }
        for (later, first, build) in by {
            let (o, f) = (&objects[later], &objects[first]);
            out.push(
                Diagnostic::new(
                    self.id(),
                    o.name_span(),
                    format!(
                        "{} is defined twice in what {build} builds: kustomize stops with \"may not add resource with an already registered id\"",
                        o.key
                    ),
                )
                .label("second definition")
                .related(f.name_span(), format!("{} first defined here", f.key))
                .help("keep one definition, or move the other to a kustomization this one does not include")
                .on(o),
            );
        }
    }
}
