// The npm, yarn and pnpm analyzers together over a real image (a yarn 1
// install of the fixture project, src/core/analyzers/testdata/js): the npm
// analyzer sees the installed package.json files, the yarn analyzer the same
// files plus yarn.lock; the scan keeps one package per name@version with the
// lockfile's relationship, dev flag and edges.
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { buildImage } from '../../../test/helpers/image-builder.js';
import { INSTALLED, describe, fixtureLayer } from '../analyzers/js-lock-fixtures.test.js';
import npm from '../analyzers/modules/npm.js';
import pnpm from '../analyzers/modules/pnpm.js';
import yarn from '../analyzers/modules/yarn.js';
import { analyzeImage } from './analyze.js';
import type { Image, Layer } from './types.js';

for (const tool of ['yarn1', 'pnpm']) {
  test(`analyzeImage: npm + yarn + pnpm analyzers over a real ${tool} install give one package per name@version`, async () => {
    const files = Object.entries(fixtureLayer(tool, 'app')).map(([path, content]) => ({ path, content: content as Buffer }));
    const built = await buildImage({ layers: [{ files, createdBy: 'COPY . /app' }] });
    const layers: Layer[] = built.layers.map((l, index) => ({
      ref: { index, digest: l.digest, diffId: l.diffId },
      size: l.size,
      open: async () => Readable.from([l.blob]),
    }));
    const img: Image = { name: 'mem', type: 'oci', config: built.config as Image['config'], layers, close: async () => {} };
    const r = await analyzeImage(img, [npm, pnpm, yarn]);
    const want = tool === 'pnpm' ? INSTALLED.map((l) => (l.startsWith('is-number@7.0.0') ? 'is-number@7.0.0 optional direct []' : l)) : INSTALLED;
    assert.deepEqual(describe(r.packages), want);
    assert.ok(r.packages.every((p) => p.layer?.digest === built.layers[0]!.digest));
  });
}
