// The bounded CI run of the coverage-guided fuzzer (coverage-fuzzer.ts): every
// target of coverage-targets.ts for a few seconds (VIGIL_FUZZ_COVERAGE_SECONDS,
// default 2), fixed seed; any finding (crash, hang, memory) fails the test
// and is printed with its signature and the saved input. The long run is
// `npm run fuzz -- --coverage --seconds N [--target X]`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fuzz } from './coverage-fuzzer.js';
import { targets } from './coverage-targets.js';

const seconds = Number(process.env.VIGIL_FUZZ_COVERAGE_SECONDS) || 2;
const module = new URL('./coverage-targets.ts', import.meta.url);

test('coverage-guided fuzzing of every reader: no crash, hang or memory blow-up', { timeout: 600_000 }, async (t) => {
  const out = mkdtempSync(join(tmpdir(), 'vigil-cov-fuzz-'));
  const problems: string[] = [];
  try {
    for (const target of Object.keys(targets)) {
      const r = await fuzz({ module, target, seconds, seed: 20261207, outDir: out, memoryMb: 512, timeoutMs: 5000 });
      t.diagnostic(`${target}: ${r.execs} execs, corpus ${r.seeds} -> ${r.corpus}, ${r.blocks} blocks, ${r.findings.length} findings`);
      // the target really ran its reader: inputs beyond the seeds, and blocks of src/ reached
      assert.ok(r.execs > r.seeds, `${target}: only ${r.execs} execs`);
      assert.ok(r.blocks > 5, `${target}: ${r.blocks} blocks reached`);
      for (const f of r.findings) problems.push(`${target} ${f.kind}: ${f.signature} (input ${f.input.length} bytes)\n${f.stack}`);
    }
    assert.deepEqual(problems, []);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
