// The pipeline on images built by the test helpers (real tar/gzip layers,
// real configs), with small test-local analyzers.
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { buildImage, truncate, type ImageSpec } from '../../../test/helpers/image-builder.js';
import type { Analyzer, AnalyzerInput } from '../analyzers/types.js';
import { InputError } from '../errors.js';
import { analyzeImage, MemoryLayerCache, type AnalyzeProgress } from './analyze.js';
import type { Image, Layer } from './types.js';

async function memImage(spec: ImageSpec, delays: number[] = []): Promise<Image> {
  const built = await buildImage(spec);
  const history = (built.config.history as Array<{ created_by?: string; empty_layer?: boolean }>).filter((h) => !h.empty_layer);
  const layers: Layer[] = built.layers.map((l, index) => ({
    ref: { index, digest: l.digest, diffId: l.diffId, createdBy: history[index]!.created_by! },
    size: l.size,
    open: async () => {
      if (delays[index]) await new Promise((r) => setTimeout(r, delays[index]));
      return Readable.from([l.blob]);
    },
  }));
  return { name: 'mem', type: 'oci', config: built.config as Image['config'], layers, close: async () => {} };
}

const osAnalyzer: Analyzer = {
  id: 'test-os',
  version: 1,
  kind: 'os',
  required: (p) => p === '/etc/os-release' || p === '/usr/lib/os-release',
  analyze(input) {
    const f = input.files.find((x) => x.path === '/etc/os-release') ?? input.files.find((x) => x.path === '/usr/lib/os-release');
    if (!f) return {};
    const id = /^ID=(.*)$/m.exec(f.content.toString())?.[1] ?? 'unknown';
    return { os: { family: id, version: '1' } };
  },
};

/** Lines `name version` of /var/lib/pkgs, attributed to the first layer where that line appeared. */
function pkgAnalyzer(seen: { input?: AnalyzerInput } = {}): Analyzer {
  return {
    id: 'test-pkgs',
    version: 1,
    kind: 'package',
    required: (p) => p === '/var/lib/pkgs' || p.endsWith('/package.json'),
    analyze(input) {
      seen.input = input;
      assert.ok(input.os, 'package analyzers see the os');
      const out = [];
      const f = input.files.find((x) => x.path === '/var/lib/pkgs');
      for (const line of f ? f.content.toString().trim().split('\n') : []) {
        const [name, version] = line.split(' ');
        const first = input.versions('/var/lib/pkgs').find((v) => v.content.toString().split('\n').includes(line));
        out.push({ type: 'deb' as const, name: name!, version: version!, layer: { index: first!.entry.layer, digest: '' } });
      }
      for (const pj of input.files.filter((x) => x.path.endsWith('/package.json'))) {
        const j = JSON.parse(pj.content.toString()) as { name: string; version: string };
        out.push({ type: 'npm' as const, name: j.name, version: j.version, filePath: pj.path });
      }
      return { packages: out };
    },
  };
}

const base = {
  files: [
    { path: 'etc/os-release', type: 'symlink' as const, linkname: '../usr/lib/os-release' },
    { path: 'usr/lib/os-release', content: 'ID=debian\n' },
    { path: 'var/lib/pkgs', content: 'libc 2.36\n' },
  ],
  createdBy: 'ADD base',
};
const spec: ImageSpec = {
  layers: [
    base,
    {
      files: [
        { path: 'var/lib/pkgs', content: 'libc 2.36\ncurl 7.88\n' },
        { path: 'app/node_modules/x/package.json', content: '{"name":"x","version":"1.0.0"}' },
      ],
      createdBy: 'RUN apt-get install curl',
    },
    { files: [{ path: 'var/lib/.wh.pkgs' }], createdBy: 'RUN rm pkgs' },
    { files: [{ path: 'var/lib/pkgs', content: 'libc 2.36\ncurl 8.0\n' }], createdBy: 'RUN reinstall' },
  ],
};

describe('analyzeImage', () => {
  it('runs os analyzers first, then package analyzers, and attributes packages to layers', async () => {
    const img = await memImage(spec);
    const seen: { input?: AnalyzerInput } = {};
    const r = await analyzeImage(img, [pkgAnalyzer(seen), osAnalyzer]);
    assert.deepEqual(r.os, { family: 'debian', version: '1' }, 'os from /etc/os-release through its symlink');
    const byName = new Map(r.packages.map((p) => [p.name, p]));
    // The file was deleted in layer 2, so history restarts at layer 3.
    assert.equal(byName.get('libc')?.layer?.index, 3);
    assert.equal(byName.get('libc')?.layer?.createdBy, 'RUN reinstall');
    assert.equal(byName.get('libc')?.layer?.digest, img.layers[3]!.ref.digest);
    assert.equal(byName.get('x')?.layer?.index, 1, 'from the layer of filePath');
    assert.equal(byName.get('x')?.layer?.diffId, img.layers[1]!.ref.diffId);
    assert.deepEqual(
      seen.input!.versions('/var/lib/pkgs').map((v) => v.entry.layer),
      [3],
    );
    assert.deepEqual(
      r.layers.map((l) => l.createdBy),
      ['ADD base', 'RUN apt-get install curl', 'RUN rm pkgs', 'RUN reinstall'],
    );
  });

  it('keeps every version of a required file, bottom layer first', async () => {
    const img = await memImage({ layers: spec.layers.slice(0, 2) });
    const seen: { input?: AnalyzerInput } = {};
    const r = await analyzeImage(img, [osAnalyzer, pkgAnalyzer(seen)]);
    assert.deepEqual(
      seen.input!.versions('/var/lib/pkgs').map((v) => v.entry.layer),
      [0, 1],
    );
    assert.equal(r.packages.find((p) => p.name === 'libc')?.layer?.index, 0);
    assert.equal(r.packages.find((p) => p.name === 'curl')?.layer?.index, 1);
  });

  it('merges layers in order even when a lower layer finishes last', async () => {
    const img = await memImage(spec, [80, 0, 0, 0]);
    const r = await analyzeImage(img, [osAnalyzer, pkgAnalyzer()]);
    assert.equal(r.packages.find((p) => p.name === 'curl')?.version, '8.0');
    assert.equal(r.tree.get('/var/lib/pkgs')?.layer, 3);
  });

  it('reuses cached layer scans for images that share a base layer', async () => {
    const cache = new MemoryLayerCache();
    const a = await memImage(spec);
    const first = await analyzeImage(a, [osAnalyzer, pkgAnalyzer()], { layerCache: cache });
    assert.equal(cache.hits, 0);
    assert.equal(cache.size, 4);
    const b = await memImage({ layers: [base, { files: [{ path: 'srv/other', content: 'o' }] }] });
    const second = await analyzeImage(b, [osAnalyzer, pkgAnalyzer()], { layerCache: cache });
    assert.equal(cache.hits, 1, 'the shared base layer came from the cache');
    assert.equal(second.os?.family, 'debian');
    assert.deepEqual(
      second.packages.map((p) => `${p.name}@${p.layer?.index}`),
      ['libc@0'],
    );
    // A cached run gives the same result as an uncached one.
    const again = await analyzeImage(await memImage(spec), [osAnalyzer, pkgAnalyzer()], { layerCache: cache });
    assert.deepEqual(again.packages, first.packages);
    assert.deepEqual([...again.tree.entries()], [...first.tree.entries()]);
    // Another analyzer version is another key.
    await analyzeImage(await memImage(spec), [{ ...osAnalyzer, version: 2 }, pkgAnalyzer()], { layerCache: cache });
    assert.equal(cache.size, 9, '4 + 1 (second image) + 4 (new analyzer version)');
  });

  it('reports progress up to the total size', async () => {
    const img = await memImage(spec);
    const events: AnalyzeProgress[] = [];
    await analyzeImage(img, [osAnalyzer, pkgAnalyzer()], { onProgress: (p) => events.push(p) });
    const last = events.at(-1)!;
    assert.equal(last.done, true);
    assert.equal(last.layers, 4);
    assert.equal(last.bytes, last.totalBytes);
    assert.equal(
      last.totalBytes,
      img.layers.reduce((s, l) => s + l.size!, 0),
    );
  });

  it('gives a required hard link the bytes of its target', async () => {
    const img = await memImage({
      layers: [
        {
          files: [
            { path: 'var/lib/pkgs', content: 'a 1\n' },
            { path: 'etc/os-release', type: 'hardlink', linkname: 'var/lib/pkgs' },
          ],
        },
      ],
    });
    const seen: { input?: AnalyzerInput } = {};
    const r = await analyzeImage(img, [
      {
        ...osAnalyzer,
        required: (p) => p === '/etc/os-release' || p === '/var/lib/pkgs',
        analyze: (i) => {
          seen.input = i;
          return {};
        },
      },
    ]);
    assert.equal(seen.input!.files.find((f) => f.path === '/etc/os-release')?.content.toString(), 'a 1\n');
    assert.equal(r.tree.get('/etc/os-release')?.size, 4);
  });

  it('fails with the layer named when one layer is broken, without hanging', async () => {
    const img = await memImage(spec);
    const broken = (await buildImage(spec)).layers[2]!.blob;
    img.layers[2]!.open = async () => Readable.from([truncate(broken, -30)]);
    const e = await analyzeImage(img, [osAnalyzer]).then(
      () => undefined,
      (x: unknown) => x,
    );
    assert.ok(e instanceof InputError, String(e));
    assert.equal(e.code, 'LAYER_TRUNCATED');
    assert.match(e.message, /mem layer 2 \(sha256:[0-9a-f]{12}\)/);
  });

  it("stops the other layer being read when one fails, and honours the caller's abort", async () => {
    const img = await memImage(spec);
    let endless: Readable | undefined;
    img.layers[0]!.open = async () => Readable.from([Buffer.from('not a tar '.repeat(100))]);
    img.layers[1]!.open = async () => (endless = new Readable({ read() {} }));
    await assert.rejects(analyzeImage(img, [osAnalyzer]), (e: unknown) => e instanceof InputError && e.code === 'TAR_INVALID');
    assert.ok(endless?.destroyed, 'the in-flight layer stream was destroyed');
    const ac = new AbortController();
    const img2 = await memImage(spec);
    img2.layers[0]!.open = async () => new Readable({ read() {} });
    const p = analyzeImage(img2, [osAnalyzer], { signal: ac.signal });
    setTimeout(() => ac.abort(), 20);
    await assert.rejects(p, (e: unknown) => e instanceof InputError && e.code === 'ABORTED');
  });

  it('refuses more layers than the limit', async () => {
    const img = await memImage(spec);
    await assert.rejects(analyzeImage(img, [], { limits: { maxLayers: 3 } }), (e: unknown) => e instanceof InputError && e.code === 'LIMIT_LAYERS');
  });
});

describe('LayerCache values', () => {
  it('treats a malformed cached scan as a miss', async () => {
    const cache = new MemoryLayerCache();
    const img = await memImage(spec);
    await analyzeImage(img, [osAnalyzer, pkgAnalyzer()], { layerCache: cache });
    // Corrupt every stored value in a different way; the next run must read the layers again and still be right.
    const bad: unknown[] = [
      { format: 1, entries: [{ path: 5 }], files: {} },
      { format: 99, entries: [], files: {} },
      'junk',
      { format: 1, entries: [], files: { '/x': 7 } },
    ];
    const keys = [...(cache as unknown as { map: Map<string, string> }).map.keys()];
    keys.forEach((k, i) => (cache as unknown as { map: Map<string, string> }).map.set(k, JSON.stringify(bad[i % bad.length])));
    const r = await analyzeImage(await memImage(spec), [osAnalyzer, pkgAnalyzer()], { layerCache: cache });
    assert.equal(r.packages.find((p) => p.name === 'curl')?.version, '8.0');
  });
});
