// Agent link benchmark (issue 12's performance section), on loopback:
//  (a) N agents (default 200: real gRPC streams with real mTLS client
//      certificates from the real enrollment, the agent's own Sender and
//      on-disk queue) each sending R alerts/s (default 5) to one `vigil
//      server` process: latency from the alert's creation on the agent to
//      the server's acknowledgement (sent only after the commit, so an upper
//      bound of creation -> commit), server CPU and RSS; SQLite and
//      PostgreSQL. The agents run in --procs load generator processes
//      (default 4, bench/lib/agent-gen.ts) so that one process's event loop
//      does not delay every agent; each reports its samples and its own
//      event-loop delay, and the percentiles are exact over all samples.
//      Floor: the same alerts committed through the store's ingest
//      function directly (no gRPC, no validation, no dedup table), CPU per
//      1,000 alerts, and the ratio.
//  (b) policy fan-out: a policy created or deleted through the REST API,
//      until the last of the N agents has received the new policy set.
//  (c) agent idle overhead: one real `vigil agent` with the default sensors
//      (eBPF: root, bpftrace, tracefs) on this node, CPU of one core and RSS
//      of the agent and its bpftrace child (needs root; skipped otherwise);
//      on stderr a breakdown per process (CPU, context switches, RSS, PSS,
//      private/shared, largest mappings) and V8's view of the node process
//      (heap, code space, compiled scripts by package: bench/lib/node-probe.mjs).
//      Twice: first the peer, with the pages only the start used left
//      resident (VIGIL_KEEP_STARTUP_PAGES=1: bpftrace's LLVM, node's start-up
//      code), then as shipped, and the ratios (BENCH_IDLE_PEER=0: one run).
//      The agent runs a copy of this node binary, as in its image, where no
//      other process of the host maps that file (BENCH_AGENT_SHARED_NODE=1:
//      this one).
//
//  --ab-triggers S (PostgreSQL): an A/B in the same run: the overview
//      counters' triggers on the alerts table are disabled and enabled again
//      every S seconds while measuring (ALTER TABLE ... DISABLE TRIGGER, a
//      test-only switch: the counters drift while off), and the latencies
//      are reported per phase (by the alert's creation time).
//
//   node --import tsx bench/agent-bench.ts [--agents 200] [--rate 5] [--seconds 30] [--only sqlite|postgres|idle] [--idle 30] [--ab-triggers 5] [--procs 4]
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { fork, type ChildProcess } from 'node:child_process';
import { enrollOrLoad } from '../src/node/agent/link-client.js';
import { openStore } from '../src/node/store/store.js';
import { newId } from '../src/node/store/ids.js';
import { ingestAlerts } from '../src/node/store/alert-groups.js';
import type { Alert } from '../src/core/alerts/types.js';
import { Api, cluster, stop, until, type Proc } from '../test/e2e/agent/harness.js';
import { commOf, contextSwitches, cpuSeconds, majorFaults, memoryKiB, processTree, residentByMapping, rssKiB, smapsRollupKiB } from './lib/proc.js';
import { agentLauncherNodeArgs, startServer, vigil } from './lib/vigil.js';
import { argOf, percentile } from './lib/args.js';
import type { FromGen, GenResult, ToGen } from './lib/agent-gen.js';
import { diffHistogram, histMaxBound, histQuantile, readHistogram, type Hist } from './lib/prom.js';

const arg = argOf;
const AGENTS = Number(arg('agents', '200'));
const RATE = Number(arg('rate', '5'));
const SECONDS = Number(arg('seconds', '30'));
const IDLE = Number(arg('idle', '30'));
const ONLY = arg('only', '');
const AB_TRIGGERS = Number(arg('ab-triggers', '0'));
const PROCS = Number(arg('procs', '4'));
const PG_URL = process.env.VIGIL_TEST_PG_URL || 'postgres://vigil:vigil@127.0.0.1:5432/vigil_test';
const now = () => performance.timeOrigin + performance.now();

const pct = percentile;

interface Result {
  kind: string;
  sent: number;
  acked: number;
  /** Not acknowledged within 30 s after the load stopped. */
  unacked: number;
  /** Per alert: creation -> acknowledged; its part before the Sender read it for the stream (agent-side wait). */
  lat: number[];
  sendWait: number[];
  serverCpuS: number;
  serverRssMiB: number;
  /** The generators' CPU (all of them) while measuring. */
  clientCpuS: number;
  /** Each generator's event-loop delay while measuring, ms. */
  genLoops: Array<{ agents: number; p50: number; p99: number; max: number }>;
  /** Acknowledgement messages that carried measured alerts. */
  batches: number;
  /** --ab-triggers: latencies of the alerts created while the overview triggers were on / off. */
  ab?: { on: number[]; off: number[] };
  fanout: number[];
  floorCpuPer1k: number;
  /** PostgreSQL: one-row durable commits timed during the window, from their own connection (the disk's floor under this load). */
  commitFloor?: number[];
  /** The server's own timings over the measured window (its /metrics histograms). */
  server: Record<(typeof SERVER_HISTOGRAMS)[number], Hist>;
}

/** The server's histograms the bench reads (src/node/agent/link-server.ts, src/node/server/metrics.ts). */
const SERVER_HISTOGRAMS = [
  'vigil_agent_stream_wait_seconds',
  'vigil_agent_commit_wait_seconds',
  'vigil_agent_commit_seconds',
  'vigil_agent_commit_alerts',
  'vigil_agent_ack_seconds',
  'vigil_event_loop_delay_seconds',
] as const;

async function serverHistograms(url: string, token: string): Promise<Result['server']> {
  const r = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
  if (r.status !== 200) throw new Error(`GET /metrics: ${r.status}`);
  const text = await r.text();
  return Object.fromEntries(SERVER_HISTOGRAMS.map((n) => [n, readHistogram(text, n)])) as Result['server'];
}

/** A generator child process (bench/lib/agent-gen.ts) and the messages it sent. */
interface Gen {
  child: ChildProcess;
  agents: number;
  results: Promise<GenResult>;
  stopped: Promise<void>;
}

function forkGen(onRev: (m: Extract<FromGen, { op: 'rev' }>) => void): Gen {
  const child = fork(join(import.meta.dirname, 'lib', 'agent-gen.ts'), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let gotResult: (r: GenResult) => void = () => {};
  let gotStopped: () => void = () => {};
  const results = new Promise<GenResult>((res) => (gotResult = res));
  const stopped = new Promise<void>((res) => (gotStopped = res));
  child.on('message', (m: FromGen) => {
    if (m.op === 'rev') onRev(m);
    else if (m.op === 'result') gotResult(m);
    else if (m.op === 'stopped') gotStopped();
  });
  const exited = new Promise<never>((_, rej) => child.on('exit', (c) => rej(new Error(`a load generator exited (${c}) before it answered`))));
  void exited.catch(() => {});
  return { child, agents: 0, results: Promise.race([results, exited]), stopped: Promise.race([stopped, exited]) };
}

/**
 * One-row durable commits on the bench's own PostgreSQL schema, one every 100 ms until `end`, each
 * timed from its own connection: what any acknowledged-after-commit write costs on this disk at that
 * moment (the WAL flush), the floor of the link's latency.
 */
async function commitProbe(schema: string, end: number): Promise<number[]> {
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  const out: number[] = [];
  try {
    await c.query(`create table ${schema}.commit_probe (n int not null)`);
    for (let n = 0; now() < end; n++) {
      const t = now();
      await c.query(`insert into ${schema}.commit_probe values ($1)`, [n]);
      out.push(now() - t);
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await c.end();
  }
  return out;
}

async function runBackend(kind: 'sqlite' | 'postgres'): Promise<Result> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-agent-bench-'));
  const schema = `bench_${randomBytes(4).toString('hex')}`;
  const db = kind === 'sqlite' ? `sqlite:${join(dir, 'vigil.db')}` : `${PG_URL}${PG_URL.includes('?') ? '&' : '?'}schema=${schema}`;
  const gens: Gen[] = [];
  const { p: server, url, link } = await startServer(db, join(dir, 'server'), ['--agent-port', '0']);
  try {
    const api = await Api.login(url);
    const { projectId, clusterId } = await cluster(api, { protect: false });
    process.stderr.write(`${kind}: enrolling ${AGENTS} agents\n`);
    for (let i = 0; i < AGENTS; i += 10) {
      await Promise.all(
        Array.from({ length: Math.min(10, AGENTS - i) }, async (_, j) => {
          const t = await api.call<{ token: string; caHash: string }>('POST', `/api/v1/projects/${projectId}/clusters/${clusterId}/agent-tokens`, {});
          const dataDir = join(dir, `agent-${i + j}`);
          mkdirSync(dataDir);
          return enrollOrLoad({ server: link, dataDir, token: t.token, caHash: t.caHash, nodeName: `node-${i + j}`, version: 'bench', kernel: 'bench' });
        }),
      );
    }
    // The agents, dealt round-robin over PROCS generator processes; each agent's latest policy revision and when it came.
    const revision = new Array<string>(AGENTS).fill('');
    const revisionAt = new Array<number>(AGENTS).fill(0);
    const onRev = (m: { index: number; rev: string; at: number }) => {
      revision[m.index] = m.rev;
      revisionAt[m.index] = m.at;
    };
    const procs = Math.max(1, Math.min(PROCS, AGENTS));
    for (let g = 0; g < procs; g++) {
      const gen = forkGen(onRev);
      const mine = Array.from({ length: AGENTS }, (_, i) => i).filter((i) => i % procs === g);
      gen.agents = mine.length;
      gens.push(gen);
      gen.child.send({ op: 'init', link, rate: RATE, agents: mine.map((index) => ({ index, dataDir: join(dir, `agent-${index}`) })) } satisfies ToGen);
    }
    const tell = (m: ToGen) => gens.forEach((g) => g.child.send(m));
    await until('every agent linked (its first policy set)', () => (revision.every(Boolean) ? true : undefined), 120_000);

    // (a) steady load; the first 3 s are warm-up and not counted.
    const srvPid = server.proc.pid!;
    tell({ op: 'fire' });
    await new Promise((r) => setTimeout(r, 3000));
    const h0 = await serverHistograms(url, api.token);
    tell({ op: 'count', on: true });
    const c0 = cpuSeconds(srvPid);
    const t0 = now();
    const probe = kind === 'postgres' ? commitProbe(schema, t0 + SECONDS * 1000) : undefined;
    // --ab-triggers: when the triggers were switched (the phase of an alert is that of its creation time).
    const switches: Array<{ at: number; on: boolean }> = [{ at: 0, on: true }];
    const abClient = AB_TRIGGERS > 0 && kind === 'postgres' ? new pg.Client({ connectionString: PG_URL }) : undefined;
    if (abClient) {
      await abClient.connect();
      const end = t0 + SECONDS * 1000;
      let on = true;
      while (now() < end) {
        await new Promise((r) => setTimeout(r, Math.min(AB_TRIGGERS * 1000, end - now())));
        if (now() >= end) break;
        await abClient.query(`alter table ${schema}.alerts ${on ? 'disable' : 'enable'} trigger user`);
        on = !on;
        switches.push({ at: now(), on });
      }
      await abClient.query(`alter table ${schema}.alerts enable trigger user`);
      await abClient.end();
    } else await new Promise((r) => setTimeout(r, SECONDS * 1000));
    tell({ op: 'count', on: false });
    const commitFloor = await probe;
    const serverCpuS = cpuSeconds(srvPid) - c0;
    const serverRssMiB = rssKiB(srvPid) / 1024;
    const parts = await Promise.all(gens.map((g) => g.results));
    const h1 = await serverHistograms(url, api.token);
    const serverHists = Object.fromEntries(SERVER_HISTOGRAMS.map((n) => [n, diffHistogram(h1[n], h0[n])])) as Result['server'];
    // Exact percentiles over every generator's samples.
    const lat: number[] = [];
    const sendWait: number[] = [];
    const ab = { on: [] as number[], off: [] as number[] };
    for (const p of parts)
      for (let k = 0; k < p.samples.length; k += 3) {
        const created = p.samples[k]!;
        sendWait.push(p.samples[k + 1]!);
        lat.push(p.samples[k + 2]!);
        if (abClient) {
          let on = true;
          for (const s of switches) if (s.at <= created) on = s.on;
          (on ? ab.on : ab.off).push(p.samples[k + 2]!);
        }
      }
    const sum = (f: (p: GenResult) => number) => parts.reduce((n, p) => n + f(p), 0);
    const acked = sum((p) => p.acked);

    // (b) fan-out: create, delete, create a detection policy; time to the last agent.
    const fanout: number[] = [];
    let pol: { id: string } | undefined;
    for (let k = 0; k < 4; k++) {
      const before = [...revision];
      const f0 = now();
      if (pol) {
        await api.call('DELETE', `/api/v1/projects/${projectId}/policies/${pol.id}`);
        pol = undefined;
      } else
        pol = await api.call<{ id: string }>('POST', `/api/v1/projects/${projectId}/policies`, {
          name: `bench-${k}`,
          kind: 'detection',
          mode: 'alert',
          document: { types: { 'system/reverse-shell': k % 4 === 0 } },
        });
      await until('every agent has the new policy set', () => (revision.every((r, i) => r !== before[i]) ? true : undefined), 30_000);
      fanout.push(Math.max(...revisionAt) - f0);
    }
    const genAgents = gens.map((g) => g.agents);
    tell({ op: 'stop' });
    await Promise.all(gens.map((g) => g.stopped));
    gens.length = 0;

    // Floor: the same number of alerts through the store's ingest function, in batches of the size the link made.
    const floorDb = kind === 'sqlite' ? `sqlite:${join(dir, 'floor.db')}` : `${PG_URL}${PG_URL.includes('?') ? '&' : '?'}schema=${schema}_floor`;
    const store = await openStore(floorDb);
    const fp = newId();
    await store.db.insertInto('projects').values({ id: fp, name: 'floor', description: '', rescan_cron: '', created_at: new Date().toISOString() }).execute();
    const batches = sum((p) => p.acks);
    const per = Math.max(1, Math.round(acked / Math.max(1, batches)));
    const total = Math.max(acked, 1000);
    const host = 'bench-node';
    const f0 = process.cpuUsage();
    for (let i = 0; i < total; i += per) {
      const list: Alert[] = [];
      for (let j = i; j < Math.min(total, i + per); j++)
        list.push({
          id: `f${j}`,
          type: 'system/reverse-shell',
          severity: 'critical',
          time: new Date().toISOString(),
          message: `bench alert f${j}`,
          rule: 'bench',
          host,
          container: { id: (j % 500).toString(16).padStart(64, '0'), name: `c${j % 500}`, image: 'registry.example/app:1' },
          process: { pid: 1000 + (j % 100), name: 'bash', exepath: '/bin/bash', cmdline: 'bash -i' },
        });
      await ingestAlerts(store, fp, list);
    }
    const f1 = process.cpuUsage(f0);
    await store.close();
    const floorCpuPer1k = ((f1.user + f1.system) / 1e6 / total) * 1000;
    return {
      kind,
      sent: sum((p) => p.sent),
      acked,
      unacked: sum((p) => p.unacked),
      lat,
      sendWait,
      serverCpuS,
      serverRssMiB,
      clientCpuS: sum((p) => p.cpuS),
      genLoops: parts.map((p, i) => ({ agents: genAgents[i]!, ...p.loop })),
      batches,
      ab: abClient ? ab : undefined,
      fanout,
      floorCpuPer1k,
      ...(commitFloor ? { commitFloor } : {}),
      server: serverHists,
    };
  } finally {
    for (const g of gens) g.child.kill();
    await stop(server);
    if (server.err().trim()) process.stderr.write(`${kind} server's errors:\n${server.err().slice(-3000)}\n`);
    rmSync(dir, { recursive: true, force: true });
    if (kind === 'postgres') {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      for (const s of [schema, `${schema}_floor`, `${schema}_boss`, `${schema}_floor_boss`]) await c.query(`drop schema if exists ${s} cascade`);
      await c.end();
    }
  }
}

/** (c): one real agent with the default (eBPF) sensors, idle; `keepPages`: the start-up pages left resident (the peer). */
async function idleAgent(keepPages: boolean): Promise<{ text: string; rssMiB: number; pssMiB: number; cpuPct: number }> {
  if (process.getuid?.() !== 0) return { text: 'skipped: needs root (eBPF sensors)', rssMiB: NaN, pssMiB: NaN, cpuPct: NaN };
  const dir = mkdtempSync(join(tmpdir(), 'vigil-agent-idle-'));
  const { p: server, link, url } = await startServer(`sqlite:${join(dir, 'server.db')}`, join(dir, 'server'), ['--agent-port', '0']);
  let agent: Proc | undefined;
  try {
    const api = await Api.login(url);
    // Protection open: the agent's runtime detection (its sensors) is on, as on a protected cluster.
    const t = await cluster(api);
    // The agent as its image launches it (the launcher's Node options; BENCH_AGENT_PLAIN=1: plain `node`).
    const nodeArgs = process.env.BENCH_AGENT_PLAIN ? [] : agentLauncherNodeArgs();
    // The probe (bench/lib/node-probe.mjs) answers SIGUSR2 with V8's view of the agent: heap, code space, compiled scripts.
    const probeFile = join(dir, 'probe.json');
    // As in the agent image, node is a file no other process of the host maps (else the kernel keeps the
    // pages of its binary that the agent releases: other node processes map them too). BENCH_AGENT_SHARED_NODE=1: this node.
    const nodeBin = process.env.BENCH_AGENT_SHARED_NODE ? process.execPath : join(dir, 'node');
    if (nodeBin !== process.execPath) copyFileSync(process.execPath, nodeBin);
    const a = (agent = vigil(
      ['agent', '--server', link, '--token', t.token, '--ca-hash', t.caHash, '--data-dir', join(dir, 'agent'), '--node-name', 'idle'],
      { BENCH_PROBE_FILE: probeFile, ...(keepPages ? { VIGIL_KEEP_STARTUP_PAGES: '1' } : {}) },
      ['--import', join(import.meta.dirname, 'lib', 'node-probe.mjs'), ...nodeArgs],
      nodeBin,
    ));
    await until('agent ready', () => (/\bready\b/.test(a.err()) ? true : undefined), 180_000, a);
    await new Promise((r) => setTimeout(r, 10_000));
    const pids = processTree(a.proc.pid!);
    const c0 = pids.map((p) => ({ cpu: cpuSeconds(p), cs: contextSwitches(p), maj: majorFaults(p) }));
    await new Promise((r) => setTimeout(r, IDLE * 1000));
    const c1 = pids.map((p) => ({ cpu: cpuSeconds(p), cs: contextSwitches(p), maj: majorFaults(p) }));
    const load = loadavg()[0]!.toFixed(2);
    const mem = pids.map((p) => ({ pid: p, comm: commOf(p), ...memoryKiB(p), rollup: smapsRollupKiB(p), top: residentByMapping(p, 5) }));
    process.kill(a.proc.pid!, 'SIGUSR2');
    const probe = await until(
      'probe snapshot',
      () => {
        try {
          return JSON.parse(readFileSync(probeFile, 'utf8')) as IdleProbe;
        } catch {
          return undefined;
        }
      },
      30_000,
      a,
    );
    const cpuPct = ((c1.reduce((n, x) => n + x.cpu, 0) - c0.reduce((n, x) => n + x.cpu, 0)) / IDLE) * 100;
    const total = mem.reduce((n, x) => n + x.rss, 0) / 1024;
    const pss = mem.reduce((n, x) => n + x.pss, 0) / 1024;
    const M = (k: number | undefined) => ((k ?? 0) / 1024).toFixed(1);
    // The breakdown, per process (stderr: the table's row stays one line).
    const released = /LLVM pages (?:resident [\d.]+ -> [\d.]+ MiB|kept: [^;)]*)/.exec(a.err())?.[0] ?? 'start-up pages kept (VIGIL_KEEP_STARTUP_PAGES=1)';
    const lines = [`agent idle breakdown (${keepPages ? 'peer: ' : ''}${released}; load ${load}, ${IDLE} s, ${new Date().toISOString()}):`];
    mem.forEach((m, i) => {
      const r = m.rollup;
      const sw = { v: c1[i]!.cs.voluntary - c0[i]!.cs.voluntary, n: c1[i]!.cs.involuntary - c0[i]!.cs.involuntary };
      lines.push(
        `  ${m.comm} (pid ${m.pid}, ${c1[i]!.cs.threads} threads): CPU ${(((c1[i]!.cpu - c0[i]!.cpu) / IDLE) * 100).toFixed(2)} % of one core, ` +
          `${(sw.v / IDLE).toFixed(1)} voluntary + ${(sw.n / IDLE).toFixed(1)} involuntary context switches/s, ${c1[i]!.maj - c0[i]!.maj} major faults; ` +
          `RSS ${M(m.rss)} MiB (anon ${M(m.anon)}, file ${M(m.file)}), PSS ${M(m.pss)} (anon ${M(r.Pss_Anon)}, file ${M(r.Pss_File)}), ` +
          `private ${M((r.Private_Clean ?? 0) + (r.Private_Dirty ?? 0))} (clean ${M(r.Private_Clean)}, dirty ${M(r.Private_Dirty)}), shared ${M((r.Shared_Clean ?? 0) + (r.Shared_Dirty ?? 0))}`,
        `    largest: ${m.top.map((t) => `${t.name} ${M(t.rssKiB)} (PSS ${M(t.pssKiB)})`).join(', ')}`,
      );
    });
    const sp = probe.spaces;
    const g = Object.entries(probe.scripts.groups).sort((x, y) => y[1] - x[1]);
    lines.push(
      `  node (V8): heap used ${probe.memory.heapUsed} / total ${probe.memory.heapTotal} MiB, external ${probe.memory.external} (array buffers ${probe.memory.arrayBuffers}), ` +
        `code space ${sp.code_space?.used}/${sp.code_space?.size}, new space ${sp.new_space?.size}, old space ${sp.old_space?.used}/${sp.old_space?.size}, large objects ${sp.large_object_space?.size}`,
      `  node scripts compiled: ${probe.scripts.files} files + ${probe.scripts.internal} Node internals; ${g
        .filter(([k]) => k !== 'node:internal')
        .slice(0, 14)
        .map(([k, n]) => `${k} ${n}`)
        .join(', ')}`,
    );
    process.stderr.write(`${lines.join('\n')}\n`);
    const parts = mem
      .map(
        (m) =>
          `${m.comm} ${(m.rss / 1024).toFixed(0)} (anon ${(m.anon / 1024).toFixed(0)}, file ${(m.file / 1024).toFixed(0)}; PSS ${(m.pss / 1024).toFixed(0)})`,
      )
      .join(' + ');
    const text = `${released}; node ${nodeArgs.join(' ') || '(no options)'}: ${cpuPct.toFixed(2)} % of one core over ${IDLE} s (target < 2 %: ${cpuPct < 2 ? 'met' : 'NOT met'}); RSS ${total.toFixed(0)} MiB = ${parts} MiB, PSS ${pss.toFixed(0)} MiB (target < 150 MiB: ${total < 150 ? 'met' : 'NOT met'}); ${probe.scripts.files} script files compiled in node`;
    return { text, rssMiB: total, pssMiB: pss, cpuPct };
  } finally {
    await stop(agent);
    await stop(server);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** What bench/lib/node-probe.mjs writes. */
interface IdleProbe {
  memory: { rss: number; heapUsed: number; heapTotal: number; external: number; arrayBuffers: number };
  spaces: Record<string, { size: number; used: number }>;
  scripts: { files: number; internal: number; groups: Record<string, number> };
}

const results: Result[] = [];
for (const kind of ['sqlite', 'postgres'] as const) {
  if (ONLY && ONLY !== kind) continue;
  results.push(await runBackend(kind));
}
// The peer first: the same agent with its start-up pages left resident (BENCH_IDLE_PEER=0: no peer run).
const idleRuns =
  IDLE > 0 && (!ONLY || ONLY === 'idle') ? [...(process.env.BENCH_IDLE_PEER === '0' ? [] : [await idleAgent(true)]), await idleAgent(false)] : [];
const f = (x: number) => x.toFixed(1);
const mean = (xs: readonly number[]) => xs.reduce((n, x) => n + x, 0) / Math.max(1, xs.length);
/** Seconds as ms. */
const ms = (s: number) => `${(s * 1000).toFixed(1)} ms`;
const q = (x: Hist) => `${ms(histQuantile(x, 0.5))}/${ms(histQuantile(x, 0.99))}`;
/** Observations over `le` seconds (it must be a bucket bound). */
const over = (x: Hist, le: number) => x.n - (x.buckets.find(([b]) => b === le)?.[1] ?? 0);
process.stdout.write(
  `\nVigil agent link benchmark: ${AGENTS} agents x ${RATE} alerts/s, ${SECONDS} s measured, loopback; load average ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}\n\n`,
);
process.stdout.write('| backend | measurement | result | target |\n| --- | --- | --- | --- |\n');
for (const r of results) {
  const p99 = pct(r.lat, 99);
  const per100 = 100 / AGENTS;
  const h = r.server;
  const srvPer1k = (r.serverCpuS / Math.max(1, r.acked)) * 1000;
  const rows: Array<[string, string, string]> = [
    [
      'creation -> acknowledged after commit',
      `p50 ${f(pct(r.lat, 50))} ms, p95 ${f(pct(r.lat, 95))} ms, p99 ${f(p99)} ms, max ${f(pct(r.lat, 100))} ms (${r.acked}/${r.sent} alerts${r.unacked ? `, ${r.unacked} not acknowledged within 30 s` : ''}, ${Math.round(r.acked / SECONDS)}/s, ${(r.acked / Math.max(1, r.batches)).toFixed(1)} per acknowledgement)`,
      p99 < 200 && r.acked === r.sent ? 'p99 < 200 ms: met' : 'p99 < 200 ms: NOT met',
    ],
    ...(r.commitFloor
      ? ([
          [
            'floor: a one-row durable commit on the same database during the window (own connection, every 100 ms)',
            `p50 ${f(pct(r.commitFloor, 50))} ms, p99 ${f(pct(r.commitFloor, 99))} ms, max ${f(pct(r.commitFloor, 100))} ms (${r.commitFloor.length} commits); link p99 / floor p99: ${(p99 / Math.max(0.001, pct(r.commitFloor, 99))).toFixed(2)}x`,
            pct(r.commitFloor, 99) >= 200 ? 'the floor itself is over 200 ms' : 'reported',
          ],
        ] as Array<[string, string, string]>)
      : []),
    [
      'agent side: creation -> read from the queue onto the stream',
      `p50 ${f(pct(r.sendWait, 50))} ms, p95 ${f(pct(r.sendWait, 95))} ms, p99 ${f(pct(r.sendWait, 99))} ms, max ${f(pct(r.sendWait, 100))} ms`,
      'reported',
    ],
    [
      'server side, per alert batch (its /metrics histograms; p50/p99 in buckets)',
      `arrival -> handled (stream order, rate limit) ${q(h.vigil_agent_stream_wait_seconds)}; handled -> commit start ${q(h.vigil_agent_commit_wait_seconds)}; commit ${q(h.vigil_agent_commit_seconds)} (max <= ${ms(histMaxBound(h.vigil_agent_commit_seconds))}; over 200 ms: ${over(h.vigil_agent_commit_seconds, 0.2)}; ${h.vigil_agent_commit_seconds.n} commits, ${(h.vigil_agent_commit_alerts.sum / Math.max(1, h.vigil_agent_commit_alerts.n)).toFixed(1)} alerts each, p99 ${histQuantile(h.vigil_agent_commit_alerts, 0.99).toFixed(0)}); arrival -> acknowledged ${q(h.vigil_agent_ack_seconds)}`,
      'reported',
    ],
    [
      'decomposition, means',
      `creation -> acknowledged ${f(mean(r.lat))} ms = agent side ${f(mean(r.sendWait))} + server ${f((h.vigil_agent_ack_seconds.sum / Math.max(1, h.vigil_agent_ack_seconds.n)) * 1000)} + the rest (transport both ways, the generator reading the acknowledgement) ${f(mean(r.lat) - mean(r.sendWait) - (h.vigil_agent_ack_seconds.sum / Math.max(1, h.vigil_agent_ack_seconds.n)) * 1000)}`,
      'reported',
    ],
    [
      'server event loop (longest delay of each second)',
      `${h.vigil_event_loop_delay_seconds.n} s: p50 ${ms(histQuantile(h.vigil_event_loop_delay_seconds, 0.5))}, p99 ${ms(histQuantile(h.vigil_event_loop_delay_seconds, 0.99))}, max <= ${ms(histMaxBound(h.vigil_event_loop_delay_seconds))}; seconds with a stall over 50 ms: ${over(h.vigil_event_loop_delay_seconds, 0.05)}, over 100 ms: ${over(h.vigil_event_loop_delay_seconds, 0.1)}, over 200 ms: ${over(h.vigil_event_loop_delay_seconds, 0.2)}`,
      'reported',
    ],
    [
      'server CPU and RSS',
      `${f((r.serverCpuS / SECONDS) * 100 * per100)} % of one core per 100 agents, RSS ${r.serverRssMiB.toFixed(0)} MiB at ${AGENTS} agents`,
      'reported',
    ],
    [
      'server CPU per 1,000 alerts vs floor',
      `${(srvPer1k * 1000).toFixed(0)} ms vs ${(r.floorCpuPer1k * 1000).toFixed(0)} ms through the store's ingest directly: ${(srvPer1k / r.floorCpuPer1k).toFixed(2)}x`,
      'reported',
    ],
    [
      `agents (${r.genLoops.length} generator processes)`,
      `${f((r.clientCpuS / SECONDS) * 100)} % of one core for ${AGENTS} agents; event-loop delay per generator (agents: p50/p99/max ms): ${r.genLoops
        .map((g) => `${g.agents}: ${f(g.p50)}/${f(g.p99)}/${f(g.max)}`)
        .join(', ')}`,
      'reported',
    ],
    ...(r.ab
      ? ([
          [
            `A/B, overview triggers on vs off (every ${AB_TRIGGERS} s)`,
            `on: p50 ${f(pct(r.ab.on, 50))} ms, p95 ${f(pct(r.ab.on, 95))} ms, p99 ${f(pct(r.ab.on, 99))} ms (${r.ab.on.length}); off: p50 ${f(pct(r.ab.off, 50))} ms, p95 ${f(pct(r.ab.off, 95))} ms, p99 ${f(pct(r.ab.off, 99))} ms (${r.ab.off.length})`,
            'reported',
          ],
        ] as Array<[string, string, string]>)
      : []),
    ['policy fan-out to every agent', r.fanout.map((x) => `${x.toFixed(0)} ms`).join(', '), Math.max(...r.fanout) < 2000 ? '< 2 s: met' : '< 2 s: NOT met'],
  ];
  for (const [w, v, t] of rows) process.stdout.write(`| ${r.kind} | ${w} | ${v} | ${t} |\n`);
}
if (idleRuns.length === 0) process.stdout.write('| node | agent idle, default sensors | skipped | < 2 % CPU, < 150 MiB |\n');
for (const [i, r] of idleRuns.entries()) {
  const peer = idleRuns.length === 2 && i === 0;
  process.stdout.write(`| node | agent idle, default sensors${peer ? ' (peer: start-up pages kept)' : ''} | ${r.text} | < 2 % CPU, < 150 MiB |\n`);
}
if (idleRuns.length === 2) {
  const [k, r] = idleRuns as [(typeof idleRuns)[0], (typeof idleRuns)[0]];
  process.stdout.write(
    `| node | agent idle: start-up pages released vs kept | RSS ${r.rssMiB.toFixed(0)} vs ${k.rssMiB.toFixed(0)} MiB (${(r.rssMiB / k.rssMiB).toFixed(2)}x), PSS ${r.pssMiB.toFixed(0)} vs ${k.pssMiB.toFixed(0)} MiB (${(r.pssMiB / k.pssMiB).toFixed(2)}x), CPU ${r.cpuPct.toFixed(2)} vs ${k.cpuPct.toFixed(2)} % | reported |\n`,
  );
}
