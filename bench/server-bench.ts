// Management server benchmark, SQLite and PostgreSQL side by side:
//  (a) alert ingest through POST /api/v1/alerts:batch (batches of 1000,
//      many new groups), alerts/s, target >= 20k/s on SQLite;
//  (b) GET /api/v1/alerts with filters over N stored alert groups (default
//      1M), p50/p99 latency, target p99 < 50 ms; first pages and a deep
//      keyset page.
// Load comes from autocannon in this process; the server runs as its own
// process (`vigil server`, compiled dist when built, else through tsx).
//
//   node --import tsx bench/server-bench.ts [--alerts 1000000] [--duration 10] [--only sqlite|postgres]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import autocannon from 'autocannon';
import pg from 'pg';
import { openStore, type Store } from '../src/node/store/store.js';
import { newId } from '../src/node/store/ids.js';
import { ALERT_CATALOG } from '../src/core/alerts/catalog.js';
import { SEVERITIES } from '../src/core/alerts/types.js';
import { ingestAlerts } from '../src/node/store/alert-groups.js';
import type { Alert } from '../src/core/alerts/types.js';
import { sql } from 'kysely';
import { PASSWORD, startServer } from './lib/vigil.js';
import type { Proc } from '../test/e2e/agent/harness.js';
import { argOf } from './lib/args.js';

const arg = argOf;
const N = Number(arg('alerts', process.env.BENCH_ALERTS ?? '1000000'));
const DURATION = Number(arg('duration', '10'));
const ONLY = arg('only', '');
const PG_URL = process.env.VIGIL_TEST_PG_URL || 'postgres://vigil:vigil@127.0.0.1:5432/vigil_test';
const PROJECTS = 10;

async function seed(store: Store): Promise<string[]> {
  const now = new Date().toISOString();
  const projects = Array.from({ length: PROJECTS }, (_, i) => ({ id: newId(), name: `bench-${i}`, description: '', rescan_cron: '', created_at: now }));
  await store.db.insertInto('projects').values(projects).execute();
  const base = Date.UTC(2026, 0, 1);
  const chunk = 5000;
  const t0 = Date.now();
  // Through the ingest path itself (grouping + upsert fast paths), one group per alert.
  for (let i = 0; i < N; i += chunk) {
    const byProject = new Map<string, Alert[]>();
    for (let j = i; j < Math.min(N, i + chunk); j++) {
      const p = projects[j % PROJECTS]!.id;
      const a: Alert = {
        id: `s${j}`,
        type: ALERT_CATALOG[j % ALERT_CATALOG.length]!.id,
        severity: SEVERITIES[Math.floor(j / PROJECTS) % 5]!,
        time: new Date(base + ((j * 2654435761) % 2_592_000) * 1000).toISOString(),
        message: `alert ${j}`,
        rule: 'bench',
        host: `node-${j % 50}`,
        container: { id: j.toString(16).padStart(64, '0') },
      };
      const list = byProject.get(p) ?? [];
      list.push(a);
      byProject.set(p, list);
    }
    for (const [p, list] of byProject) await ingestAlerts(store, p, list);
    if (i % 200_000 === 0 && i) process.stderr.write(`  seeded ${i} in ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
  }
  // Spread statuses: a sixteenth each handled, ignored, false-positive.
  for (const [digit, status] of [
    ['1', 'handled'],
    ['2', 'ignored'],
    ['3', 'false-positive'],
  ] as const) {
    await store.db.updateTable('alerts').set({ status }).where('subject', 'like', `%${digit}`).execute();
  }
  // What autovacuum does on a live PostgreSQL: statistics, and the visibility map index-only scans need.
  await sql.raw(store.dialect === 'postgres' ? 'vacuum analyze alerts' : 'analyze').execute(store.db);
  process.stderr.write(`  seeded ${N} alert groups in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  return projects.map((p) => p.id);
}

function cannon(opts: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon(opts, (err, res) => (err ? reject(err) : resolve(res)));
  });
}

function alertBatch(seed: number, size: number): string {
  const alerts = [];
  for (let i = 0; i < size; i++) {
    const k = seed * size + i;
    alerts.push({
      id: `b${k}`,
      type: ALERT_CATALOG[k % ALERT_CATALOG.length]!.id,
      severity: SEVERITIES[k % 5],
      time: new Date(Date.UTC(2026, 1, 1) + k).toISOString(),
      message: `bench alert ${k}`,
      rule: 'bench',
      host: `node-${k % 50}`,
      container: { id: (k % 5000).toString(16).padStart(64, '0'), name: `c${k % 5000}`, image: 'registry.example/app:1' },
      process: { pid: 1000 + (k % 100), name: 'bash', exepath: '/bin/bash', cmdline: 'bash -i' },
    });
  }
  return JSON.stringify({ alerts });
}

interface Row {
  backend: string;
  what: string;
  value: string;
  target: string;
}

async function runBackend(kind: 'sqlite' | 'postgres', rows: Row[]): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-bench-'));
  const schema = `bench_${randomBytes(4).toString('hex')}`;
  const db = kind === 'sqlite' ? `sqlite:${join(dataDir, 'vigil.db')}` : `${PG_URL}${PG_URL.includes('?') ? '&' : '?'}schema=${schema}`;
  let server: { p: Proc; url: string } | undefined;
  try {
    process.stderr.write(`${kind}: seeding ${N} alert groups\n`);
    const store = await openStore(db);
    const projects = await seed(store);
    await store.close();
    server = await startServer(db, dataDir, ['--role', 'api']);
    const login = await fetch(`${server.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: PASSWORD }),
    });
    const { token } = (await login.json()) as { token: string };
    const auth = { authorization: `Bearer ${token}` };

    // (b) queries first, on the seeded store
    const P = projects[3]!;
    const deep = (await fetch(`${server.url}/api/v1/alerts?project=${P}&limit=500`, { headers: auth }).then((r) => r.json())) as { next: string };
    const queries: Array<[string, string]> = [
      ['project, newest 50', `/api/v1/alerts?project=${P}`],
      ['project+status+severity', `/api/v1/alerts?project=${P}&status=open&severity=critical`],
      ['project+type', `/api/v1/alerts?project=${P}&type=system/reverse-shell`],
      ['all projects+status', '/api/v1/alerts?status=handled&limit=50'],
      ['all projects+type', '/api/v1/alerts?type=cluster/pod-abnormal&limit=50'],
      ['project, page 2 (cursor)', `/api/v1/alerts?project=${P}&cursor=${deep.next}`],
    ];
    for (const [name, path] of queries) {
      const r = await cannon({ url: `${server.url}${path}`, headers: auth, connections: 8, duration: DURATION });
      if (r.non2xx) throw new Error(`${name}: ${r.non2xx} non-2xx responses`);
      rows.push({
        backend: kind,
        what: `GET alerts: ${name}`,
        value: `p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, ${Math.round(r.requests.average)} req/s`,
        target: r.latency.p99 < 50 ? 'p99 < 50 ms: met' : 'p99 < 50 ms: NOT met',
      });
    }

    // (a) ingest: 1000 alerts per request, rotating bodies with new and repeated groups
    const bodies = Array.from({ length: 40 }, (_, i) => alertBatch(i, 1000));
    let k = 0;
    const r = await cannon({
      url: `${server.url}/api/v1/alerts:batch?project=${projects[0]}`,
      connections: 4,
      duration: DURATION,
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      requests: [{ setupRequest: (req: any) => ({ ...req, body: bodies[k++ % bodies.length] }) }],
    });
    if (r.non2xx) throw new Error(`ingest: ${r.non2xx} non-2xx responses`);
    const perSec = Math.round((r.requests.total * 1000) / r.duration);
    rows.push({
      backend: kind,
      what: 'POST alerts:batch (1000/request)',
      value: `${perSec} alerts/s, p99 ${r.latency.p99} ms per batch`,
      target: kind === 'sqlite' ? (perSec >= 20_000 ? '>= 20k/s: met' : '>= 20k/s: NOT met') : 'reported',
    });
  } finally {
    if (server) {
      server.p.proc.kill('SIGTERM');
      await server.p.exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
    if (kind === 'postgres') {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`drop schema if exists ${schema} cascade`);
      await c.query(`drop schema if exists ${schema}_boss cascade`);
      await c.end();
    }
  }
}

const rows: Row[] = [];
for (const kind of ['sqlite', 'postgres'] as const) {
  if (ONLY && ONLY !== kind) continue;
  await runBackend(kind, rows);
}
process.stdout.write(`\nVigil server benchmark: ${N} stored alert groups, ${DURATION} s per measurement, autocannon on loopback\n\n`);
process.stdout.write('| backend | measurement | result | target |\n| --- | --- | --- | --- |\n');
for (const r of rows) process.stdout.write(`| ${r.backend} | ${r.what} | ${r.value} | ${r.target} |\n`);
