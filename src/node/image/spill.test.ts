// Executables in tar layers (docker-archive, OCI, registry) stream to a
// temporary spill file instead of memory: for real Debian Go binaries and a
// script, the layer's kept summaries equal those of the whole-file path, the
// spill got every byte and was closed, and a layer cut inside an executable
// fails as truncated with its spill closed too.
import assert from 'node:assert/strict';
import { readFileSync, realpathSync } from 'node:fs';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { pack } from 'tar-stream';
import { isExecutableCandidate, reduceExecutable } from '../../core/analyzers/executable.js';
import { InputError } from '../../core/errors.js';
import { resolveLimits } from '../../core/image/limits.js';
import { scanTarLayer, SPILL_MIN, type ScanLayerOptions, type Spill } from '../../core/image/tar-layer.js';
import { tempSpill } from './spill.js';

const GO = ['/usr/bin/skopeo', '/usr/bin/umoci'].map((p) => realpathSync(p));

async function layerTar(files: Array<{ name: string; body: Buffer }>): Promise<Buffer> {
  const p = pack();
  for (const f of files) p.entry({ name: f.name, mode: 0o755, size: f.body.length }, f.body);
  p.finalize();
  const chunks: Buffer[] = [];
  for await (const c of p) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

function recording(): { spill: () => Spill; opened: number; closed: number; bytes: number; biggestWrite: number } {
  const r = {
    opened: 0,
    closed: 0,
    bytes: 0,
    biggestWrite: 0,
    spill: (): Spill => {
      const s = tempSpill();
      r.opened++;
      return {
        write: (c) => {
          r.bytes += c.length;
          r.biggestWrite = Math.max(r.biggestWrite, c.length);
          s.write(c);
        },
        source: () => s.source(),
        close: () => {
          r.closed++;
          s.close();
        },
      };
    },
  };
  return r;
}

/** A layer stream in 64 KiB chunks, as a file or a decompressor gives it. */
const chunked = (b: Buffer): Readable => Readable.from(Array.from({ length: Math.ceil(b.length / 65536) }, (_, i) => b.subarray(i * 65536, (i + 1) * 65536)));

const options = (spill?: () => Spill): ScanLayerOptions => ({
  where: 'test layer',
  layer: 0,
  limits: resolveLimits(),
  wants: (e) => isExecutableCandidate(e.path, e),
  reducer: () => reduceExecutable,
  ...(spill ? { spill } : {}),
});

test('tar layer executables: spilled and reduced in ranges, same summaries as buffered whole', async () => {
  const bodies = GO.map((p) => readFileSync(p));
  for (const b of bodies) assert.ok(b.length >= SPILL_MIN);
  const files = [
    ...GO.map((p, i) => ({ name: `usr/bin/go${i}`, body: bodies[i]! })),
    { name: 'usr/bin/script', body: Buffer.from('#!/bin/sh\n'.repeat(200_000)) },
  ];
  const tar = await layerTar(files);
  const whole = await scanTarLayer(chunked(tar), options());
  const rec = recording();
  const spilled = await scanTarLayer(chunked(tar), options(rec.spill));
  assert.deepEqual([...spilled.files.entries()], [...whole.files.entries()]);
  for (const p of ['/usr/bin/go0', '/usr/bin/go1']) assert.match(spilled.files.get(p)!.toString(), /"go":\{"goVersion":"go1\./, p);
  assert.equal(rec.opened, 3);
  assert.equal(rec.closed, 3);
  assert.equal(
    rec.bytes,
    files.reduce((n, f) => n + f.body.length, 0),
  );
  // Memory holds one chunk at a time, never the file.
  assert.ok(rec.biggestWrite <= 65536, `biggest chunk ${rec.biggestWrite}`);
});

test('tar layer cut inside a spilled executable: truncated, spill closed', async () => {
  const tar = await layerTar([{ name: 'usr/bin/go0', body: readFileSync(GO[0]!) }]);
  const rec = recording();
  await assert.rejects(
    scanTarLayer(chunked(tar.subarray(0, 3 * SPILL_MIN)), options(rec.spill)),
    (e: unknown) => e instanceof InputError && e.code === 'TAR_TRUNCATED',
  );
  assert.equal(rec.opened, 1);
  assert.equal(rec.closed, 1);
});
