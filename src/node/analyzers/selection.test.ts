// `--analyzers`: the names it accepts, the analyzers each selection runs, and
// that an analyzer left out reads nothing (its files are neither read nor
// reduced while the rootfs is walked), on a root with real Debian files, a
// real Go binary of the machine, an npm package and a Python distribution.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { analyzeImage } from '../../core/image/analyze.js';
import type { Image, LayerEntry } from '../../core/image/types.js';
import { openImage } from '../image/open.js';
import { nodeAnalyzerContext } from './context.js';
import { analyzerIndex, analyzerNames, defaultAnalyzers, selectedAnalyzers } from './index.js';

const debian = process.env.VIGIL_TEST_DEBIAN_ROOTFS ?? '/var/cache/vigil-ci/bookworm-minbase';
const GO_BINARY = ['/usr/bin/umoci', '/usr/bin/skopeo', '/usr/bin/ctr'].find((p) => existsSync(p));
const skip = !existsSync(join(debian, 'var/lib/dpkg/status')) ? `no Debian rootfs at ${debian} (set VIGIL_TEST_DEBIAN_ROOTFS)` : false;
const repo = new URL('../../../', import.meta.url).pathname;

const ids = async (names: string[]) => (await selectedAnalyzers(names)).map((a) => a.id);

test('--analyzers names: the groups and every analyzer of the index', async () => {
  const index = (await analyzerIndex()).all().map((a) => a.id);
  assert.deepEqual(analyzerNames(), ['os', 'library', ...index]);
  assert.deepEqual(await ids(['os']), ['os-release', 'apk', 'dpkg', 'rpm']);
  const library = await ids(['library']);
  assert.deepEqual(library.sort(), index.filter((id) => !['os-release', 'apk', 'dpkg', 'rpm'].includes(id)).sort());
  assert.deepEqual(await ids(['gobinary', 'os']), ['os-release', 'apk', 'dpkg', 'gobinary', 'rpm']);
  // Ids alone load only their modules, in scan order, the same objects as the index's.
  assert.deepEqual(await ids(['npm', 'dpkg', 'npm', 'os-release']), ['os-release', 'dpkg', 'npm']);
  assert.equal((await selectedAnalyzers(['java']))[0], (await analyzerIndex()).get('java'));
  assert.deepEqual(
    await ids(['os', 'library']),
    (await defaultAnalyzers()).map((a) => a.id),
  );
});

/** The rootfs image with every file read (whole or in ranges) recorded. */
function recordingReads(image: Image, reads: Set<string>): Image {
  for (const layer of image.layers) {
    const entries = layer.entries!.bind(layer);
    const wrap = (e: LayerEntry): LayerEntry => ({
      ...e,
      read: () => (reads.add(e.entry.path), e.read()),
      ...(e.readRanges
        ? { readRanges: <T>(fn: Parameters<NonNullable<LayerEntry['readRanges']>>[0]) => (reads.add(e.entry.path), e.readRanges!(fn) as Promise<T>) }
        : {}),
    });
    layer.entries = async function* () {
      for await (const x of entries() as AsyncIterable<LayerEntry | readonly LayerEntry[]>) yield Array.isArray(x) ? x.map(wrap) : wrap(x as LayerEntry);
    };
  }
  return image;
}

test('an analyzer left out reads nothing: its files are not read while the root is walked', { skip }, async () => {
  const root = mkdtempSync(join(tmpdir(), 'vigil-select-'));
  try {
    const put = (to: string, from?: string, text?: string): void => {
      mkdirSync(dirname(join(root, to)), { recursive: true });
      if (from) copyFileSync(from, join(root, to));
      else writeFileSync(join(root, to), text!);
    };
    put('etc/os-release', join(debian, 'usr/lib/os-release'));
    put('var/lib/dpkg/status', join(debian, 'var/lib/dpkg/status'));
    put('app/node_modules/left-pad/package.json', undefined, JSON.stringify({ name: 'left-pad', version: '1.3.0', license: 'WTFPL' }));
    put('opt/venv/lib/python3.11/site-packages/six-1.16.0.dist-info/METADATA', undefined, 'Metadata-Version: 2.1\nName: six\nVersion: 1.16.0\nLicense: MIT\n');
    if (GO_BINARY) put('usr/local/bin/app', GO_BINARY);
    const npm = '/app/node_modules/left-pad/package.json';
    const py = '/opt/venv/lib/python3.11/site-packages/six-1.16.0.dist-info/METADATA';

    const scan = async (names?: string[]) => {
      const reads = new Set<string>();
      const image = recordingReads(await openImage(`rootfs:${root}`), reads);
      try {
        const analyzers = names ? await selectedAnalyzers(names) : await defaultAnalyzers();
        const a = await analyzeImage(image, analyzers, { ctx: nodeAnalyzerContext() });
        return { reads, types: [...new Set(a.packages.map((p) => p.type))].sort(), os: a.os?.family };
      } finally {
        await image.close();
      }
    };

    const all = await scan();
    assert.ok(all.reads.has(npm) && all.reads.has(py), [...all.reads].join(' '));
    assert.deepEqual(all.types, GO_BINARY ? ['deb', 'golang', 'npm', 'pypi'] : ['deb', 'npm', 'pypi']);

    const os = await scan(['os']);
    assert.deepEqual([...os.reads].sort(), ['/etc/os-release', '/var/lib/dpkg/status']);
    assert.deepEqual(os.types, ['deb']);
    assert.equal(os.os, 'debian');

    const npmOnly = await scan(['npm']);
    assert.deepEqual([...npmOnly.reads], [npm]);
    assert.deepEqual(npmOnly.types, ['npm']);
    assert.equal(npmOnly.os, undefined);

    if (GO_BINARY) {
      const osGo = await scan(['os', 'gobinary']);
      assert.deepEqual([...osGo.reads].sort(), ['/etc/os-release', '/usr/local/bin/app', '/var/lib/dpkg/status']);
      assert.deepEqual(osGo.types, ['deb', 'golang']);
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('vigil sbom --analyzers: an unknown or empty list is a one-line usage error; a selection lists only its packages', { skip }, () => {
  const vigil = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', join(repo, 'src/cli/main.ts'), ...args], { encoding: 'utf8' });
  for (const [list, msg] of [
    ['os,pip', /^vigil: --analyzers: unknown analyzer pip \(one of os, library, apk, .*\)\n$/],
    [' , ', /^vigil: --analyzers: empty list \(one or more of os, library, .*\)\n$/],
  ] as const) {
    const r = vigil('sbom', '--analyzers', list, `rootfs:${debian}`);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, msg);
    assert.equal(r.stdout, '');
  }
  const r = vigil('sbom', '--format', 'json', '--analyzers', 'OS', `rootfs:${debian}`);
  assert.equal(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout) as { packages: Array<{ type: string }>; artifact: { os?: { family: string } } };
  assert.ok(report.packages.length > 50 && report.packages.every((p) => p.type === 'deb'));
  assert.equal(report.artifact.os?.family, 'debian');
  const lib = vigil('sbom', '--format', 'json', '--analyzers', 'library', `rootfs:${debian}`);
  assert.equal(lib.status, 0, lib.stderr);
  const libReport = JSON.parse(lib.stdout) as { packages: Array<{ type: string }>; artifact: { os?: unknown } };
  assert.ok(libReport.packages.every((p) => p.type !== 'deb'));
  assert.equal(libReport.artifact.os, undefined);
});
