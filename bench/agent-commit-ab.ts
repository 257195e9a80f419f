// The agent link's commit on PostgreSQL, A/B in one run (issue 12's
// PostgreSQL p99): the same alert commits (batches of --batch alerts over
// 500 container subjects, as agent-bench's agents send, each alert ID
// deduplicated as the link does) into one project, rounds alternating
// between arms so both see the same machine load:
//   triggers on:  the overview counters kept by migration 0018's triggers;
//   triggers off: the same tables with the alerts' triggers disabled
//                 (ALTER TABLE ... DISABLE TRIGGER USER, a test-only switch).
// Per arm: the PostgreSQL backend's CPU time per commit (from
// /proc/PID/schedstat, nanoseconds: the database is on this machine) and
// the commit's wall time p50/p99 (seen from here, so load-sensitive).
//
//   node --import tsx bench/agent-commit-ab.ts [--batch 50] [--rounds 40] [--per-round 20]
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { openStore } from '../src/node/store/store.js';
import { newId } from '../src/node/store/ids.js';
import { ingestAlerts } from '../src/node/store/alert-groups.js';
import type { Alert } from '../src/core/alerts/types.js';
import { argOf, percentile } from './lib/args.js';

const arg = argOf;
const BATCH = Number(arg('batch', '50'));
const ROUNDS = Number(arg('rounds', '40'));
const PER_ROUND = Number(arg('per-round', '20'));
const PG_URL = process.env.VIGIL_TEST_PG_URL || 'postgres://vigil:vigil@127.0.0.1:5432/vigil_test';

const pct = percentile;
/** Nanoseconds a process has run on a CPU. */
const cpuNs = (pid: number) => Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]);

const schema = `bench_${randomBytes(4).toString('hex')}`;
const store = await openStore(`${PG_URL}${PG_URL.includes('?') ? '&' : '?'}schema=${schema}`, { poolSize: 1 });
const admin = new pg.Client({ connectionString: PG_URL });
await admin.connect();
try {
  const project = newId();
  await store.db.insertInto('projects').values({ id: project, name: 'ab', description: '', rescan_cron: '', created_at: new Date().toISOString() }).execute();
  const backend = (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(store.db)).rows[0]!.pid;
  let seq = 0;
  const batch = (): Alert[] =>
    Array.from({ length: BATCH }, () => {
      const j = seq++;
      return {
        id: `ab-${j}`,
        type: 'system/reverse-shell',
        severity: 'critical',
        time: new Date().toISOString(),
        message: `bench alert ${j}`,
        rule: 'bench',
        host: 'bench-node',
        container: { id: (j % 500).toString(16).padStart(64, '0'), name: `c${j % 500}`, image: 'registry.example/app:1' },
        process: { pid: 1000 + (j % 100), name: 'bash', exepath: '/bin/bash', cmdline: 'bash -i' },
      };
    });
  // Warm-up: every subject's group exists, plans are cached.
  for (let i = 0; i < 20; i++) await ingestAlerts(store, project, batch(), undefined, { dedupeIds: true });
  const arms = { on: { cpu: 0, wall: [] as number[] }, off: { cpu: 0, wall: [] as number[] } };
  for (let r = 0; r < ROUNDS; r++) {
    const arm = r % 2 === 0 ? 'on' : 'off';
    await admin.query(`alter table ${schema}.alerts ${arm === 'on' ? 'enable' : 'disable'} trigger user`);
    const c0 = cpuNs(backend);
    for (let i = 0; i < PER_ROUND; i++) {
      const list = batch();
      const t0 = performance.now();
      await ingestAlerts(store, project, list, undefined, { dedupeIds: true });
      arms[arm].wall.push(performance.now() - t0);
    }
    arms[arm].cpu += cpuNs(backend) - c0;
  }
  await admin.query(`alter table ${schema}.alerts enable trigger user`);
  const n = (ROUNDS / 2) * PER_ROUND;
  process.stdout.write(
    `\nagent commit A/B on PostgreSQL: ${BATCH} alerts per commit, ${n} commits per arm, load average ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}\n\n| arm | PostgreSQL backend CPU per commit | commit wall p50 | p99 |\n| --- | --- | --- | --- |\n`,
  );
  for (const [k, a] of Object.entries(arms))
    process.stdout.write(`| triggers ${k} | ${(a.cpu / n / 1e6).toFixed(2)} ms | ${pct(a.wall, 50).toFixed(1)} ms | ${pct(a.wall, 99).toFixed(1)} ms |\n`);
} finally {
  await store.close();
  for (const s of [schema, `${schema}_boss`]) await admin.query(`drop schema if exists ${s} cascade`);
  await admin.end();
}
