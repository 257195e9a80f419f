// A vulnerability DB change rescans only the images whose findings change:
// two real Debian images are scanned by the real scan path into the store,
// then the DB file is replaced by one with a new advisory for a source
// package only one image has.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, renameSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeDockerArchive } from '../../../test/helpers/image-builder.js';
import { openTestStore } from '../store/store.test-helpers.js';
import { DbWriter } from '../vulndb/db.js';
import { importPaths } from '../vulndb/import.js';
import { InProcessQueue } from './in-process-queue.js';
import { seedProject, testScanService } from './jobs.test-helpers.js';
import { Scheduler } from './scheduler.js';
import { imagesAffectedByDb } from './vulndb-rematch.js';
import { VulnDbIdentityReader } from './vulndb-identity.js';

const OS_RELEASE = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n';
const dpkg = (entries: Array<[pkg: string, version: string, source?: string]>) =>
  entries
    .map(([p, v, s]) => `Package: ${p}\nStatus: install ok installed\nArchitecture: amd64\nVersion: ${v}\n${s ? `Source: ${s}\n` : ''}Description: ${p}\n`)
    .join('\n');

/** A one-layer Debian 12 image archive at `file` with these installed packages. */
const writeDebianImage = (file: string, entries: Array<[pkg: string, version: string, source?: string]>) =>
  writeDockerArchive(file, {
    layers: [
      {
        files: [
          { path: 'etc/os-release', content: OS_RELEASE },
          { path: 'var/lib/dpkg/status', content: dpkg(entries) },
        ],
      },
    ],
  });

const osv = (id: string, name: string, fixed: string) =>
  JSON.stringify({
    id,
    modified: '2026-01-01T00:00:00Z',
    summary: `${name} issue`,
    upstream: [`CVE-2026-000${id.split('-')[1]}`],
    affected: [{ package: { ecosystem: 'Debian:12', name }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed }] }] }],
  });

async function buildDb(dir: string, path: string, records: string[]): Promise<void> {
  const src = mkdtempSync(join(dir, 'osv-'));
  records.forEach((r, i) => writeFileSync(join(src, `r${i}.json`), r));
  const tmp = `${path}.new`;
  const w = DbWriter.open(tmp, { fresh: true });
  await importPaths(w, [src]);
  w.commit();
  // Replaced the way `vigil db update` does: a rename over the old file.
  renameSync(tmp, path);
}

test('vulnerability DB change: only images whose findings change are rescanned', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-rematch-'));
  const t = await openTestStore('sqlite');
  const queue = new InProcessQueue(async () => {});
  try {
    mkdirSync(join(dir, 'img'));
    const images = {
      // libssl3 is built from the openssl source package: Debian advisories name the source.
      ssl: join(dir, 'img', 'ssl.tar'),
      zlib: join(dir, 'img', 'zlib.tar'),
    };
    await writeDebianImage(images.ssl, [
      ['libssl3', '3.0.11-1~deb12u1', 'openssl'],
      ['base-files', '12.4+deb12u5'],
    ]);
    await writeDebianImage(images.zlib, [
      ['zlib1g', '1:1.2.13.dfsg-1', 'zlib (1:1.2.13.dfsg-1)'],
      ['base-files', '12.4+deb12u5'],
    ]);
    const dbPath = join(dir, 'vigil.db');
    await buildDb(dir, dbPath, [osv('DSA-1-1', 'zlib', '1:1.2.13.dfsg-2')]);

    const now = new Date('2026-03-01T12:00:00Z');
    const { scans } = await testScanService(t.store, () => now, { queue, vulnDbPath: dbPath });
    const db = t.store.db;
    const { projectId: pid, imageIds } = await seedProject(t.store, () => now, { refs: Object.values(images).map((file) => `docker-archive:${file}`) });
    const ids = Object.fromEntries(Object.keys(images).map((name, i) => [name, imageIds[i]!]));
    for (const id of imageIds) await scans.process(await scans.enqueue(pid, id, 'manual'));
    const findings = async (id: string) =>
      (await db.selectFrom('findings').select('ref_id').where('image_id', '=', id).where('kind', '=', 'vuln').execute()).map((f) => f.ref_id);
    assert.deepEqual(await findings(ids.zlib!), ['CVE-2026-0001'], 'the first DB affects zlib through its source package');
    assert.deepEqual(await findings(ids.ssl!), []);
    const pkg = await db.selectFrom('packages').selectAll().where('image_id', '=', ids.ssl!).where('name', '=', 'libssl3').executeTakeFirstOrThrow();
    assert.equal(pkg.source_name, 'openssl', 'the software list keeps the source package matching needs');

    const reader = new VulnDbIdentityReader(dbPath);
    const sched = new Scheduler({ store: t.store, scans, clock: () => now, vulnDb: () => reader.current(), vulnDbPath: dbPath });
    const queued = async () => await db.selectFrom('scans').select(['image_id', 'trigger']).where('status', '=', 'queued').execute();
    assert.equal(await sched.tick(), 0, 'the first DB seen is the baseline');

    // The same advisories again (a rebuilt file): nothing changes, nothing is rescanned.
    await buildDb(dir, dbPath, [osv('DSA-1-1', 'zlib', '1:1.2.13.dfsg-2')]);
    assert.deepEqual((await imagesAffectedByDb(t.store, dbPath)).affected, []);
    assert.equal(await sched.tick(), 0, 'the same content (same digest, new file) rescans nothing');

    // A new openssl advisory: only the image with libssl3 is rescanned.
    await buildDb(dir, dbPath, [osv('DSA-1-1', 'zlib', '1:1.2.13.dfsg-2'), osv('DSA-2-1', 'openssl', '3.0.13-1~deb12u1')]);
    assert.equal(await sched.tick(), 1);
    assert.deepEqual(await queued(), [{ image_id: ids.ssl!, trigger: 'vulndb' }]);
    await scans.process((await db.selectFrom('scans').select('id').where('status', '=', 'queued').executeTakeFirstOrThrow()).id);
    assert.deepEqual(await findings(ids.ssl!), ['CVE-2026-0002'], 'the rescan finds the new advisory');

    // A fixed version moving (the advisory was corrected) changes the zlib image's finding.
    await buildDb(dir, dbPath, [osv('DSA-1-1', 'zlib', '1:1.2.13.dfsg-3'), osv('DSA-2-1', 'openssl', '3.0.13-1~deb12u1')]);
    assert.deepEqual(
      (await imagesAffectedByDb(t.store, dbPath)).affected.map((i) => i.id),
      [ids.zlib!],
    );

    // A withdrawn advisory affects the image that had it.
    await buildDb(dir, dbPath, [osv('DSA-1-1', 'zlib', '1:1.2.13.dfsg-3')]);
    assert.deepEqual((await imagesAffectedByDb(t.store, dbPath)).affected.map((i) => i.id).sort(), [ids.ssl!, ids.zlib!].sort());

    // A software list stored before the match inputs existed cannot be re-matched: rescanned.
    await buildDb(dir, dbPath, [osv('DSA-1-1', 'zlib', '1:1.2.13.dfsg-2'), osv('DSA-2-1', 'openssl', '3.0.13-1~deb12u1')]);
    assert.deepEqual((await imagesAffectedByDb(t.store, dbPath)).affected, []);
    await db.updateTable('packages').set({ source_name: null, source_version: null }).where('image_id', '=', ids.zlib!).execute();
    assert.deepEqual(
      (await imagesAffectedByDb(t.store, dbPath)).affected.map((i) => i.id),
      [ids.zlib!],
    );
  } finally {
    await queue.stop();
    await t.cleanup();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('POST /api/v1/rescans with onlyAffected queues only the images a DB change affects', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-rematch-api-'));
  const { startTestServer } = await import('../server/server.test-helpers.js');
  const dbPath = join(dir, 'vigil.db');
  await buildDb(dir, dbPath, [osv('DSA-1-1', 'zlib', '1:1.2.13.dfsg-2')]);
  const s = await startTestServer('sqlite', { vulnDb: dbPath });
  try {
    const t = s.adminToken;
    const P = s.defaultProjectId;
    const imageIds: string[] = [];
    for (const [name, pkg] of [
      ['ssl', ['libssl3', '3.0.11-1~deb12u1', 'openssl']],
      ['zlib', ['zlib1g', '1:1.2.13.dfsg-1', 'zlib']],
    ] as Array<[string, [string, string, string]]>) {
      const file = join(dir, `${name}.tar`);
      await writeDebianImage(file, [pkg]);
      const img = await s.call('POST', `/api/v1/projects/${P}/images`, t, { ref: `docker-archive:${file}` });
      assert.equal(img.status, 201, JSON.stringify(img.body));
      imageIds.push(img.body.id);
      const scan = await s.call('POST', `/api/v1/projects/${P}/images/${img.body.id}/scan`, t);
      for (let i = 0; i < 600; i++) {
        const r = await s.call('GET', `/api/v1/projects/${P}/scans/${scan.body.scanId}`, t);
        if (r.body.status === 'succeeded') break;
        assert.notEqual(r.body.status, 'failed', r.body.error);
        await new Promise((res) => setTimeout(res, 50));
      }
    }
    const unchanged = await s.call('POST', '/api/v1/rescans', t, { onlyAffected: true });
    assert.deepEqual([unchanged.status, unchanged.body], [202, { scansQueued: 0, checked: 2 }]);
    await buildDb(dir, dbPath, [osv('DSA-1-1', 'zlib', '1:1.2.13.dfsg-2'), osv('DSA-2-1', 'openssl', '3.0.13-1~deb12u1')]);
    const r = await s.call('POST', '/api/v1/rescans', t, { onlyAffected: true });
    assert.deepEqual([r.status, r.body], [202, { scansQueued: 1, checked: 2 }]);
    const queued = await s.ctx.store.db.selectFrom('scans').select('image_id').where('trigger', '=', 'vulndb').execute();
    assert.deepEqual(
      queued.map((q) => q.image_id),
      [imageIds[0]],
    );
    const all = await s.call('POST', '/api/v1/rescans', t, {});
    assert.equal(all.body.scansQueued, 2, 'without onlyAffected every scanned image is rescanned');
    rmSync(dbPath);
    const none = await s.call('POST', '/api/v1/rescans', t, { onlyAffected: true });
    assert.equal(none.status, 400);
    assert.match(none.body.message, /no vulnerability DB/);
  } finally {
    await s.cleanup();
    rmSync(dir, { recursive: true, force: true });
  }
});
