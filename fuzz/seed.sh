#!/bin/sh
# Seeds fuzz/corpus/<target>/ with every YAML fixture of testdata/. The corpus is git-ignored:
# run this before `cargo fuzz run` on a fresh checkout.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
for target in load pipeline; do
    dir="$here/corpus/$target"
    mkdir -p "$dir"
    find "$root/testdata" -type f \( -name '*.yaml' -o -name '*.yml' \) | while read -r f; do
        # Flatten the path into a unique file name.
        name=$(printf '%s' "${f#"$root"/testdata/}" | tr '/' '_')
        cp "$f" "$dir/$name"
    done
done
echo "seeded: $(ls "$here/corpus/load" | wc -l) inputs per target"
