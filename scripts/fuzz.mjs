#!/usr/bin/env node
// Longer fuzz run of the property tests in test/fuzz (the bounded run is part
// of `npm test`). Usage:
//   node scripts/fuzz.mjs [--runs N] [--seed S] [--case-ms MS] [filter ...]
// e.g. `npm run fuzz -- --runs 5000 rules` runs 5000 cases per property of
// the rules fuzz file. Without --seed each run picks a new random seed (it is
// printed, and fast-check prints it again with any counterexample).
//
// With --coverage, the coverage-guided fuzzer (test/fuzz/coverage-run.ts)
// instead: `npm run fuzz -- --coverage [--seconds N] [--target X] [--out DIR]
// [--corpus DIR] [--timeout-ms MS] [--memory-mb MB] [--seed S] [--replay FILE]
// [--list]`; every option after --coverage is its own.
import { spawnSync } from 'node:child_process';

const args = process.argv.slice(2);
if (args[0] === '--coverage') {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'test/fuzz/coverage-run.ts', ...args.slice(1)], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}
const env = { ...process.env };
const filters = [];
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  const next = () => {
    const v = args[++i];
    if (v === undefined || !/^-?\d+$/.test(v)) {
      console.error(`fuzz: ${a} needs an integer`);
      process.exit(2);
    }
    return v;
  };
  if (a === '--runs') env.VIGIL_FUZZ_RUNS = next();
  else if (a === '--seed') env.VIGIL_FUZZ_SEED = next();
  else if (a === '--case-ms') env.VIGIL_FUZZ_CASE_MS = next();
  else if (a.startsWith('-')) {
    console.error(`fuzz: unknown option ${a}`);
    process.exit(2);
  } else filters.push(a);
}
env.VIGIL_FUZZ_RUNS ??= '2000';
env.VIGIL_FUZZ_SEED ??= String(Math.floor(Math.random() * 2 ** 31));
console.log(`fuzz: ${env.VIGIL_FUZZ_RUNS} runs per property, seed ${env.VIGIL_FUZZ_SEED}`);
const selected = filters.length ? filters.map((f) => `test/fuzz/${f}`) : ['.fuzz.test.ts'];
const r = spawnSync(process.execPath, ['scripts/run-tests.mjs', ...selected], { stdio: 'inherit', env });
process.exit(r.status ?? 1);
