// The coverage-guided fuzzer itself, on toy targets (coverage-toys.ts): it is
// really guided by coverage (a crash behind an 8-byte nested magic check is
// found with feedback and not without, on the same execution budget), and
// planted crashes, hangs (busy and pending), memory blow-ups and
// asynchronous crashes are found, minimised and written with their input,
// while the target's documented refusals (InputError) are not findings.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fuzz, Mutator, type FuzzOptions } from './coverage-fuzzer.js';

const module = new URL('./coverage-toys.ts', import.meta.url);
const toy = (target: string, over: Partial<FuzzOptions> = {}) =>
  fuzz({ module, target, seconds: 60, timeoutMs: 1000, memoryMb: 96, seed: 7, batch: 64, stopOnFinding: true, ...over });

describe('coverage-guided fuzzer', { concurrency: 2 }, () => {
  test('coverage feedback reaches a crash behind "VIG!" + 0xdeadbeef that random mutation does not', async () => {
    const out = mkdtempSync(join(tmpdir(), 'vigil-cov-fuzz-'));
    try {
      const budget = 30_000;
      const guided = await toy('magic', { maxExecs: budget, outDir: out });
      assert.equal(guided.findings.length, 1, `guided run: ${guided.execs} execs, ${guided.blocks} blocks, corpus ${guided.corpus}`);
      const f = guided.findings[0]!;
      assert.equal(f.kind, 'crash');
      assert.match(f.message, /planted crash behind the magic/);
      // minimised to the magic itself, and written with its input
      assert.equal(f.input.toString('hex'), '56494721deadbeef');
      assert.deepEqual(readFileSync(f.file!), f.input);
      assert.match(readFileSync(f.file!.replace(/\.bin$/, '.txt'), 'utf8'), /TypeError: planted crash/);
      assert.ok(guided.corpus >= 8, `each magic byte is a corpus entry: ${guided.corpus}`);
      assert.ok(guided.execs <= budget);

      const blind = await toy('magic', { maxExecs: budget, feedback: false });
      assert.equal(blind.findings.length, 0);
      assert.equal(blind.execs, budget);
      assert.equal(blind.corpus, 1);
      assert.ok(blind.blocks < guided.blocks, `blind ${blind.blocks} blocks, guided ${guided.blocks}`);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  test('a planted busy loop is a hang finding with its input', async () => {
    const out = mkdtempSync(join(tmpdir(), 'vigil-cov-fuzz-'));
    try {
      const r = await toy('hang', { outDir: out });
      assert.equal(r.findings.length, 1);
      const f = r.findings[0]!;
      assert.equal(f.kind, 'hang');
      assert.ok(f.input.includes(0), `hang input ${f.input.toString('hex')}`);
      assert.ok(r.restarts >= 1, 'the hung worker was replaced');
      assert.deepEqual(readdirSync(join(out, 'hang')).filter((n) => n.endsWith('.bin')).length, 1);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  test('a promise that never settles is a hang finding', async () => {
    const r = await toy('pending', { memoryMb: 512 }); // room for the worker's own growth while it waits: this test is about the hang
    assert.equal(r.findings[0]?.kind, 'hang');
    assert.ok(r.findings[0]!.input.includes(0x7e));
  });

  test('memory blow-ups (external buffers, JS heap) are memory findings', async () => {
    for (const target of ['memory', 'heap']) {
      const r = await toy(target, { timeoutMs: 5000 });
      assert.equal(r.findings[0]?.kind, 'memory', `${target}: ${JSON.stringify(r.findings.map((f) => f.message))}`);
      assert.equal(r.findings[0]!.input[0], 0xff);
    }
  });

  test('an error thrown outside the reader (uncaught, asynchronous) is a crash finding', async () => {
    const r = await toy('uncaught');
    assert.equal(r.findings[0]?.kind, 'crash');
    assert.match(r.findings[0]!.message, /uncaught RangeError: planted asynchronous crash/);
    assert.ok(r.findings[0]!.input.includes(0x21));
  });

  test("the target's InputError refusals are not findings", async () => {
    const r = await toy('clean', { seconds: 2, stopOnFinding: false });
    assert.deepEqual(r.findings, []);
    assert.ok(r.execs > 100, `${r.execs} execs`);
  });
});

test('the mutator stays within the maximum length and changes its input', () => {
  let s = 1;
  const rnd = () => ((s = (s * 16807) % 2147483647) - 1) / 2147483646;
  const m = new Mutator(rnd, [Buffer.from('Package: ')], 64);
  const seed = Buffer.from('Package: bash\nVersion: 5.2\n');
  let changed = 0;
  for (let i = 0; i < 2000; i++) {
    const b = m.mutate(seed, Buffer.from('other entry'));
    assert.ok(b.length <= 64);
    if (!b.equals(seed)) changed++;
  }
  assert.ok(changed > 1800, `${changed} of 2000 changed`);
  assert.equal(seed.toString(), 'Package: bash\nVersion: 5.2\n', 'the corpus entry itself is never changed');
});
