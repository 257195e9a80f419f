// One load generator of bench/agent-bench.ts: a child process (forked with
// IPC) that runs its share of the benchmark's agents (the agent's own Sender
// and on-disk queue, real gRPC streams with the identities the parent
// enrolled) and sends R alerts/s from each. Per alert acknowledged while
// counting it keeps three times: created (the alert object made), sent (the
// Sender read it from the queue to write it on the stream) and acknowledged
// (the Sender removes acknowledged IDs from its queue), and reports them to
// the parent with its own event-loop delay and CPU while counting, so the
// parent computes exact percentiles over every generator's samples.
//
// Messages, parent -> child: init {link, agents: [{index, dataDir}], rate},
// fire, count {on}, stop. Child -> parent: rev {index, rev, at} (a new
// policy set reached an agent), result {...} (after count off and the last
// acknowledgements), stopped.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { join } from 'node:path';
import { loadIdentity, Sender } from '../../src/node/agent/link-client.js';
import { AlertQueue } from '../../src/node/agent/queue.js';
import type { Alert } from '../../src/core/alerts/types.js';

export type ToGen =
  | { op: 'init'; link: string; agents: Array<{ index: number; dataDir: string }>; rate: number }
  | { op: 'fire' }
  | { op: 'count'; on: boolean }
  | { op: 'stop' };

export interface GenResult {
  op: 'result';
  /** Per acknowledged alert, flat: created (ms since the epoch), sent - created, acknowledged - created (ms). */
  samples: number[];
  sent: number;
  acked: number;
  /** Acknowledgement messages that carried counted alerts. */
  acks: number;
  loop: { p50: number; p99: number; max: number };
  cpuS: number;
  /** Counted alerts not acknowledged within the wait. */
  unacked: number;
}

export type FromGen = { op: 'rev'; index: number; rev: string; at: number } | GenResult | { op: 'stopped' };

const now = () => performance.timeOrigin + performance.now();
const send = (m: FromGen) => process.send!(m);

interface Agent {
  index: number;
  sender: Sender;
  queue: AlertQueue;
  timer?: NodeJS.Timeout;
  revision: string;
}

const agents: Agent[] = [];
let rate = 5;
let counting = false;
let seq = 0;
let sent = 0;
let acked = 0;
let acks = 0;
/** Counted alerts by ID: created, and sent once the Sender read them for the stream. */
const created = new Map<string, number>();
const sentAt = new Map<string, number>();
let samples: number[] = [];
const loop = monitorEventLoopDelay({ resolution: 10 });
let cpu0 = process.cpuUsage();

function init(link: string, list: Array<{ index: number; dataDir: string }>): void {
  for (const { index, dataDir } of list) {
    const identity = loadIdentity(dataDir);
    if (!identity) throw new Error(`no identity under ${dataDir}`);
    const queue = new AlertQueue(join(dataDir, 'queue.db'));
    const next = queue.next.bind(queue);
    queue.next = (afterSeq, limit) => {
      const rows = next(afterSeq, limit);
      const t = now();
      for (const r of rows) if (created.has(r.id) && !sentAt.has(r.id)) sentAt.set(r.id, t);
      return rows;
    };
    const remove = queue.remove.bind(queue);
    queue.remove = (ids) => {
      const t = now();
      let counted = false;
      for (const id of ids) {
        const c = created.get(id);
        if (c === undefined) continue;
        counted = true;
        samples.push(c, (sentAt.get(id) ?? t) - c, t - c);
        created.delete(id);
        sentAt.delete(id);
        acked++;
      }
      if (counted) acks++;
      remove(ids);
    };
    const a: Agent = { index, queue, revision: '', sender: undefined as unknown as Sender };
    a.sender = new Sender({
      server: link,
      identity,
      queue,
      status: () => ({ version: 'bench', kernel: 'bench', sensors: '' }),
      onCommand: (k, json) => {
        if (k !== 'policies') return;
        const rev = (JSON.parse(json) as { revision: string }).revision;
        if (rev !== a.revision) {
          a.revision = rev;
          send({ op: 'rev', index, rev, at: now() });
        }
      },
    });
    agents.push(a);
  }
  for (const a of agents) a.sender.start();
}

function fire(): void {
  const host = 'bench-node';
  for (const a of agents) {
    const one = () => {
      const id = `a${a.index}-${seq++}`;
      const alert: Alert = {
        id,
        type: 'system/reverse-shell',
        severity: 'critical',
        time: new Date().toISOString(),
        message: `bench alert ${id}`,
        rule: 'bench',
        host,
        container: { id: (seq % 500).toString(16).padStart(64, '0'), name: `c${seq % 500}`, image: 'registry.example/app:1' },
        process: { pid: 1000 + (seq % 100), name: 'bash', exepath: '/bin/bash', cmdline: 'bash -i' },
      };
      if (counting) {
        created.set(id, now());
        sent++;
      }
      a.queue.push(alert);
      a.sender.kick();
    };
    setTimeout(
      () => {
        one();
        a.timer = setInterval(one, 1000 / rate);
      },
      Math.random() * (1000 / rate),
    );
  }
}

async function countOff(): Promise<void> {
  counting = false;
  const u = process.cpuUsage(cpu0);
  loop.disable();
  const l = { p50: loop.percentile(50) / 1e6, p99: loop.percentile(99) / 1e6, max: loop.max / 1e6 };
  for (const a of agents) clearInterval(a.timer);
  const end = Date.now() + 30_000;
  while (created.size && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
  send({ op: 'result', samples, sent, acked, acks, loop: l, cpuS: (u.user + u.system) / 1e6, unacked: created.size });
}

process.on('message', (m: ToGen) => {
  if (m.op === 'init') {
    rate = m.rate;
    init(m.link, m.agents);
  } else if (m.op === 'fire') fire();
  else if (m.op === 'count' && m.on) {
    samples = [];
    sent = acked = acks = 0;
    created.clear();
    sentAt.clear();
    cpu0 = process.cpuUsage();
    loop.reset();
    loop.enable();
    counting = true;
  } else if (m.op === 'count') void countOff();
  else if (m.op === 'stop')
    void (async () => {
      for (const a of agents) clearInterval(a.timer);
      for (const a of agents) await a.sender.stop();
      for (const a of agents) a.queue.close();
      send({ op: 'stopped' });
      process.disconnect();
    })();
});
