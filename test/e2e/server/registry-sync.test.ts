// Registry sync against a real docker-registry: two images on one base are
// pushed with skopeo, synced through the API (syncSwrPrivateImage), and
// scanned by the real pipeline; the shared base layer is analysed once
// (a layer-cache hit). A second sync finds nothing new.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startRegistry, pushImage } from '../../helpers/registry-server.js';
import { writeDockerArchive, type LayerSpec } from '../../helpers/image-builder.js';
import { startTestServer, type TestServer } from '../../../src/node/server/server.test-helpers.js';

const base: LayerSpec = {
  createdBy: 'base',
  files: [
    { path: 'etc/os-release', content: 'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n' },
    {
      path: 'var/lib/dpkg/status',
      content:
        'Package: base-files\nStatus: install ok installed\nVersion: 12.4+deb12u5\nArchitecture: amd64\n\nPackage: libc6\nStatus: install ok installed\nSource: glibc\nVersion: 2.36-9+deb12u4\nArchitecture: amd64\n\n',
    },
  ],
};

async function waitAll(s: TestServer, projectId: string, ids: string[]): Promise<any[]> {
  for (let i = 0; i < 1200; i++) {
    const rows = await Promise.all(ids.map((id) => s.call('GET', `/api/v1/projects/${projectId}/scans/${id}`, s.adminToken)));
    if (rows.every((r) => r.body.status === 'succeeded' || r.body.status === 'failed')) return rows.map((r) => r.body);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('scans did not finish');
}

test('registry sync finds the images and scans them; a shared base layer is analysed once', async () => {
  const reg = await startRegistry();
  // The registry runs on loopback: the operator allowlists it (outbound guard, docs/security.md).
  const s = await startTestServer('sqlite', { outboundAllow: '127.0.0.1' }, { workers: 1 });
  try {
    for (const [name, file] of [
      ['app', 'srv/app.js'],
      ['tools', 'usr/local/bin/tool'],
    ] as const) {
      const archive = join(s.dataDir, `${name}.tar`);
      await writeDockerArchive(archive, { layers: [base, { createdBy: name, files: [{ path: file, content: `${name}\n` }] }], repoTags: [`${name}:1`] });
      await pushImage(`docker-archive:${archive}`, `${reg.host}/team/${name}:1`, { format: 'v2s2' });
    }
    const pid = s.defaultProjectId;
    const r = await s.call('POST', `/api/v1/projects/${pid}/registries`, s.adminToken, { name: 'local', url: `http://${reg.host}`, insecure: true });
    assert.equal(r.status, 201);
    const sync = await s.call('POST', `/api/v1/projects/${pid}/registries/${r.body.id}/sync`, s.adminToken);
    assert.equal(sync.status, 200, JSON.stringify(sync.body));
    assert.deepEqual(
      { repositories: sync.body.repositories, images: sync.body.images, newImages: sync.body.newImages, scansQueued: sync.body.scansQueued },
      { repositories: 2, images: 2, newImages: 2, scansQueued: 2 },
    );
    const scans = await waitAll(s, pid, sync.body.scanIds);
    assert.deepEqual(
      scans.map((x) => [x.status, x.error]),
      [
        ['succeeded', scans[0].error],
        ['succeeded', scans[1].error],
      ],
    );
    const images = await s.call('GET', `/api/v1/projects/${pid}/images?sort=ref`, s.adminToken);
    assert.deepEqual(
      images.body.items.map((i: any) => i.ref),
      [`registry:${reg.host}/team/app:1`, `registry:${reg.host}/team/tools:1`],
    );
    for (const im of images.body.items) {
      assert.equal(im.osFamily, 'debian');
      assert.match(im.digest, /^sha256:[0-9a-f]{64}$/);
      const pk = await s.call('GET', `/api/v1/projects/${pid}/images/${im.id}/packages`, s.adminToken);
      assert.deepEqual(pk.body.items.map((p: any) => p.name).sort(), ['base-files', 'libc6']);
    }
    // three distinct layers: base (once) + one per image; the second image reuses the base
    assert.equal(s.ctx.scans.layerCache.misses, 3);
    assert.equal(s.ctx.scans.layerCache.hits, 1);
    const again = await s.call('POST', `/api/v1/projects/${pid}/registries/${r.body.id}/sync`, s.adminToken);
    assert.equal(again.body.scansQueued, 0);
    assert.equal(again.body.newImages, 0);
    const audit = await s.call('GET', '/api/v1/audit?event=syncSwrPrivateImage', s.adminToken);
    assert.equal(audit.body.items.length, 2);
    assert.ok(audit.body.items.every((a: any) => a.result === 'success'));
  } finally {
    await s.cleanup();
    await reg.stop();
  }
});
