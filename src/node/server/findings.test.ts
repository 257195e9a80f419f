// Image findings over the API, on SQLite and PostgreSQL, after a real scan of
// a docker-archive Debian image against a real vulnerability DB: ignores match
// like the CLI's ignore file (an alias, a source package), ignored findings
// are left out before paging (full pages), and `severity=` takes the CLI's
// comma-separated list.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeDockerArchive } from '../../../test/helpers/image-builder.js';
import { DbWriter } from '../vulndb/db.js';
import { importPaths } from '../vulndb/import.js';
import { STORE_KINDS } from '../store/store.test-helpers.js';
import { Scheduler } from '../jobs/scheduler.js';
import { startTestServer, waitScan, type TestServer } from './server.test-helpers.js';

const OS_RELEASE = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n';
// Five binary packages, each built from its own source package (src1..src5).
const PKGS = [1, 2, 3, 4, 5].map((i) => ({ name: `bin${i}`, source: `src${i}` }));
const CVSS = {
  critical: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
  high: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N',
  medium: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:L/I:L/A:N',
  low: 'CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N',
};
const SEVERITY_OF = ['critical', 'high', 'medium', 'low', 'critical'] as const;

async function buildFixtures(dir: string): Promise<{ image: string; db: string }> {
  const image = join(dir, 'image.tar');
  const status = PKGS.map(
    (p) => `Package: ${p.name}\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1.0-1\nSource: ${p.source}\nDescription: ${p.name}\n`,
  ).join('\n');
  await writeDockerArchive(image, {
    layers: [
      {
        files: [
          { path: 'etc/os-release', content: OS_RELEASE },
          { path: 'var/lib/dpkg/status', content: status },
        ],
      },
    ],
  });
  const src = mkdtempSync(join(dir, 'osv-'));
  PKGS.forEach((p, i) => {
    writeFileSync(
      join(src, `dsa-${i + 1}.json`),
      JSON.stringify({
        id: `DSA-${i + 1}-1`,
        modified: '2026-01-01T00:00:00Z',
        summary: `${p.source} issue`,
        upstream: [`CVE-2026-000${i + 1}`],
        severity: [{ type: 'CVSS_V3', score: CVSS[SEVERITY_OF[i]!] }],
        affected: [{ package: { ecosystem: 'Debian:12', name: p.source }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.0-2' }] }] }],
      }),
    );
  });
  const db = join(dir, 'vigil.db');
  const w = DbWriter.open(db, { fresh: true });
  await importPaths(w, [src]);
  w.commit();
  return { image, db };
}

let dir: string;
let fixtures: { image: string; db: string };
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-findings-'));
  fixtures = await buildFixtures(dir);
});
after(() => rmSync(dir, { recursive: true, force: true }));

for (const kind of STORE_KINDS) {
  describe(`image findings (${kind})`, () => {
    let s: TestServer;
    before(async () => {
      s = await startTestServer(kind, { vulnDb: fixtures.db });
    });
    after(async () => s.cleanup());

    let P: string;
    let t: string;
    let base: string;
    const counts = async () => {
      const r = (await s.call('GET', base, t)).body;
      return [r.critical, r.high, r.medium, r.low];
    };

    test('ignores match like the ignore file: the id, an alias, the source package', async () => {
      P = s.defaultProjectId;
      t = s.adminToken;
      const img = await s.call('POST', `/api/v1/projects/${P}/images`, t, { ref: `docker-archive:${fixtures.image}`, scan: true });
      assert.equal(img.status, 201, JSON.stringify(img.body));
      const scan = await waitScan(s, P, img.body.scanId);
      assert.equal(scan.status, 'succeeded', scan.error);
      base = `/api/v1/projects/${P}/images/${img.body.id}`;
      const all = await s.call('GET', `${base}/findings?kind=vuln&sort=refId&limit=50`, t);
      assert.deepEqual(
        all.body.items.map((f: any) => [f.refId, f.package, f.severity, f.ignored]),
        PKGS.map((p, i) => [`CVE-2026-000${i + 1}`, p.name, SEVERITY_OF[i], false]),
      );
      assert.deepEqual(await counts(), [2, 1, 1, 1]);

      // Project-wide by the finding's id; by an alias (the DSA) for this image; by id + source package.
      assert.equal((await s.call('POST', `/api/v1/projects/${P}/vuln-ignores`, t, { vulnId: 'CVE-2026-0001', reason: 'not reachable' })).status, 201);
      assert.equal((await s.call('POST', `${base}/vuln-ignores`, t, { vulnId: 'DSA-2-1' })).status, 201);
      assert.equal((await s.call('POST', `/api/v1/projects/${P}/vuln-ignores`, t, { vulnId: 'CVE-2026-0003', package: 'src3' })).status, 201);
      // Names another package: ignores nothing.
      assert.equal((await s.call('POST', `/api/v1/projects/${P}/vuln-ignores`, t, { vulnId: 'CVE-2026-0004', package: 'src5' })).status, 201);
      assert.deepEqual(await counts(), [1, 0, 0, 1], 'ignored findings leave the counts');
      const marked = (await s.call('GET', `${base}/findings?kind=vuln&sort=refId`, t)).body.items;
      assert.deepEqual(
        marked.map((f: any) => f.ignored),
        [true, true, true, false, false],
      );
      assert.equal(marked[0].ignoreReason, 'not reachable');
      assert.equal(marked[3].ignoreReason, undefined);
    });

    test('includeIgnored=false leaves ignored findings out before paging (no short pages)', async () => {
      const pages: string[][] = [];
      let next: string | undefined;
      do {
        const r = await s.call('GET', `${base}/findings?kind=vuln&sort=refId&limit=1&includeIgnored=false${next ? `&cursor=${next}` : ''}`, t);
        assert.equal(r.status, 200, JSON.stringify(r.body));
        pages.push(r.body.items.map((f: any) => f.refId));
        next = r.body.next;
      } while (next && pages.length < 10);
      assert.deepEqual(
        pages.filter((p) => p.length),
        [['CVE-2026-0004'], ['CVE-2026-0005']],
      );
      assert.deepEqual(pages[0], ['CVE-2026-0004'], 'no short page before the first kept finding');
    });

    test("severity= takes the CLI's comma-separated list; an unknown name is a 400 naming it", async () => {
      const sev = await s.call('GET', `${base}/findings?kind=vuln&sort=refId&severity=critical,HIGH`, t);
      assert.equal(sev.status, 200, JSON.stringify(sev.body));
      assert.deepEqual(
        sev.body.items.map((f: any) => f.refId),
        ['CVE-2026-0001', 'CVE-2026-0002', 'CVE-2026-0005'],
      );
      const both = await s.call('GET', `${base}/findings?kind=vuln&severity=critical&includeIgnored=false`, t);
      assert.deepEqual(
        both.body.items.map((f: any) => f.refId),
        ['CVE-2026-0005'],
      );
      const docs = (await s.call('GET', '/api/docs/json')).body;
      const param = docs.paths['/api/v1/projects/{projectId}/images/{imageId}/findings'].get.parameters.find(
        (p: any) => p.name === 'severity' && p.in === 'query',
      );
      assert.match(param.description, /comma-separated severities to keep: critical, high, medium, low, info, unknown/);
      const bad = await s.call('GET', `${base}/findings?kind=vuln&severity=high,urgent`, t);
      assert.equal(bad.status, 400);
      assert.deepEqual(bad.body, { error: 'BAD_SEVERITY', message: 'severity: unknown value urgent (one of critical, high, medium, low, info, unknown)' });
    });

    test('image list filters: reference substring (wildcards literal), fixable, latest scan status', async () => {
      writeFileSync(join(dir, 'broken.tar'), 'not a tar archive');
      const broken = await s.call('POST', `/api/v1/projects/${P}/images`, t, { ref: `docker-archive:${join(dir, 'broken.tar')}`, scan: true });
      assert.equal(broken.status, 201, JSON.stringify(broken.body));
      assert.equal((await waitScan(s, P, broken.body.scanId)).status, 'failed');
      const plain = await s.call('POST', `/api/v1/projects/${P}/images`, t, { ref: 'registry:registry.example.invalid/team/app_1:2.0' });
      assert.equal(plain.status, 201, JSON.stringify(plain.body));
      const ids = async (q: string) => {
        const r = await s.call('GET', `/api/v1/projects/${P}/images?${q}&limit=50`, t);
        assert.equal(r.status, 200, JSON.stringify(r.body));
        return r.body.items.map((i: any) => i.ref).sort();
      };
      const scanned = `docker-archive:${fixtures.image}`;
      assert.deepEqual(await ids('name=IMAGE.TAR'), [scanned]);
      assert.deepEqual(await ids('name=app_1'), ['registry:registry.example.invalid/team/app_1:2.0']);
      assert.deepEqual(await ids('name=app%25'), [], '% is literal');
      assert.deepEqual(await ids('name=p_p'), [], '_ is literal');
      assert.deepEqual(await ids('fixable=true'), [scanned]);
      assert.deepEqual(await ids('fixable=false'), [`docker-archive:${join(dir, 'broken.tar')}`, 'registry:registry.example.invalid/team/app_1:2.0'].sort());
      assert.deepEqual(await ids('scanStatus=failed'), [`docker-archive:${join(dir, 'broken.tar')}`]);
      assert.deepEqual(await ids('scanStatus=succeeded'), [scanned]);
      assert.deepEqual(await ids('scanStatus=succeeded&fixable=false'), []);
      assert.equal((await s.call('GET', `/api/v1/projects/${P}/images?scanStatus=done`, t)).status, 400);
    });

    test('cancelling an ignore brings the finding back', async () => {
      const list = (await s.call('GET', `/api/v1/projects/${P}/vuln-ignores`, t)).body.items;
      const first = list.find((i: any) => i.vulnId === 'CVE-2026-0001');
      assert.equal((await s.call('DELETE', `/api/v1/projects/${P}/vuln-ignores/${first.id}`, t)).status, 200);
      assert.deepEqual(await counts(), [2, 0, 0, 1]);
    });

    test('an ignore with an expiry lapses at that time: the finding counts again, the row stays as history, the trail says so once', async () => {
      const day = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);
      const past = await s.call('POST', `/api/v1/projects/${P}/vuln-ignores`, t, { vulnId: 'CVE-2026-0004', expires: day(-1) });
      assert.equal(past.status, 400);
      assert.equal(past.body.error, 'IGNORE_EXPIRES_PAST');
      const junk = await s.call('POST', `/api/v1/projects/${P}/vuln-ignores`, t, { vulnId: 'CVE-2026-0004', expires: 'next tuesday' });
      assert.deepEqual([junk.status, junk.body.error], [400, 'IGNORE_EXPIRES_INVALID']);
      const ig = await s.call('POST', `/api/v1/projects/${P}/vuln-ignores`, t, { vulnId: 'CVE-2026-0004', reason: 'until the fix ships', expires: day(2) });
      assert.equal(ig.status, 201, JSON.stringify(ig.body));
      assert.deepEqual(await counts(), [2, 0, 0, 0]);
      const listed = (await s.call('GET', `/api/v1/projects/${P}/vuln-ignores`, t)).body.items.find((i: any) => i.id === ig.body.id);
      assert.deepEqual([listed.expiresAt, listed.expired], [`${day(2)}T00:00:00.000Z`, false]);

      // The scheduler's clock moves; the server's (and its session) stays.
      let offsetMs = 0;
      const scheduler = new Scheduler({ store: s.ctx.store, scans: s.ctx.scans, clock: () => new Date(Date.now() + offsetMs) });
      await scheduler.tick();
      assert.deepEqual(await counts(), [2, 0, 0, 0], 'not yet due');
      offsetMs = 3 * 86_400_000;
      await scheduler.tick();
      await scheduler.tick();
      assert.deepEqual(await counts(), [2, 0, 0, 1], 'the finding counts again');
      const after = (await s.call('GET', `/api/v1/projects/${P}/vuln-ignores`, t)).body.items.find((i: any) => i.id === ig.body.id);
      assert.equal(after.expired, true);
      const marked = (await s.call('GET', `${base}/findings?kind=vuln&ruleId=CVE-2026-0004`, t)).body.items;
      assert.deepEqual(
        marked.map((f: any) => f.ignored),
        [false],
      );
      const trail = (await s.call('GET', `/api/v1/audit?event=cancelIgnoreVul&limit=100`, t)).body.items.filter((r: any) => r.resourceId === ig.body.id);
      assert.equal(trail.length, 1, 'one record however many ticks');
      assert.equal(trail[0].username, 'system');
      assert.equal(trail[0].summary.expired, listed.expiresAt);
    });
  });
}
