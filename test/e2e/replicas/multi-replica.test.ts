// Several replicas on one PostgreSQL behave as one server. Real processes:
// two `vigil server --role api` and two `vigil server --role worker`, all
// started at the same moment on an empty schema; a real Docker registry
// (behind a proxy that can hold blob downloads) holds a Debian image. In
// order: every process comes up and there is one admin; a scan queued
// through one replica runs on a worker, which is killed mid-scan and the
// other worker finishes it; concurrent writes through both replicas leave the
// audit chain intact with times in sequence order; the login limit holds
// across replicas per forwarded client; a newer vulnerability DB on one
// replica causes one rescan round, not one per tick, and the replica still
// serving the older DB says so in /healthz and its metrics.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { freshSchema, json, stallingProxy, startReplica, waitFor, type Replica } from './replica-helpers.js';
import { TEST_PG_URL } from '../../../src/node/store/store.test-helpers.js';
import { startRegistry, pushImage } from '../../helpers/registry-server.js';
import { writeDockerArchive } from '../../helpers/image-builder.js';
import { buildDb, debianOsv } from '../../../src/node/vulndb/db.test-helpers.js';

const OS_RELEASE = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n';
const DPKG =
  'Package: libssl3\nStatus: install ok installed\nArchitecture: amd64\nSource: openssl\nVersion: 3.0.11-1~deb12u1\n\nPackage: zlib1g\nStatus: install ok installed\nArchitecture: amd64\nSource: zlib\nVersion: 1:1.2.13.dfsg-1\n';
const osv = (id: string, name: string, fixed: string) => debianOsv(id, name, fixed, [`CVE-2026-${id.split('-')[1]!.padStart(4, '0')}`]);

test('two API replicas and two workers on one PostgreSQL behave as one server', { timeout: 240_000 }, async (t) => {
  const db = freshSchema();
  const dir = mkdtempSync(join(tmpdir(), 'vigil-replicas-'));
  const reg = await startRegistry();
  const proxy = await stallingProxy(reg.host);
  const replicas: Replica[] = [];
  const pgc = new pg.Client({ connectionString: TEST_PG_URL });
  await pgc.connect();
  try {
    // The image, and the vulnerability DB: replica B and the workers read one file, replica A its own copy.
    const archive = join(dir, 'app.tar');
    await writeDockerArchive(archive, {
      layers: [
        {
          files: [
            { path: 'etc/os-release', content: OS_RELEASE },
            { path: 'var/lib/dpkg/status', content: DPKG },
          ],
        },
      ],
      repoTags: ['app:1'],
    });
    const pushed = pushImage(`docker-archive:${archive}`, `${reg.host}/team/app:1`, { format: 'v2s2' });
    mkdirSync(join(dir, 'a'));
    mkdirSync(join(dir, 'b'));
    const dbA = join(dir, 'a', 'vigil.db');
    const dbB = join(dir, 'b', 'vigil.db');
    await buildDb(dir, dbB, [osv('DSA-1-1', 'zlib', '1:1.2.13.dfsg-2')], '2026-03-01T00:00:00.000Z');
    copyFileSync(dbB, dbA);
    utimesSync(dbA, new Date('2020-01-01T00:00:00Z'), new Date('2020-01-01T00:00:00Z'));

    const env = {
      VIGIL_SERVER_DB: db.url,
      VIGIL_SECRET_KEY: randomBytes(32).toString('hex'),
      VIGIL_DATA_DIR: join(dir, 'data'),
      VIGIL_ADMIN_PASSWORD: 'ochre-lantern-47',
      VIGIL_JOB_EXPIRE_SECONDS: '4',
      VIGIL_JOB_RETRY_DELAY_SECONDS: '1',
      VIGIL_JOB_RETRY_LIMIT: '3',
      VIGIL_JOB_POLL_SECONDS: '1',
      VIGIL_JOB_MAINTENANCE_SECONDS: '1',
      VIGIL_WORKER_CONCURRENCY: '1',
      VIGIL_SCHEDULER_INTERVAL_SECONDS: '1',
      VIGIL_LOGIN_RATE_LIMIT: '10',
      VIGIL_TRUSTED_PROXIES: '127.0.0.1',
      // the test registry listens on loopback, which the outbound guard refuses unless allowed
      VIGIL_OUTBOUND_ALLOW: '127.0.0.1',
    };
    const [apiA, apiB, w1, w2] = [
      startReplica('api', { ...env, VIGIL_DB: dbA }),
      startReplica('api', { ...env, VIGIL_DB: dbB }),
      startReplica('worker', { ...env, VIGIL_DB: dbB }),
      startReplica('worker', { ...env, VIGIL_DB: dbB }),
    ] as const;
    replicas.push(apiA, apiB, w1, w2);
    let A = '';
    let B = '';
    let token = '';
    const q = async (sqlText: string) => (await pgc.query(sqlText.replaceAll('S.', `${db.schema}.`))).rows;

    await t.test('started at the same moment on an empty database: all come up, one admin, one default project', async () => {
      const ready = await Promise.all(replicas.map((r) => r.ready));
      [A, B] = ready as [string, string];
      assert.match(A, /^http:/);
      assert.match(B, /^http:/);
      const workerNames = ready.slice(2);
      assert.notEqual(workerNames[0], workerNames[1]);
      assert.deepEqual(
        (await q('select username from S.users')).map((r) => r.username),
        ['admin'],
      );
      assert.deepEqual(
        (await q('select name from S.projects')).map((r) => r.name),
        ['default'],
      );
      const login = await json(`${A}/api/v1/auth/login`, {
        method: 'POST',
        body: { username: 'admin', password: 'ochre-lantern-47' },
        headers: { 'x-forwarded-for': '192.0.2.1' },
      });
      assert.equal(login.status, 200);
      token = login.body.token;
      assert.equal((await json(`${B}/api/v1/auth/me`, { token })).status, 200, 'a session from one replica works on the other');
    });

    let projectId = '';
    let imageId = '';
    await t.test('a scan queued through one replica runs on a worker; a worker killed mid-scan: the other one finishes it', async () => {
      await pushed;
      projectId = (await q('select id from S.projects'))[0].id;
      const r = await json(`${A}/api/v1/projects/${projectId}/registries`, {
        method: 'POST',
        token,
        body: { name: 'local', url: `http://${proxy.host}`, insecure: true },
      });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      proxy.stall(true);
      const sync = await json(`${A}/api/v1/projects/${projectId}/registries/${r.body.id}/sync`, { method: 'POST', token });
      assert.equal(sync.status, 200, JSON.stringify(sync.body));
      assert.equal(sync.body.scansQueued, 1);
      const scanId = sync.body.scanIds[0];
      const running = await waitFor('the scan to run', async () => {
        const s = await json(`${B}/api/v1/projects/${projectId}/scans/${scanId}`, { token });
        return s.body.status === 'running' ? s.body : undefined;
      });
      const victim = [w1, w2].find((w) => w.out().includes(running.worker))!;
      const survivor = victim === w1 ? w2 : w1;
      assert.ok(victim, `worker ${running.worker} is one of ours`);
      victim.proc.kill('SIGKILL');
      await victim.exited;
      proxy.stall(false);
      const done = await waitFor('the scan to finish', async () => {
        const s = await json(`${B}/api/v1/projects/${projectId}/scans/${scanId}`, { token });
        return s.body.status === 'succeeded' || s.body.status === 'failed' ? s.body : undefined;
      });
      assert.equal(done.status, 'succeeded', JSON.stringify(done));
      assert.equal(done.attempts, 2);
      assert.notEqual(done.worker, running.worker);
      assert.ok(survivor.out().includes(done.worker), 'finished by the other worker');
      imageId = (await q('select id from S.images'))[0].id;
      assert.equal((await q(`select count(*)::int as n from S.scans where image_id = '${imageId}'`))[0].n, 1, 'no duplicate scan record');
      const findings = await json(`${A}/api/v1/projects/${projectId}/images/${imageId}/findings?kind=vuln`, { token });
      assert.equal(findings.status, 200, JSON.stringify(findings.body));
      assert.deepEqual(
        findings.body.items.map((f: { refId: string }) => f.refId),
        ['CVE-2026-0001'],
        'zlib is affected by the first DB',
      );
    });

    await t.test('concurrent writes through both replicas: the audit chain verifies, times follow sequence order', async () => {
      const writes = Array.from({ length: 120 }, (_, i) =>
        json(`${i % 2 ? B : A}/api/v1/projects`, { method: 'POST', token, body: { name: `p${i}`, rescanCron: '' } }),
      );
      const codes = (await Promise.all(writes)).map((r) => r.status);
      assert.deepEqual([...new Set(codes)], [201]);
      const verify = await json(`${B}/api/v1/audit/verify`, { token });
      assert.equal(verify.body.ok, true, JSON.stringify(verify.body));
      const rows = await q('select seq, time from S.audit_log order by seq');
      assert.ok(rows.length >= 123);
      for (let i = 1; i < rows.length; i++) assert.ok(rows[i].time >= rows[i - 1].time, `record ${rows[i].seq} is earlier than ${rows[i - 1].seq}`);
    });

    await t.test('the login limit holds across replicas, per client address behind the trusted proxy', async () => {
      const attempt = (url: string, client: string) =>
        json(`${url}/api/v1/auth/login`, { method: 'POST', body: { username: 'admin', password: 'wrong' }, headers: { 'x-forwarded-for': client } }).then(
          (r) => r.status,
        );
      const codes: number[] = [];
      for (let i = 0; i < 10; i++) codes.push(await attempt(i % 2 ? B : A, '203.0.113.9'));
      assert.deepEqual(codes, Array(10).fill(401));
      assert.equal(await attempt(A, '203.0.113.9'), 429);
      assert.equal(await attempt(B, '203.0.113.9'), 429);
      assert.equal(await attempt(B, '203.0.113.10'), 401, 'another client is not limited');
    });

    await t.test('a newer vulnerability DB on one replica: one rescan round, not a loop; the other replica says it is behind', async () => {
      const health = async (url: string) => (await json(`${url}/healthz`)).body;
      const vulndbScans = async () => (await q("select count(*)::int as n from S.scans where trigger = 'vulndb'"))[0].n as number;
      // Same content, different mtimes: both replicas serve the same digest; ticks (every second) do nothing.
      const [hA, hB] = [await health(A), await health(B)];
      assert.equal(hA.vulnDb.served.digest, hB.vulnDb.served.digest);
      assert.match(hA.vulnDb.served.digest, /^[0-9a-f]{64}$/);
      await new Promise((r) => setTimeout(r, 3000));
      assert.equal(await vulndbScans(), 0);
      // `vigil db update` ran where replica B and the workers read the DB: an openssl advisory appears.
      await buildDb(dir, dbB, [osv('DSA-1-1', 'zlib', '1:1.2.13.dfsg-2'), osv('DSA-2-1', 'openssl', '3.0.13-1~deb12u1')], '2026-03-02T00:00:00.000Z');
      await waitFor('the rescan', async () => ((await vulndbScans()) > 0 ? true : undefined), 20_000);
      await waitFor('the rescan to finish', async () =>
        (await q("select count(*)::int as n from S.scans where status in ('queued', 'running')"))[0].n === 0 ? true : undefined,
      );
      const staleA = await health(A);
      assert.equal(staleA.vulnDb.stale, true, JSON.stringify(staleA));
      assert.equal(staleA.vulnDb.deployment.digest, (await health(B)).vulnDb.served.digest);
      assert.equal((await health(B)).vulnDb.stale, false);
      const metricsA = await json(`${A}/metrics`, { token });
      assert.match(metricsA.body, /vigil_vulndb_stale 1/);
      assert.match(metricsA.body, new RegExp(`vigil_vulndb_info\\{digest="${staleA.vulnDb.served.digest}"`));
      await new Promise((r) => setTimeout(r, 4000));
      assert.equal(await vulndbScans(), 1, 'one rescan round, not one per tick');
      const findings = await json(`${A}/api/v1/projects/${projectId}/images/${imageId}/findings?kind=vuln`, { token });
      assert.deepEqual(findings.body.items.map((f: { refId: string }) => f.refId).sort(), ['CVE-2026-0001', 'CVE-2026-0002']);
      // Replica A gets the new file (copied: same content, its own mtime): current again, no further round.
      copyFileSync(dbB, dbA);
      await waitFor('replica A to be current', async () => ((await health(A)).vulnDb.stale === false ? true : undefined), 10_000);
      await new Promise((r) => setTimeout(r, 2500));
      assert.equal(await vulndbScans(), 1);
    });
  } finally {
    proxy.stall(false);
    await Promise.all(replicas.map((r) => r.stop()));
    for (const r of replicas) if (r.proc.exitCode !== 0 && r.proc.signalCode === null && r.err()) process.stderr.write(`${r.role} stderr: ${r.err()}\n`);
    await pgc.end();
    await proxy.close();
    await reg.stop();
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  }
});
