// Images made by real tools: umoci builds an OCI layout (layers with a
// whiteout and an opaque directory), skopeo copies it to docker-archive (its
// classic layout), oci-archive and a zstd OCI layout, umoci unpacks it to a
// root filesystem. Every source must give the same squashed tree and bytes.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Analyzer } from '../../core/analyzers/types.js';
import { analyzeImage } from '../../core/image/analyze.js';
import { openImage } from './open.js';
import { describeImageSource } from './source-conformance.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-realtools-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const run = (cmd: string, args: string[]): string => execFileSync(cmd, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] }).toString();

function write(root: string, files: Record<string, string>): void {
  for (const [p, c] of Object.entries(files)) {
    mkdirSync(join(root, p, '..'), { recursive: true });
    writeFileSync(join(root, p), c);
  }
}

before(() => {
  const base = join(dir, 'base');
  write(base, {
    'etc/os-release': 'ID=debian\nVERSION_ID="12"\n',
    'etc/old.conf': 'old\n',
    'opt/app/a.txt': 'a\n',
    'opt/app/sub/deep.txt': 'deep\n',
    'usr/lib/libx.so': 'libx\n',
    'var/lib/dpkg/status': 'Package: base-files\nStatus: install ok installed\nVersion: 12.4\n\n',
  });
  symlinkSync('usr/lib', join(base, 'lib'));
  const app = join(dir, 'app');
  write(app, { 'new.txt': 'new\n' });
  const layout = join(dir, 'layout');
  run('umoci', ['init', '--layout', layout]);
  run('umoci', ['new', '--image', `${layout}:1.0`]);
  run('umoci', ['config', '--image', `${layout}:1.0`, '--os', 'linux', '--architecture', 'amd64']);
  for (const d of ['etc', 'opt', 'usr', 'var']) run('umoci', ['insert', '--image', `${layout}:1.0`, join(base, d), `/${d}`]);
  run('umoci', ['insert', '--image', `${layout}:1.0`, join(base, 'lib'), '/lib']);
  run('umoci', ['insert', '--image', `${layout}:1.0`, '--whiteout', '/etc/old.conf']);
  run('umoci', ['insert', '--image', `${layout}:1.0`, '--opaque', app, '/opt/app']);
  run('skopeo', ['copy', '-q', `oci:${layout}:1.0`, `docker-archive:${join(dir, 'docker.tar')}:vigil/real:1.0`]);
  run('skopeo', ['copy', '-q', `oci:${layout}:1.0`, `oci-archive:${join(dir, 'oci.tar')}:1.0`]);
  run('skopeo', ['copy', '-q', '--dest-compress-format', 'zstd', `oci:${layout}:1.0`, `oci:${join(dir, 'zstd')}:1.0`]);
  // Unprivileged developers unpack rootless (CI runs as root).
  const rootless = process.getuid?.() !== 0 ? ['--rootless'] : [];
  run('umoci', ['unpack', ...rootless, '--image', `${layout}:1.0`, join(dir, 'bundle')]);
});

const claimAll: Analyzer & { files?: Map<string, string> } = {
  id: 'claim-all',
  version: 1,
  kind: 'package',
  required: () => true,
  analyze(input) {
    claimAll.files = new Map(input.files.map((f) => [f.path, f.content.toString()]));
    return {};
  },
};

async function squash(ref: string): Promise<{ tree: string[]; files: Map<string, string>; layers: number }> {
  const img = await openImage(ref);
  try {
    const r = await analyzeImage(img, [claimAll]);
    const tree = [...r.tree.entries()].map((e) => `${e.path} ${e.kind} ${e.kind === 'file' ? e.size : ''} ${e.linkTarget ?? ''}`);
    return { tree, files: claimAll.files!, layers: r.layers.length };
  } finally {
    await img.close();
  }
}

describe('images built by umoci and copied by skopeo', () => {
  it('all sources give the same squashed tree and file bytes', async () => {
    const refs = [
      `oci:${join(dir, 'layout')}:1.0`,
      `docker-archive:${join(dir, 'docker.tar')}`,
      join(dir, 'docker.tar'),
      `oci-archive:${join(dir, 'oci.tar')}`,
      `oci:${join(dir, 'zstd')}:1.0`,
      `rootfs:${join(dir, 'bundle', 'rootfs')}`,
    ];
    const want = await squash(refs[0]!);
    assert.equal(want.layers, 7);
    assert.equal(want.files.get('/etc/os-release'), 'ID=debian\nVERSION_ID="12"\n');
    assert.equal(want.files.get('/opt/app/new.txt'), 'new\n');
    assert.equal(want.files.has('/etc/old.conf'), false, 'whiteout applied');
    assert.equal(want.files.has('/opt/app/a.txt'), false, 'opaque directory applied');
    assert.ok(want.tree.includes('/lib symlink  usr/lib'));
    for (const ref of refs.slice(1)) {
      const got = await squash(ref);
      assert.deepEqual(got.tree, want.tree, ref);
      assert.deepEqual([...got.files].sort(), [...want.files].sort(), ref);
    }
  });
});

describeImageSource('docker-archive written by skopeo', () => openImage(`docker-archive:${join(dir, 'docker.tar')}`), {
  type: 'docker-archive',
  layers: 7,
  files: {
    '/etc/os-release': { content: 'ID=debian\nVERSION_ID="12"\n', layer: 0 },
    '/etc/old.conf': { content: null },
    '/opt/app/a.txt': { content: null },
    '/opt/app/new.txt': { content: 'new\n', layer: 6 },
    '/lib/libx.so': { content: 'libx\n', layer: 2 },
  },
  layerEntries: [
    ['/etc/os-release', '/etc/old.conf'],
    ['/opt/app/a.txt'],
    ['/usr/lib/libx.so'],
    ['/var/lib/dpkg/status'],
    ['/lib'],
    ['!/etc/old.conf'],
    ['/opt/app/new.txt'],
  ],
  platform: { os: 'linux', architecture: 'amd64' },
});
describeImageSource('oci-archive written by skopeo', () => openImage(`oci-archive:${join(dir, 'oci.tar')}:1.0`), {
  type: 'oci-archive',
  layers: 7,
  files: { '/etc/os-release': { content: 'ID=debian\nVERSION_ID="12"\n', layer: 0 }, '/opt/app/sub/deep.txt': { content: null } },
});
