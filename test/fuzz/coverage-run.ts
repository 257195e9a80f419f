// Command line of the coverage-guided fuzzer (`npm run fuzz -- --coverage ...`,
// through scripts/fuzz.mjs):
//   --seconds N      fuzzing time per target (default 60)
//   --target X       a target (repeatable, or comma-separated; default: all)
//   --out DIR        findings (default .fuzz/findings)
//   --corpus DIR     grown corpus, reloaded by the next run (default .fuzz/corpus)
//   --timeout-ms MS  per-input time limit (default 2000)
//   --memory-mb MB   per-worker memory limit (default 512)
//   --seed S         PRNG seed (default: random, printed)
//   --replay FILE    run one saved input on the --target and print the outcome
//   --list           print the targets
// Exit status 1 when there is a finding.
import { readFileSync } from 'node:fs';
import { fuzz, type FuzzReport } from './coverage-fuzzer.js';
import { targets } from './coverage-targets.js';

const args = process.argv.slice(2);
const opt: { seconds: number; targets: string[]; out: string; corpus: string; timeoutMs: number; memoryMb: number; seed: number; replay?: string } = {
  seconds: 60,
  targets: [],
  out: '.fuzz/findings',
  corpus: '.fuzz/corpus',
  timeoutMs: 2000,
  memoryMb: 512,
  seed: Math.floor(Math.random() * 2 ** 31),
};
function fail(msg: string): never {
  console.error(`fuzz --coverage: ${msg}`);
  process.exit(2);
}
for (let i = 0; i < args.length; i++) {
  const a = args[i]!;
  const value = (): string => args[++i] ?? fail(`${a} needs a value`);
  const int = (): number => {
    const v = value();
    if (!/^\d+$/.test(v)) fail(`${a} needs a whole number, not ${JSON.stringify(v)}`);
    return Number(v);
  };
  if (a === '--seconds') opt.seconds = int();
  else if (a === '--target') opt.targets.push(...value().split(','));
  else if (a === '--out') opt.out = value();
  else if (a === '--corpus') opt.corpus = value();
  else if (a === '--timeout-ms') opt.timeoutMs = int();
  else if (a === '--memory-mb') opt.memoryMb = int();
  else if (a === '--seed') opt.seed = int();
  else if (a === '--replay') opt.replay = value();
  else if (a === '--list') {
    console.log(Object.keys(targets).join('\n'));
    process.exit(0);
  } else fail(`unknown option ${a}`);
}
const names = opt.targets.length ? opt.targets : Object.keys(targets);
for (const n of names) if (!targets[n]) fail(`no target ${JSON.stringify(n)} (targets: ${Object.keys(targets).join(', ')})`);
const module = new URL('./coverage-targets.ts', import.meta.url);

if (opt.replay) {
  if (names.length !== 1) fail('--replay needs exactly one --target');
  const t = await targets[names[0]!]!();
  const input = readFileSync(opt.replay);
  const t0 = performance.now();
  const ms = () => `${Math.round(performance.now() - t0)} ms`;
  try {
    await t.run(input);
    console.log(`${names[0]}: ${opt.replay}: ran without error in ${ms()}`);
  } catch (e) {
    const refusal = (t.expected ?? ((x: unknown) => x instanceof Error && x.name === 'InputError'))(e);
    console.log(
      `${names[0]}: ${opt.replay}: ${refusal ? 'refused (expected)' : 'CRASH'} in ${ms()}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`,
    );
    await t.close?.();
    process.exit(refusal ? 0 : 1);
  }
  await t.close?.();
  process.exit(0);
}

console.log(`fuzz --coverage: ${names.length} targets, ${opt.seconds} s each, seed ${opt.seed}, findings in ${opt.out}, corpus in ${opt.corpus}`);
const reports: FuzzReport[] = [];
for (const target of names) {
  const r = await fuzz({
    module,
    target,
    seconds: opt.seconds,
    timeoutMs: opt.timeoutMs,
    memoryMb: opt.memoryMb,
    seed: opt.seed,
    outDir: opt.out,
    corpusDir: opt.corpus,
    log: (l) => console.log(`  ${l}`),
  });
  reports.push(r);
  console.log(
    `${target}: ${r.execs} execs (${r.execsPerSecond}/s), ${r.seeds} seeds -> corpus ${r.corpus}, ${r.blocks} blocks (${r.keys} with hit counts), ${r.findings.length} findings, ${r.restarts} worker restarts`,
  );
}
const total = reports.reduce((s, r) => s + r.findings.length, 0);
console.log(`\ntarget\texecs\tcorpus\tblocks\tfindings`);
for (const r of reports) console.log(`${r.target}\t${r.execs}\t${r.corpus}\t${r.blocks}\t${r.findings.length}`);
for (const r of reports) for (const f of r.findings) console.log(`FINDING ${r.target} ${f.kind}: ${f.signature} (${f.file ?? 'not saved'})`);
process.exit(total ? 1 : 0);
