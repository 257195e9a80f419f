// The overview's counters (migration 0018) against a recount from the stored
// rows, on SQLite and PostgreSQL, after a mix of writes through the real
// server and services: alert batches (new groups, repeats that move a group
// to a later day or raise its severity, a handled group firing again),
// status changes, scans and rescans, vulnerability ignores for one image and
// for all images, one cancelled and one lapsing by expiry, image deletion
// and project deletion. Both the overview's answer and the whole counter
// tables (every project and day) must equal the recount after every step;
// the migration's backfill (rebuildOverviewCounts) must give the same tables.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql, type Kysely } from 'kysely';
import { ALERT_CATALOG } from '../../core/alerts/catalog.js';
import type { ScanReport, VulnerabilityFinding } from '../../core/scan/types.js';
import { saveScanReport } from '../services/scan-results.js';
import { expireIgnores } from '../services/images.js';
import { overviewFirstDay } from '../services/overview.js';
import { startTestServer, type TestServer } from '../server/server.test-helpers.js';
import { STORE_KINDS } from './store.test-helpers.js';
import { IMAGE_LEVEL, rebuildOverviewCounts } from './overview-counts.js';
import { ingestAlerts } from './alert-groups.js';

const SEVS = ['critical', 'high', 'medium', 'low', 'unknown'] as const;
const PKGS = ['openssl', 'zlib', 'curl', 'glibc', 'bash', 'tar'];
const TYPES = ALERT_CATALOG.filter((c) => !c.id.startsWith('cluster/'))
  .slice(0, 5)
  .map((c) => c.id);

/** A small seeded generator (the same writes on every run and both stores). */
function rng(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x / 2 ** 32;
  };
}

function vuln(id: string, pkg: string, severity: (typeof SEVS)[number]): VulnerabilityFinding {
  return {
    id,
    aliases: [],
    package: pkg,
    sourcePackage: pkg,
    type: 'deb',
    installedVersion: '1.0-1',
    fixedVersion: '',
    status: 'affected',
    severity,
    vendorSeverity: {},
    cvss: {},
    title: `${pkg} issue`,
    ignored: false,
  } as unknown as VulnerabilityFinding;
}

function report(r: () => number, n: number): ScanReport {
  const vulns = Array.from({ length: n }, () => {
    const k = Math.floor(r() * 30);
    return vuln(`CVE-2026-${1000 + k}`, PKGS[k % PKGS.length]!, SEVS[k % SEVS.length]!);
  });
  return {
    schemaVersion: 1,
    artifact: { name: 'x', type: 'docker-archive' },
    packages: [],
    vulnerabilities: vulns,
    malware: [],
    secrets: [],
    baseline: [],
    files: [],
  } as unknown as ScanReport;
}

type Rows = Record<string, unknown>[];
const norm = (rows: Rows) =>
  rows.map((x) => JSON.stringify(Object.values(x).map((v) => (typeof v === 'bigint' || typeof v === 'string' ? String(v) : Number(v))))).sort();

/** Every counter table as stored (rows with a count), and as recounted from alerts and findings. */
async function countersAndRecount(db: Kysely<any>) {
  const stored = {
    levels: await sql`select project_id, level, n from overview_image_levels where n <> 0`.execute(db),
    days: await sql`select project_id, day, severity, type, n from overview_alert_days where n <> 0`.execute(db),
    status: await sql`select project_id, status, n from overview_alert_status where n <> 0`.execute(db),
    pkgImages: await sql`select image_id, package, project_id, findings from overview_package_images`.execute(db),
    packages: await sql`select project_id, package, findings, images from overview_packages where findings <> 0 or images <> 0`.execute(db),
  };
  const counted = `f.kind = 'vuln' and f.ignored = 0`;
  const recount = {
    levels: await sql`select project_id, ${sql.raw(IMAGE_LEVEL('images'))} as level, count(*) as n from images group by 1, 2`.execute(db),
    days: await sql`select project_id, substr(last_seen, 1, 10) as day, severity, type, count(*) as n from alerts group by 1, 2, 3, 4`.execute(db),
    status: await sql`select project_id, status, count(*) as n from alerts group by 1, 2`.execute(db),
    pkgImages: await sql`select f.image_id, f.package, im.project_id, count(*) as findings from findings f join images im on im.id = f.image_id
      where ${sql.raw(counted)} group by 1, 2, 3`.execute(db),
    packages: await sql`select im.project_id, f.package, count(*) as findings, count(distinct f.image_id) as images from findings f
      join images im on im.id = f.image_id where ${sql.raw(counted)} group by 1, 2`.execute(db),
  };
  const pick = (o: typeof stored) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, norm(v.rows as Rows)]));
  return { stored: pick(stored), recount: pick(recount) };
}

/** The overview's packages and alerts sections recounted from the stored rows (what the service computed before 0018). */
async function slowOverview(db: Kysely<any>, projectId: string, now: Date) {
  const top = await sql<{ package: string; findings: number; images: number }>`select f.package, count(*) as findings, count(distinct f.image_id) as images
    from findings f join images im on im.id = f.image_id where im.project_id = ${projectId} and f.kind = 'vuln' and f.ignored = 0
    group by f.package order by count(*) desc, f.package limit 10`.execute(db);
  const days = await sql<{ day: string; severity: string; type: string; n: number }>`select substr(last_seen, 1, 10) as day, severity, type, count(*) as n
    from alerts where project_id = ${projectId} and substr(last_seen, 1, 10) >= ${overviewFirstDay(now)} group by 1, 2, 3`.execute(db);
  const byDay = new Map<string, number>();
  const byType = new Map<string, number>();
  for (const r of days.rows) {
    byDay.set(`${r.day}|${r.severity}`, (byDay.get(`${r.day}|${r.severity}`) ?? 0) + Number(r.n));
    byType.set(r.type, (byType.get(r.type) ?? 0) + Number(r.n));
  }
  const open = await sql<{ n: number }>`select count(*) as n from alerts where project_id = ${projectId} and status = 'open'`.execute(db);
  const im = await sql<Record<string, number>>`select count(*) as total,
      sum(case when last_scan_id is null then 1 else 0 end) as unscanned,
      sum(case when last_scan_id is not null and critical > 0 then 1 else 0 end) as critical,
      sum(case when last_scan_id is not null and critical = 0 and high > 0 then 1 else 0 end) as high,
      sum(case when last_scan_id is not null and critical = 0 and high = 0 and medium > 0 then 1 else 0 end) as medium,
      sum(case when last_scan_id is not null and critical = 0 and high = 0 and medium = 0 and low > 0 then 1 else 0 end) as low,
      sum(case when last_scan_id is not null and critical = 0 and high = 0 and medium = 0 and low = 0 then 1 else 0 end) as clean
    from images where project_id = ${projectId}`.execute(db);
  return {
    images: Object.fromEntries(Object.entries(im.rows[0]!).map(([k, v]) => [k, Number(v ?? 0)])),
    topPackages: top.rows.map((r) => ({ package: r.package, findings: Number(r.findings), images: Number(r.images) })),
    byDay: [...byDay].map(([k, groups]) => [...k.split('|'), groups]).sort(),
    byType: [...byType].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 12),
    open: Number(open.rows[0]!.n),
  };
}

for (const kind of STORE_KINDS) {
  describe(`overview counters (${kind})`, () => {
    let s: TestServer;
    let db: Kysely<any>;
    const r = rng(18);
    const now = Date.now();
    const images: Record<string, string[]> = {};
    let P: string;
    let B: string;
    before(async () => {
      s = await startTestServer(kind, {}, { workers: 0 });
      db = s.ctx.store.db as unknown as Kysely<any>;
      P = s.defaultProjectId;
      const b = await s.call('POST', '/api/v1/projects', s.adminToken, { name: 'second' });
      assert.equal(b.status, 201, JSON.stringify(b.body));
      B = b.body.id;
    });
    after(async () => s?.cleanup());

    const call = async (method: string, url: string, body?: unknown, want = [200, 201, 204]) => {
      const res = await s.call(method, url, s.adminToken, body);
      assert.ok(want.includes(res.status), `${method} ${url}: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body;
    };
    const scan = async (project: string, imageId: string, n: number) =>
      saveScanReport(s.ctx.store, {
        projectId: project,
        imageId,
        ref: imageId,
        scanId: `scan-${imageId}-${n}`,
        report: report(r, n),
        note: '',
        now: new Date().toISOString(),
        host: 'test',
      });
    /** A batch of alerts over the last `days` days on `subjects` containers. */
    const alerts = async (project: string, count: number, days: number, subjects: number, tag: string) => {
      const batch = Array.from({ length: count }, (_, i) => ({
        id: `${tag}-${i}`,
        type: TYPES[Math.floor(r() * TYPES.length)]!,
        severity: (['critical', 'high', 'medium', 'low'] as const)[Math.floor(r() * 4)],
        time: new Date(now - Math.floor(r() * days * 86400_000)).toISOString(),
        message: `alert ${i}`,
        rule: 'test rule',
        host: 'node-1',
        container: {
          id: Math.floor(r() * subjects)
            .toString(16)
            .padStart(64, '0'),
        },
      }));
      await call('POST', `/api/v1/alerts:batch?project=${project}`, { alerts: batch });
    };
    const check = async (step: string) => {
      const { stored, recount } = await countersAndRecount(db);
      assert.deepEqual(stored, recount, `${step}: counter tables`);
      for (const p of [P, B]) {
        const o = await s.call('GET', `/api/v1/projects/${p}/overview`, s.adminToken);
        if (o.status === 404) continue; // deleted
        assert.equal(o.status, 200);
        const slow = await slowOverview(db, p, new Date());
        assert.deepEqual(o.body.images, slow.images, `${step}: images of ${p}`);
        assert.deepEqual(o.body.topPackages, slow.topPackages, `${step}: top packages of ${p}`);
        assert.equal(o.body.alerts.open, slow.open, `${step}: open alert groups of ${p}`);
        assert.deepEqual(
          o.body.alerts.byDay.map((x: { day: string; severity: string; groups: number }) => [x.day, x.severity, x.groups]).sort(),
          slow.byDay,
          `${step}: by day`,
        );
        assert.deepEqual(
          o.body.alerts.byType.map((x: { type: string; groups: number }) => [x.type, x.groups]),
          slow.byType,
          `${step}: by type`,
        );
      }
    };

    test('scans and alert batches', async () => {
      for (const p of [P, B]) {
        images[p] = [];
        for (let i = 0; i < 6; i++) {
          const im = await call('POST', `/api/v1/projects/${p}/images`, { ref: `registry:example.test/app-${i}:1`, scan: false });
          images[p]!.push(im.id);
          if (i < 5) await scan(p, im.id, 5 + Math.floor(r() * 40));
        }
        await alerts(p, 300, 20, 60, `a-${p}`);
      }
      await check('first writes');
      const top = (await s.call('GET', `/api/v1/projects/${P}/overview`, s.adminToken)).body;
      assert.ok(top.topPackages.length > 3 && top.alerts.open > 20, JSON.stringify(top).slice(0, 300));
    });

    test('repeats, later days, higher severity, status changes, a handled group firing again', async () => {
      await alerts(P, 200, 3, 60, 'b');
      const list = await call('GET', `/api/v1/alerts?project=${P}&limit=60`);
      const statuses = ['handled', 'ignored', 'false-positive', 'open', 'handled'];
      for (const [i, a] of (list.items as { id: string }[]).entries()) await call('PATCH', `/api/v1/projects/${P}/alerts/${a.id}`, { status: statuses[i % 5] });
      await check('status changes');
      // The same subjects again, today: handled groups reopen, groups move to today.
      await alerts(P, 120, 0.2, 60, 'c');
      await check('repeats');
    });

    test('overlapping commits (the agent link runs two at once on PostgreSQL): shared groups and replayed IDs, no deadlock, each ID once', async () => {
      const before = Number((await sql<{ n: number }>`select count(*) as n from agent_alert_ids`.execute(db)).rows[0]!.n);
      const batch = (k: number) =>
        Array.from({ length: 40 }, (_, i) => {
          const j = (k * 25 + i) % 300; // neighbouring batches share 15 IDs (a replay)
          return {
            id: `overlap-${j}`,
            type: TYPES[j % TYPES.length]!,
            severity: (['critical', 'high', 'medium', 'low'] as const)[j % 4],
            time: new Date(now - (j % 3) * 86400_000).toISOString(),
            message: `overlap ${j}`,
            rule: 'test rule',
            host: 'node-1',
            container: { id: (j % 30).toString(16).padStart(64, '0') },
          };
        });
      // Each batch in reverse order of the one before: unordered writes would lock shared rows in opposite orders.
      const rounds = Array.from({ length: 12 }, (_, k) => (k % 2 ? batch(k).reverse() : batch(k)));
      await Promise.all(rounds.map((b) => ingestAlerts(s.ctx.store, P, b, undefined, { dedupeIds: true })));
      const ids = Number((await sql<{ n: number }>`select count(*) as n from agent_alert_ids`.execute(db)).rows[0]!.n);
      assert.equal(ids - before, 300, 'every distinct ID stored once (ids 0-299, 315 with the wrap-around repeats)');
      await check('overlapping commits');
    });

    test('rescans', async () => {
      for (const id of images[P]!.slice(0, 3)) await scan(P, id, 2 + Math.floor(r() * 50));
      await scan(P, images[P]![5]!, 20); // first scan of an unscanned image
      await scan(P, images[P]![4]!, 0); // nothing found any more
      await check('rescans');
    });

    test('ignores for one image and for all images, a cancel, an expiry lapsing', async () => {
      const soon = new Date(Date.now() + 3600_000).toISOString();
      const one = await call('POST', `/api/v1/projects/${P}/images/${images[P]![0]}/vuln-ignores`, { vulnId: 'CVE-2026-1001', reason: 'x' });
      await call('POST', `/api/v1/projects/${P}/vuln-ignores`, { vulnId: 'CVE-2026-1002', reason: 'y', expires: soon });
      const all = await call('POST', `/api/v1/projects/${P}/vuln-ignores`, { vulnId: 'CVE-2026-1003', reason: 'z' });
      await check('ignores');
      await call('DELETE', `/api/v1/projects/${P}/vuln-ignores/${all.id}`);
      await call('DELETE', `/api/v1/projects/${P}/images/${images[P]![0]}/vuln-ignores/${one.id}`);
      await check('ignores cancelled');
      const lapsed = await expireIgnores({ store: s.ctx.store, clock: () => new Date(Date.now() + 2 * 3600_000) });
      assert.equal(lapsed, 1);
      await check('expiry lapsed');
    });

    test('image deletion, project deletion, and the backfill gives the same tables', async () => {
      await call('DELETE', `/api/v1/projects/${P}/images/${images[P]![1]}`);
      await check('image deleted');
      await call('DELETE', `/api/v1/projects/${B}`);
      await check('project deleted');
      const left = await sql<{ n: number }>`select count(*) as n from overview_package_images where project_id = ${B}`.execute(db);
      assert.equal(Number(left.rows[0]!.n), 0);
      const before = await countersAndRecount(db);
      await db.transaction().execute((trx) => rebuildOverviewCounts(trx));
      assert.deepEqual((await countersAndRecount(db)).stored, before.stored);
    });
  });
}
