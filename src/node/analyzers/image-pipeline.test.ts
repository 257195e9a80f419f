// Integration: the OS and package analyzers through the real image pipeline
// (analyzeImage over docker-archive files built by test/helpers), so layer
// attribution, symlinks and whiteouts come from real tar layers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError } from '../../core/errors.js';
import { defaultAnalyzers } from './index.js';
import { analyzeImage } from '../../core/image/analyze.js';
import type { HarnessEntry } from '../../core/analyzers/test-harness.js';
import { openImage } from '../image/open.js';
import { writeDockerArchive, type FileSpec, type LayerSpec } from '../../../test/helpers/image-builder.js';
import { nodeAnalyzerContext } from './context.js';
import { loadFixtureLayer } from './fixture-layer.test-helpers.js';

const testdata = fileURLToPath(new URL('../../core/analyzers/testdata/', import.meta.url));

/** A fixture directory as tar layer files (symlinks kept). */
function layerFiles(dir: string): FileSpec[] {
  return Object.entries(loadFixtureLayer(dir)).map(([path, v]: [string, HarnessEntry]) => {
    if (typeof v === 'object' && !Buffer.isBuffer(v) && 'symlink' in v) return { path: path.slice(1), type: 'symlink' as const, linkname: v.symlink };
    return { path: path.slice(1), content: v as Buffer };
  });
}

async function analyze(layers: LayerSpec[]) {
  const dir = await mkdtemp(join(tmpdir(), 'vigil-analyzers-'));
  try {
    const file = join(dir, 'image.tar');
    const built = await writeDockerArchive(file, { layers, repoTags: ['vigil/test:1'] });
    const image = await openImage(`docker-archive:${file}`);
    try {
      return { built, analysis: await analyzeImage(image, await defaultAnalyzers(), { ctx: nodeAnalyzerContext() }) };
    } finally {
      await image.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('Debian image: packages attributed to the layers that installed or upgraded them', async () => {
  const status = readFileSync(`${testdata}dpkg/debian/var/lib/dpkg/status`, 'utf8');
  const upgraded = status.replace('Version: 5.2.15-2+b13', 'Version: 5.2.15-2+b14');
  const { built, analysis } = await analyze([
    { files: layerFiles(`${testdata}dpkg/debian`), createdBy: 'debootstrap' },
    { files: [{ path: 'var/lib/dpkg/status', content: upgraded }], createdBy: 'RUN apt-get install --only-upgrade bash' },
    { files: [{ path: 'app/server', content: 'x' }, { path: 'usr/share/doc/zlib1g/.wh.copyright' }], createdBy: 'COPY server /app/' },
  ]);
  assert.deepEqual(analysis.os, { family: 'debian', version: '12.15', name: 'Debian GNU/Linux 12 (bookworm)', codename: 'bookworm' });
  const pkg = (name: string) => analysis.packages.find((p) => p.name === name)!;
  assert.equal(pkg('bash').version, '5.2.15-2+b14');
  assert.equal(pkg('bash').layer?.digest, built.layers[1]!.digest);
  assert.equal(pkg('bash').layer?.createdBy, 'RUN apt-get install --only-upgrade bash');
  assert.equal(pkg('coreutils').layer?.digest, built.layers[0]!.digest);
  assert.ok(pkg('bash').licenses?.includes('GPL-3+'));
  assert.equal(pkg('zlib1g').licenses, undefined, 'its copyright file was deleted by a whiteout');
  assert.ok(pkg('libc6').files!.includes('/lib/x86_64-linux-gnu/libc.so.6'));
});

test('Alpine and rpm images through the pipeline', async () => {
  const alpine = await analyze([{ files: layerFiles(`${testdata}apk`) }]);
  assert.deepEqual([alpine.analysis.os?.family, alpine.analysis.os?.version], ['alpine', '3.19.1']);
  assert.equal(alpine.analysis.packages.length, 5);
  const rpm = await analyze([
    { files: [{ path: 'etc/redhat-release', content: 'Red Hat Enterprise Linux release 9.3 (Plow)\n' }] },
    { files: [{ path: 'var/lib/rpm/rpmdb.sqlite', content: readFileSync(`${testdata}rpm/sqlite/rpmdb.sqlite`) }] },
  ]);
  assert.deepEqual([rpm.analysis.os?.family, rpm.analysis.os?.version], ['rhel', '9.3']);
  assert.deepEqual(rpm.analysis.packages.map((p) => p.name).sort(), ['libvigil', 'vigil-epoch', 'vigil-hello', 'vigil-tools']);
  assert.ok(rpm.analysis.packages.every((p) => p.layer?.digest === rpm.built.layers[1]!.digest));
  const bdb = await analyze([{ files: [{ path: 'var/lib/rpm/Packages', content: readFileSync(`${testdata}rpm/bdb/Packages`) }] }]);
  assert.equal(bdb.analysis.packages.length, 4);
});

test('distroless image: Debian from status.d, packages and files from status.d and md5sums', async () => {
  const { analysis } = await analyze([{ files: layerFiles(`${testdata}dpkg/distroless`) }]);
  assert.deepEqual(analysis.os, { family: 'debian', version: '12', distroless: true });
  assert.deepEqual(
    analysis.packages.map((p) => `${p.name}=${p.version}`),
    ['base-files=12.4+deb12u15', 'libc6=2.36-9+deb12u14', 'zlib1g=1:1.2.13.dfsg-1'],
  );
  assert.ok(analysis.packages[2]!.files!.includes('/lib/x86_64-linux-gnu/libz.so.1.2.13'));
});

test('a corrupt package database in the image fails the analysis with an InputError naming the file', async () => {
  await assert.rejects(
    analyze([{ files: [{ path: 'var/lib/dpkg/status', content: 'Package: a\nStatus: install ok installed\n\n' }] }]),
    (e: unknown) => e instanceof InputError && e.code === 'DPKG_MISSING_FIELD' && e.message.startsWith('/var/lib/dpkg/status:1: '),
  );
  const rpm = readFileSync(`${testdata}rpm/bdb/Packages`);
  await assert.rejects(
    analyze([{ files: [{ path: 'var/lib/rpm/Packages', content: rpm.subarray(0, 3 * 4096) }] }]),
    (e: unknown) => e instanceof InputError && e.code === 'BDB_TRUNCATED' && e.message.startsWith('/var/lib/rpm/Packages: '),
  );
});
