// Analyzer.reduce through the image pipeline on real (gzip tar) layers: a
// claimed file is reduced once read when every analyzer claiming it shares
// the reducer, kept whole otherwise; the layer cache stores the reduced form;
// a Go binary in a lower layer replaced in an upper one is attributed to the
// upper layer.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { buildImage, type ImageSpec } from '../../../test/helpers/image-builder.js';
import gobinary from '../analyzers/modules/gobinary.js';
import rustBinary from '../analyzers/modules/rust-binary.js';
import type { Analyzer } from '../analyzers/types.js';
import { analyzeImage, MemoryLayerCache } from './analyze.js';
import type { Image, Layer } from './types.js';

async function memImage(spec: ImageSpec): Promise<Image> {
  const built = await buildImage(spec);
  const layers: Layer[] = built.layers.map((l, index) => ({
    ref: { index, digest: l.digest, diffId: l.diffId },
    size: l.size,
    open: async () => Readable.from([l.blob]),
  }));
  return { name: 'mem', type: 'oci', config: built.config as Image['config'], layers, close: async () => {} };
}

const goBin = (n: string): Buffer => gunzipSync(readFileSync(new URL(`../analyzers/testdata/trivy/go-binary/${n}.gz`, import.meta.url)));

test('reduce: executables are kept as summaries, layers attributed, the cache holds summaries', async () => {
  const old = goBin('test.elf');
  const next = goBin('main-version-via-ldflags.elf');
  const image = await memImage({
    layers: [
      {
        files: [
          { path: 'usr/local/bin/app', content: old, mode: 0o755 },
          { path: 'usr/local/bin/tool', content: old, mode: 0o755 },
        ],
      },
      { files: [{ path: 'usr/local/bin/app', content: next, mode: 0o755 }] },
    ],
  });
  const cache = new MemoryLayerCache();
  const seen: number[] = [];
  const probe: Analyzer = {
    id: 'probe',
    version: 1,
    kind: 'package',
    required: () => false,
    analyze: () => ({}),
  };
  const spy: Analyzer = { ...gobinary, analyze: (input) => (input.files.forEach((f) => seen.push(f.content.length)), gobinary.analyze(input)) };
  const a = await analyzeImage(image, [spy, rustBinary, probe], { layerCache: cache });
  const list = a.packages.map((p) => `${p.filePath}:${p.name}@${p.version}:L${p.layer?.index}`).sort();
  assert.deepEqual(list, [
    '/usr/local/bin/app:github.com/aquasecurity/test@v1.0.0:L1',
    '/usr/local/bin/app:stdlib@v1.22.1:L1',
    '/usr/local/bin/tool:github.com/aquasecurity/go-pep440-version@v0.0.0-20210121094942-22b2f8951d46:L0',
    '/usr/local/bin/tool:github.com/aquasecurity/go-version@v0.0.0-20210121072130-637058cfe492:L0',
    '/usr/local/bin/tool:github.com/aquasecurity/test@:L0',
    '/usr/local/bin/tool:golang.org/x/xerrors@v0.0.0-20200804184101-5ec99f83aff1:L0',
    '/usr/local/bin/tool:stdlib@v1.15.2:L0',
  ]);
  assert.ok(seen.length === 2 && seen.every((n) => n < 8192), `the analyzer saw summaries, not binaries: ${seen.join(', ')}`);
  // The cached layer scans hold the summaries (base64), not megabytes of binaries.
  const stored = JSON.stringify((cache as unknown as { map?: Map<string, unknown> }).map ?? [...Object.values(cache)]);
  assert.ok(stored.length < 200_000, `cache holds ${stored.length} bytes`);
  // A second run from the cache gives the same packages.
  const b = await analyzeImage(image, [spy, rustBinary, probe], { layerCache: cache });
  assert.deepEqual(b.packages.map((p) => `${p.filePath}:${p.name}@${p.version}:L${p.layer?.index}`).sort(), list);
});

test('reduce: a file also claimed by an analyzer without the same reducer is kept whole', async () => {
  const bin = goBin('goexperiment');
  const image = await memImage({ layers: [{ files: [{ path: 'bin/x', content: bin, mode: 0o755 }] }] });
  let size = 0;
  const whole: Analyzer = {
    id: 'whole',
    version: 1,
    kind: 'package',
    required: (p) => p === '/bin/x',
    analyze: (input) => {
      size = input.files[0]?.content.length ?? 0;
      return {};
    },
  };
  const a = await analyzeImage(image, [gobinary, whole]);
  assert.equal(size, bin.length);
  // gobinary reads the whole binary just as well.
  assert.deepEqual(
    a.packages.map((p) => `${p.name}@${p.version}`),
    ['stdlib@v1.22.1'],
  );
});
