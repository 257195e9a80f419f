import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { InputError } from '../../core/errors.js';
import { readFeedThreatIps, VulnDb } from './db.js';
import { makeZip } from '../../core/analyzers/zip.test-helpers.js';
import { updateDb, type UpdateOptions } from './update.js';

const DEMO = new URL('../../../demo/advisories/', import.meta.url).pathname;
const debianZip = makeZip(
  ['DSA-5514-1', 'DSA-5532-1', 'DSA-5770-1'].map((id) => ({ name: `${id}.json`, data: readFileSync(join(DEMO, 'debian', `${id}.json`)) })),
);
const npmZip = makeZip(
  ['GHSA-35jh-r3h4-6jhm', 'GHSA-xvch-5gv4-984h'].map((id) => ({ name: `${id}.json`, data: readFileSync(join(DEMO, 'npm', `${id}.json`)) })),
);
const tracker = JSON.stringify({ tiff: { 'CVE-2023-0001': { releases: { bookworm: { status: 'open', urgency: 'low' } } } } });
const secdb = JSON.stringify({ distroversion: 'v3.19', reponame: 'main', packages: [{ pkg: { name: 'curl', secfixes: { '8.5.0-r0': ['CVE-2023-46218'] } } }] });
// A threat list in Spamhaus DROP's layout (`;` comments, `CIDR ; SBL id`) and one in Feodo Tracker's CSV layout.
const drop =
  '; Spamhaus DROP List 2026/12/07 - (c) 2026 The Spamhaus Project\r\n; Last-Modified: Mon, 07 Dec 2026 10:00:00 GMT\r\n1.10.16.0/20 ; SBL256894\r\n2.56.192.0/22 ; SBL459831\r\n203.0.113.7 ; SBL000001\r\n';
const feodo = [
  '################################################################',
  '# abuse.ch Feodo Tracker Botnet C2 IP Blocklist (CSV)           #',
  '################################################################',
  '#',
  '# "first_seen_utc","dst_ip","dst_port","c2_status","last_online","malware"',
  '"2021-01-17 07:44:46","51.178.161.32","4643","online","2026-12-06","Dridex"',
  '"2021-03-02 11:02:01","2001:db8:abcd::17","443","offline","2026-11-30","QakBot"',
  '# Number of entries: 2',
  '# END',
  '',
].join('\n');
const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

type Route = (res: import('node:http').ServerResponse) => void;
const send =
  (body: Buffer | string, headers: Record<string, string | number> = {}): Route =>
  (res) => {
    res.writeHead(200, { 'content-length': Buffer.byteLength(body), ...headers });
    res.end(body);
  };

async function serve(routes: Record<string, Route>): Promise<{ url: string; server: Server; hits: string[] }> {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    hits.push(req.url ?? '');
    const r = routes[req.url ?? ''];
    if (r) r(res);
    else {
      res.writeHead(404);
      res.end('not found');
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, hits };
}

const goodRoutes = (): Record<string, Route> => ({
  '/osv/Debian/all.zip': send(debianZip),
  '/osv/Debian/all.zip.sha256': send(`${sha(debianZip)}  all.zip\n`),
  '/osv/npm/all.zip': send(npmZip),
  '/tracker/json': send(tracker),
  '/alpine/v3.19/main.json': send(secdb),
  '/drop.txt': send(drop),
  '/ipblocklist.csv': send(feodo),
});

function opts(url: string, dbPath: string): UpdateOptions {
  return {
    dbPath,
    osvUrl: `${url}/osv`,
    osvEcosystems: ['Debian', 'npm'],
    debianTrackerUrl: `${url}/tracker/json`,
    alpineSecdbUrl: `${url}/alpine`,
    alpineBranches: ['v3.19'],
    feedOptions: { 'threat-ips': { urls: [`${url}/drop.txt`, `${url}/ipblocklist.csv`] } },
    timeoutMs: 10_000,
    // the test servers listen on loopback, which the outbound guard refuses unless allowlisted
    outboundAllow: '127.0.0.1',
  };
}

test('db update: downloads, verifies, imports and replaces the DB; failures keep the old DB', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-update-'));
  const dbPath = join(dir, 'db', 'vigil.db');
  const good = await serve(goodRoutes());
  try {
    const r = await updateDb(opts(good.url, dbPath));
    assert.equal(r.downloads.length, 6, 'community.json 404 is optional');
    assert.equal(r.threatIps, 5);
    assert.deepEqual(readFeedThreatIps(dbPath, 100), {
      cidrs: ['1.10.16.0/20', '2.56.192.0/22', '2001:db8:abcd::17/128', '203.0.113.7/32', '51.178.161.32/32'],
      total: 5,
    });
    assert.deepEqual(readFeedThreatIps(dbPath, 2).cidrs.length, 2, 'bounded read');
    assert.equal(r.downloads.find((d) => d.url.endsWith('/Debian/all.zip'))?.verified, true);
    assert.equal(r.stats.advisories, 3 + 2 + 1 + 1);
    const db = VulnDb.open(dbPath);
    const info = db.info(0);
    db.close();
    assert.deepEqual(
      info.sources.map((s) => `${s.name} ${s.records}`),
      ['alpine 1', 'debian 4', 'ghsa 2', 'threat-ips 5'],
    );
    assert.match(info.sources.find((s) => s.name === 'alpine')!.origin, /\/alpine\/v3\.19\/main\.json$/);
    assert.deepEqual(readdirSync(join(dir, 'db')), ['vigil.db'], 'downloads and temp files removed');
    const before = readFileSync(dbPath);

    const failures: Array<[string, Record<string, Route>, string, Partial<UpdateOptions>?]> = [
      ['checksum mismatch', { ...goodRoutes(), '/osv/Debian/all.zip.sha256': send(`${'0'.repeat(64)}  all.zip\n`) }, 'DOWNLOAD_CHECKSUM'],
      [
        'server error',
        {
          ...goodRoutes(),
          '/tracker/json': (res) => {
            res.writeHead(500);
            res.end('boom');
          },
        },
        'DOWNLOAD_FAILED',
      ],
      [
        'truncated body',
        {
          ...goodRoutes(),
          '/tracker/json': (res) => {
            res.writeHead(200, { 'content-length': 1000 });
            res.end(tracker.slice(0, 10));
          },
        },
        'DOWNLOAD_',
      ],
      ['not JSON', { ...goodRoutes(), '/tracker/json': send('<html>maintenance</html>') }, 'VULNDB_JSON'],
      ['threat list with a bad line', { ...goodRoutes(), '/drop.txt': send('1.10.16.0/20 ; SBL1\n<html>maintenance</html>\n') }, 'THREAT_IP_INVALID'],
      ['threat list with a bad CIDR', { ...goodRoutes(), '/ipblocklist.csv': send('"2021-01-17","10.0.0.0/33","1","online","x","y"\n') }, 'THREAT_IP_INVALID'],
      ['not a zip', { ...goodRoutes(), '/osv/npm/all.zip': send('PK\u0003\u0004garbage') }, 'ZIP_INVALID'],
      ['too large', goodRoutes(), 'LIMIT_DOWNLOAD_SIZE', { maxDownloadBytes: 100 }],
      [
        'missing feed',
        {
          ...goodRoutes(),
          '/alpine/v3.19/main.json': (res) => {
            res.writeHead(404);
            res.end();
          },
        },
        'DOWNLOAD_FAILED',
      ],
    ];
    for (const [what, routes, code, extra] of failures) {
      const s = await serve(routes);
      try {
        await assert.rejects(updateDb({ ...opts(s.url, dbPath), ...extra }), (e: unknown) => e instanceof InputError && e.code.startsWith(code), what);
      } finally {
        s.server.close();
      }
      assert.deepEqual(readFileSync(dbPath), before, `${what}: old DB untouched`);
      assert.deepEqual(readdirSync(join(dir, 'db')), ['vigil.db'], `${what}: nothing left behind`);
    }
    await assert.rejects(
      updateDb({ ...opts(good.url, dbPath), sources: ['osv', 'nope'] }),
      (e: unknown) => e instanceof InputError && /unknown source/.test(e.message),
    );
  } finally {
    good.server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('db update: feed downloads go through the outbound guard (loopback refused unless allowlisted, redirects checked)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-update-'));
  const dbPath = join(dir, 'db', 'vigil.db');
  const good = await serve(goodRoutes());
  const port = new URL(good.url).port;
  // An allowlisted feed server that redirects to another loopback address (not allowlisted).
  const redirecting = await serve({
    ...goodRoutes(),
    '/tracker/json': (res) => {
      res.writeHead(302, { location: `http://127.0.0.2:${port}/tracker/json` });
      res.end();
    },
  });
  try {
    for (const allow of [undefined, '', '10.0.0.0/8']) {
      const o = { ...opts(good.url, dbPath), outboundAllow: allow };
      await assert.rejects(
        updateDb(o),
        (e: unknown) =>
          e instanceof InputError &&
          e.code === 'OUTBOUND_REFUSED' &&
          /^http:\/\/127\.0\.0\.1:\d+\/osv\/Debian\/all\.zip: connection to 127\.0\.0\.1 refused: loopback address; allow it with --outbound-allow or VIGIL_OUTBOUND_ALLOW$/.test(
            e.message,
          ),
        `allow ${JSON.stringify(allow)}`,
      );
    }
    assert.deepEqual(good.hits, [], 'nothing reached the loopback server');
    await assert.rejects(
      updateDb({ ...opts(redirecting.url, dbPath), sources: ['debian'] }),
      (e: unknown) => e instanceof InputError && e.code === 'OUTBOUND_REFUSED' && /127\.0\.0\.2 refused: loopback address/.test(e.message),
    );
    assert.deepEqual(redirecting.hits, ['/tracker/json']);
    await assert.rejects(
      updateDb({ ...opts(good.url, dbPath), outboundAllow: 'localhost' }),
      (e: unknown) => e instanceof InputError && /outbound allowlist: not an IP address or CIDR range: "localhost"/.test(e.message),
    );
    // allowlisted (an address or a range): downloaded
    for (const allow of ['127.0.0.1', '127.0.0.0/8']) {
      const r = await updateDb({ ...opts(good.url, dbPath), outboundAllow: allow });
      assert.equal(r.downloads.length, 6);
    }
  } finally {
    good.server.close();
    redirecting.server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
