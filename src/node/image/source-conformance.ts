// The conformance suite every image source passes (docker-archive, oci,
// oci-archive, rootfs, registry). Call `describeImageSource` from a test file
// with a function that opens the source and what to expect; the standard
// image (`CONFORMANCE_LAYERS`, plain data: build it with
// test/helpers/image-builder.ts, push it with skopeo...) comes with its
// expectation (`conformanceExpectation()`). Checks: config read, layer count
// and refs, entries of each layer, whiteouts applied in the squashed tree,
// digests verified, close() releases files.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { Analyzer } from '../../core/analyzers/types.js';
import { InputError } from '../../core/errors.js';
import { analyzeImage } from '../../core/image/analyze.js';
import { resolveLimits } from '../../core/image/limits.js';
import { scanLayerEntries, scanTarLayer } from '../../core/image/tar-layer.js';
import type { Image, ImageSourceType } from '../../core/image/types.js';

/** A file of a conformance layer (the shape of test/helpers/image-builder.ts FileSpec). */
export interface ConformanceFile {
  path: string;
  type?: 'file' | 'dir' | 'symlink' | 'hardlink';
  content?: string;
  mode?: number;
  linkname?: string;
}

export interface ConformanceLayer {
  files: ConformanceFile[];
  createdBy: string;
  emptyBefore?: string[];
}

/** The standard image: three layers with overwrites, a file whiteout, an opaque directory, links and a symlink loop. */
export const CONFORMANCE_LAYERS: ConformanceLayer[] = [
  {
    createdBy: 'ADD rootfs.tar /',
    files: [
      { path: 'etc', type: 'dir' },
      { path: 'etc/os-release', content: 'ID=vigil\nVERSION_ID=1.0\n' },
      { path: 'etc/passwd', content: 'root:x:0:0:root:/root:/bin/sh\n' },
      { path: 'etc/old.conf', content: 'old\n' },
      { path: 'opt/app/a.txt', content: 'a\n' },
      { path: 'opt/app/sub/deep.txt', content: 'deep\n' },
      { path: 'usr/lib/libx.so', content: 'libx\n' },
      { path: 'bin/sh', content: '#!shell\n', mode: 0o755 },
      { path: 'bin/sh-hard', type: 'hardlink', linkname: 'bin/sh' },
      { path: 'usr/bin/su', content: 'su\n', mode: 0o4755 },
    ],
  },
  {
    createdBy: 'RUN rm /etc/old.conf && rm -rf /opt/app/* && adduser app',
    emptyBefore: ['ENV APP=1'],
    files: [
      { path: 'etc/.wh.old.conf' },
      { path: 'opt/app/.wh..wh..opq' },
      { path: 'opt/app/new.txt', content: 'new\n' },
      { path: 'etc/passwd', content: 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n' },
      { path: 'lib', type: 'symlink', linkname: 'usr/lib' },
    ],
  },
  {
    createdBy: 'COPY app.conf /etc/app.conf',
    files: [
      { path: 'etc/app.conf', content: 'conf\n' },
      { path: 'tmp/loop1', type: 'symlink', linkname: 'loop2' },
      { path: 'tmp/loop2', type: 'symlink', linkname: '/tmp/loop1' },
      { path: 'etc/escape', type: 'symlink', linkname: '../../../../etc/app.conf' },
    ],
  },
];

export interface ExpectedFile {
  /** Content in the squashed view; `null` = must not exist. */
  content: string | null;
  /** Layer index the final version comes from. */
  layer?: number;
}

export interface SourceExpectation {
  type?: ImageSourceType;
  layers: number;
  /** Squashed-view expectations by absolute path (followed through symlinks with tree.resolve). */
  files: Record<string, ExpectedFile>;
  /** Paths each layer must contain (whiteouts given as the deleted path with a `!` prefix, e.g. `!/etc/old.conf`). */
  layerEntries?: string[][];
  /** created_by per layer (history with empty layers skipped). */
  createdBy?: Array<string | undefined>;
  configDigest?: string;
  digest?: string;
  diffIds?: string[];
  platform?: { os: string; architecture: string };
  /** Paths that must resolve to nothing (symlink loops). */
  unresolvable?: string[];
  /** Opens a copy whose blob content does not match its digest: reading must fail with IMAGE_DIGEST_MISMATCH. */
  openTampered?: () => Promise<Image>;
  /** Set false for sources that hold no files open (registry). */
  checkFds?: boolean;
}

/** What the standard image must look like through any source that keeps its layers. */
export function conformanceExpectation(): SourceExpectation {
  return {
    layers: 3,
    files: {
      '/etc/os-release': { content: 'ID=vigil\nVERSION_ID=1.0\n', layer: 0 },
      '/etc/passwd': { content: 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n', layer: 1 },
      '/etc/old.conf': { content: null },
      '/opt/app/a.txt': { content: null },
      '/opt/app/sub/deep.txt': { content: null },
      '/opt/app/new.txt': { content: 'new\n', layer: 1 },
      '/lib/libx.so': { content: 'libx\n', layer: 0 },
      '/etc/app.conf': { content: 'conf\n', layer: 2 },
      '/etc/escape': { content: 'conf\n', layer: 2 },
      '/bin/sh': { content: '#!shell\n', layer: 0 },
    },
    layerEntries: [
      ['/etc/os-release', '/etc/passwd', '/etc/old.conf', '/opt/app/a.txt', '/usr/lib/libx.so', '/bin/sh-hard'],
      ['!/etc/old.conf', '/opt/app/new.txt', '/etc/passwd', '/lib'],
      ['/etc/app.conf', '/tmp/loop1', '/tmp/loop2'],
    ],
    createdBy: CONFORMANCE_LAYERS.map((l) => l.createdBy),
    unresolvable: ['/tmp/loop1', '/tmp/loop2/x'],
    platform: { os: 'linux', architecture: 'amd64' },
  };
}

function openFds(): number | undefined {
  try {
    return readdirSync('/proc/self/fd').length;
  } catch {
    return undefined;
  }
}

/** An analyzer that claims the expected paths and returns nothing; its input is kept for assertions. */
function recordingAnalyzer(paths: string[]): Analyzer & { seen?: Map<string, { content: string; layer: number }> } {
  const want = new Set(paths);
  const a: Analyzer & { seen?: Map<string, { content: string; layer: number }> } = {
    id: 'conformance-recorder',
    version: 1,
    kind: 'package',
    required: (p) => want.has(p),
    analyze(input) {
      a.seen = new Map(input.files.map((f) => [f.path, { content: f.content.toString('utf8'), layer: f.entry.layer }]));
      return {};
    },
  };
  return a;
}

export function describeImageSource(name: string, open: () => Promise<Image>, expect: SourceExpectation): void {
  describe(`image source conformance: ${name}`, () => {
    it('reads the config', async () => {
      const img = await open();
      try {
        if (expect.type) assert.equal(img.type, expect.type);
        assert.equal(typeof img.config, 'object');
        if (expect.platform) {
          assert.equal(img.config.os, expect.platform.os);
          assert.equal(img.config.architecture, expect.platform.architecture);
        }
        if (img.type !== 'rootfs') assert.equal(img.config.rootfs?.diff_ids.length, img.layers.length, 'one diff_id per layer');
        if (expect.configDigest) assert.equal(img.configDigest, expect.configDigest);
        if (expect.digest) assert.equal(img.digest, expect.digest);
      } finally {
        await img.close();
      }
    });

    it('lists the layers in order with their refs', async () => {
      const img = await open();
      try {
        assert.equal(img.layers.length, expect.layers);
        img.layers.forEach((l, i) => {
          assert.equal(l.ref.index, i);
          assert.match(l.ref.digest, /^sha(256|384|512):[0-9a-f]+$/);
          assert.ok(l.open || l.entries, 'a layer can be read');
        });
        if (expect.diffIds)
          assert.deepEqual(
            img.layers.map((l) => l.ref.diffId),
            expect.diffIds,
          );
        if (expect.createdBy)
          assert.deepEqual(
            img.layers.map((l) => l.ref.createdBy),
            expect.createdBy,
          );
      } finally {
        await img.close();
      }
    });

    it('reads the entries of each layer', async () => {
      if (!expect.layerEntries) return;
      const img = await open();
      try {
        const limits = resolveLimits();
        for (const [i, layer] of img.layers.entries()) {
          const o = { where: `${name} layer ${i}`, layer: i, limits, wants: () => false };
          const scan = layer.entries ? await scanLayerEntries(layer.entries(), o) : await scanTarLayer(await layer.open!(), o);
          const seen = new Set(scan.entries.map((e) => (e.whiteout === 'file' ? '!' : '') + e.path));
          for (const p of expect.layerEntries[i] ?? []) assert.ok(seen.has(p), `layer ${i} has ${p}`);
        }
      } finally {
        await img.close();
      }
    });

    it('squashes the layers with whiteouts applied', async () => {
      const img = await open();
      try {
        const paths = Object.keys(expect.files);
        // Claim the final paths and the symlink targets, so content behind links is buffered too.
        const analyzer = recordingAnalyzer([...paths, '/usr/lib/libx.so', '/etc/app.conf', '/bin/sh']);
        const result = await analyzeImage(img, [analyzer]);
        assert.equal(result.layers.length, expect.layers);
        for (const [p, want] of Object.entries(expect.files)) {
          const entry = result.tree.resolve(p);
          if (want.content === null) {
            assert.equal(entry, undefined, `${p} is gone`);
            assert.equal(analyzer.seen?.has(p), false, `${p} not given to analyzers`);
            continue;
          }
          assert.ok(entry, `${p} exists`);
          // A path behind a symlinked directory is given to analyzers under its real path.
          const got = analyzer.seen?.get(p) ?? analyzer.seen?.get(entry.path);
          assert.ok(got, `${p} was given to the analyzer`);
          assert.equal(got.content, want.content, `${p} content`);
          if (want.layer !== undefined) assert.equal(got.layer, want.layer, `${p} layer`);
        }
        for (const p of expect.unresolvable ?? []) assert.equal(result.tree.resolve(p), undefined, `${p} does not resolve`);
      } finally {
        await img.close();
      }
    });

    // Only for sources with content digests (not rootfs); registered only when a tampered copy is given, so nothing shows as skipped.
    if (expect.openTampered)
      it('verifies digests', async () => {
        const img = await expect.openTampered!().catch((e: unknown) => e);
        if (img instanceof Error) {
          assert.ok(img instanceof InputError, String(img));
          assert.equal(img.code, 'IMAGE_DIGEST_MISMATCH');
          return;
        }
        try {
          await assert.rejects(
            analyzeImage(img as Image, [recordingAnalyzer(['/etc/passwd'])]),
            (e: unknown) => e instanceof InputError && e.code === 'IMAGE_DIGEST_MISMATCH',
          );
        } finally {
          await (img as Image).close();
        }
      });

    it('releases files on close()', async () => {
      const before = expect.checkFds === false ? undefined : openFds();
      const img = await open();
      await analyzeImage(img, []);
      await img.close();
      await new Promise((r) => setTimeout(r, 10));
      const after = expect.checkFds === false ? undefined : openFds();
      if (before !== undefined && after !== undefined) assert.ok(after <= before, `open descriptors ${before} -> ${after}`);
      const blob = img.layers.find((l) => l.open);
      if (blob && img.type !== 'registry') await assert.rejects(async () => blob.open!().then((s) => s.destroy()), /closed/);
    });
  });
}
