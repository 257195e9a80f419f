// Integration: all default analyzers through the real image pipeline
// (analyzeImage over `rootfs:`) on a debootstrap'ed Debian root, compared
// with what dpkg-query itself says about that root.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { defaultAnalyzers } from './index.js';
import { analyzeImage } from '../../core/image/analyze.js';
import { openImage } from '../image/open.js';
import { nodeAnalyzerContext } from './context.js';

const root = process.env.VIGIL_TEST_DEBIAN_ROOTFS ?? '/var/cache/vigil-ci/bookworm-minbase';
// CI (root) builds the rootfs: there the test must run and fail if it is missing.
const skip = !existsSync(`${root}/var/lib/dpkg/status`) && process.getuid?.() !== 0 ? `no Debian rootfs at ${root} (set VIGIL_TEST_DEBIAN_ROOTFS)` : false;

test('debootstrap rootfs: the same packages, versions and sources as dpkg-query', { skip }, async () => {
  const out = execFileSync(
    'dpkg-query',
    [`--admindir=${root}/var/lib/dpkg`, '-W', '-f', '${db:Status-Abbrev}\t${Package}\t${Version}\t${source:Package}\t${source:Version}\n'],
    { encoding: 'utf8' },
  );
  const expected = out
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('ii'))
    .map((l) => l.split('\t').slice(1).join('\t'))
    .sort();
  const image = await openImage(`rootfs:${root}`);
  try {
    const t0 = performance.now();
    const analysis = await analyzeImage(image, await defaultAnalyzers(), { ctx: nodeAnalyzerContext() });
    const ms = performance.now() - t0;
    const got = analysis.packages.map((p) => [p.name, p.version, p.sourceName, p.sourceVersion].join('\t')).sort();
    assert.deepEqual(got, expected);
    assert.equal(analysis.os?.family, 'debian');
    assert.match(analysis.os?.version ?? '', /^12\.\d+$/);
    assert.equal(analysis.os?.distroless, undefined);
    for (const p of analysis.packages) {
      assert.equal(p.type, 'deb');
      assert.equal(p.layer?.digest, image.layers[0]!.ref.digest, p.name);
      assert.ok(p.files && p.files.length > 0, `${p.name} owns files`);
    }
    const bash = analysis.packages.find((p) => p.name === 'bash')!;
    assert.ok(bash.files!.includes('/bin/bash'));
    assert.ok(bash.licenses?.includes('GPL-3+'));
    // Real directories of the image are not owned files.
    assert.ok(!analysis.packages.some((p) => p.files!.includes('/usr/bin')));
    console.log(`# analyzed ${analysis.packages.length} packages of ${root} in ${ms.toFixed(0)} ms`);
  } finally {
    await image.close();
  }
});
