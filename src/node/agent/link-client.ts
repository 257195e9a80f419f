// The agent side of the link (docs/agent.md): enrollment (Discover the CA,
// check it against the pinned hash, then Enroll over a channel that trusts
// only that CA) and the sender, which streams the on-disk queue to the
// server over mutual TLS, deletes what the server acknowledges, and after a
// lost connection reconnects with exponential backoff and full jitter and
// replays everything still queued (the server deduplicates by alert ID).
import { existsSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { InputError } from '../../core/errors.js';
import { agentLinkProto, MAX_MESSAGE_BYTES, type AgentLinkClient, type AgentMessage, type ServerMessage } from './proto.js';
import { caHashOf, newKeyPair } from './pki.js';
import type { AlertQueue } from './queue.js';

export interface Identity {
  caPem: string;
  keyPem: string;
  certPem: string;
  nodeId: string;
  clusterId: string;
  projectId: string;
}

const CHANNEL_OPTS = {
  'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
  'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
  'grpc.keepalive_time_ms': 20_000,
};
const CA_HASH = /^sha256:[0-9a-f]{64}$/;

/** HOST:PORT (IPv6 in brackets); anything else is an input error. */
export function parseServer(s: string): string {
  const m = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]{1,253}):(\d{1,5})$/.exec(s);
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) throw new InputError('AGENT_SERVER', "expected HOST:PORT (the server's --agent-port)", s);
  return s;
}

function unary<T>(fn: (cb: (e: grpc.ServiceError | null, r?: T) => void) => void, what: string, target: string): Promise<T> {
  return new Promise((res, rej) =>
    fn((e, r) => {
      if (e) rej(new InputError('AGENT_LINK', `${what}: ${e.details || e.message}`, target));
      else res(r!);
    }),
  );
}

/** The saved identity in the data dir, or a new one from enrollment with the token. */
export async function enrollOrLoad(o: {
  server: string;
  dataDir: string;
  token?: string;
  caHash?: string;
  nodeName: string;
  version: string;
  kernel: string;
  timeoutMs?: number;
}): Promise<Identity> {
  const file = join(o.dataDir, 'identity.json');
  if (existsSync(file)) {
    try {
      return JSON.parse(readFileSync(file, 'utf8')) as Identity;
    } catch (e) {
      throw new InputError('AGENT_IDENTITY', `cannot read the saved identity: ${(e as Error).message}`, file);
    }
  }
  if (!o.token) throw new InputError('AGENT_TOKEN', 'not enrolled yet: pass --token (a cluster agent token) and --ca-hash', o.dataDir);
  if (!o.caHash || !CA_HASH.test(o.caHash))
    throw new InputError('AGENT_CA_HASH', 'first enrollment needs --ca-hash sha256:<64 hex> (the caHash of the agent token)', '--ca-hash');
  const { Client } = agentLinkProto();
  const deadline = () => ({ deadline: Date.now() + (o.timeoutMs ?? 15_000) });
  // First contact: the server is not trusted yet; nothing secret is sent, and its CA must match the pin.
  const discover = new Client(
    o.server,
    grpc.credentials.createSsl(null, null, null, { rejectUnauthorized: false, checkServerIdentity: () => undefined }),
    CHANNEL_OPTS,
  );
  let caPem: string;
  try {
    caPem = (await unary<{ caPem: string }>((cb) => discover.Discover({}, new grpc.Metadata(), deadline(), cb), 'discover', o.server)).caPem;
  } finally {
    discover.close();
  }
  let got: string;
  try {
    got = caHashOf(caPem);
  } catch {
    throw new InputError('AGENT_CA_HASH', 'the server sent no valid CA certificate', o.server);
  }
  if (got !== o.caHash)
    throw new InputError(
      'AGENT_CA_HASH',
      `the server's CA hash ${got} does not match --ca-hash ${o.caHash}; not enrolling (wrong server, or a machine in between)`,
      o.server,
    );
  const { publicPem, privatePem } = await newKeyPair();
  const pinned = new Client(o.server, grpc.credentials.createSsl(Buffer.from(caPem)), CHANNEL_OPTS);
  let r;
  try {
    r = await unary<{ certPem: string; nodeId: string; clusterId: string; projectId: string }>(
      (cb) =>
        pinned.Enroll(
          { token: o.token!, nodeName: o.nodeName, publicKeyPem: publicPem, version: o.version, kernel: o.kernel },
          new grpc.Metadata(),
          deadline(),
          cb,
        ),
      'enroll',
      o.server,
    );
  } finally {
    pinned.close();
  }
  const id: Identity = { caPem, keyPem: privatePem, certPem: r.certPem, nodeId: r.nodeId, clusterId: r.clusterId, projectId: r.projectId };
  writeFileSync(file, JSON.stringify(id), { mode: 0o600 });
  chmodSync(file, 0o600);
  return id;
}

export interface SenderOptions {
  server: string;
  identity: Identity;
  queue: AlertQueue;
  status: () => { version: string; kernel: string; sensors: string };
  /** What each heartbeat says of the sensors: events they lost, their states as JSON (empty when unknown). */
  health?: () => { lostEvents: number; sensors: string };
  heartbeatMs?: number;
  /** Alerts per message and alerts in flight (sent, not acknowledged) at most. */
  batch?: number;
  maxInFlight?: number;
  backoffMinMs?: number;
  backoffMaxMs?: number;
  /** How long a new alert waits for others to join its message (default 5 ms). */
  coalesceMs?: number;
  notice?: (line: string) => void;
  /** A command from the server (kind `policies`: the policy set). */
  onCommand?: (kind: string, json: string) => void;
}

export class Sender {
  private client: AgentLinkClient;
  private stream: grpc.ClientDuplexStream<AgentMessage, ServerMessage> | undefined;
  private lastSeq = 0;
  private inFlight = new Set<string>();
  private stopped = false;
  private attempt = 0;
  private timer: NodeJS.Timeout | undefined;
  private hb: NodeJS.Timeout | undefined;
  private kicked: NodeJS.Timeout | undefined;
  private inventory: string | undefined;
  acked = 0;
  rejected = 0;
  connected = false;

  constructor(private readonly o: SenderOptions) {
    const { Client } = agentLinkProto();
    const id = o.identity;
    this.client = new Client(o.server, grpc.credentials.createSsl(Buffer.from(id.caPem), Buffer.from(id.keyPem), Buffer.from(id.certPem)), CHANNEL_OPTS);
  }

  start(): void {
    this.connect();
    this.hb = setInterval(() => this.write({ heartbeat: this.heartbeat() }), this.o.heartbeatMs ?? 15_000);
    this.hb.unref();
  }

  private heartbeat(): NonNullable<AgentMessage['heartbeat']> {
    const h = this.o.health?.() ?? { lostEvents: 0, sensors: '' };
    return { queueDepth: this.o.queue.depth, dropped: this.o.queue.dropped, ...h };
  }

  /** A new alert is in the queue: sent within a few milliseconds, with those that follow it (one message, one commit). */
  kick(): void {
    if (this.kicked) return;
    this.kicked = setTimeout(() => {
      this.kicked = undefined;
      this.pump();
    }, this.o.coalesceMs ?? 5);
  }

  /** The node's inventory changed: sent now when linked, and at every connect. */
  sendInventory(json: string): void {
    this.inventory = json;
    this.write({ inventory: { json } });
  }

  /** Tells the server which policy set is applied (or why not). */
  reportApplied(revision: string, error = ''): void {
    this.write({ policyApplied: { revision, error } });
  }

  private write(m: AgentMessage): boolean {
    if (!this.stream || !this.connected) return false;
    this.stream.write(m);
    return true;
  }

  private connect(): void {
    if (this.stopped) return;
    this.lastSeq = 0;
    this.inFlight.clear();
    const s = this.client.Connect(new grpc.Metadata(), {});
    this.stream = s;
    this.connected = true;
    s.on('data', (m: ServerMessage) => {
      if (m.ack) {
        this.o.queue.remove(m.ack.ids);
        for (const id of m.ack.ids) this.inFlight.delete(id);
        this.acked += m.ack.ids.length;
        if (this.attempt > 0) this.o.notice?.(`linked to ${this.o.server} as node ${this.o.identity.nodeId}`);
        this.attempt = 0;
      } else if (m.reject) {
        this.o.queue.remove(m.reject.ids);
        for (const id of m.reject.ids) this.inFlight.delete(id);
        this.rejected += m.reject.ids.length;
        this.o.notice?.(`server refused ${m.reject.ids.length} alerts: ${m.reject.reason}`);
      } else if (m.command) {
        try {
          this.o.onCommand?.(String(m.command.kind), String(m.command.json));
        } catch (e) {
          this.o.notice?.(`command ${String(m.command.kind).slice(0, 40)} failed: ${(e as Error).message}`);
        }
        return;
      }
      this.pump();
    });
    const lost = (why: string) => {
      if (this.stream !== s) return;
      this.stream = undefined;
      this.connected = false;
      if (this.stopped) return;
      const max = this.o.backoffMaxMs ?? 30_000;
      const base = Math.min(max, (this.o.backoffMinMs ?? 500) * 2 ** this.attempt);
      const wait = Math.round(Math.random() * base);
      this.attempt = Math.min(this.attempt + 1, 20);
      this.o.notice?.(`link to ${this.o.server} lost (${why}); retrying in ${wait} ms, ${this.o.queue.depth} alerts queued`);
      this.timer = setTimeout(() => this.connect(), wait);
    };
    s.on('error', (e: grpc.ServiceError) => lost(e.details || e.message));
    s.on('end', () => lost('closed by the server'));
    s.on('close', () => lost('closed'));
    this.write({ status: this.o.status() });
    if (this.inventory !== undefined) this.write({ inventory: { json: this.inventory } });
    this.pump();
  }

  private pump(): void {
    const batch = this.o.batch ?? 500;
    const max = this.o.maxInFlight ?? 5000;
    while (this.connected && this.stream && this.inFlight.size < max) {
      const rows = this.o.queue.next(this.lastSeq, Math.min(batch, max - this.inFlight.size));
      if (!rows.length) return;
      this.lastSeq = rows[rows.length - 1]!.seq;
      for (const r of rows) this.inFlight.add(r.id);
      this.stream.write({ alerts: { alerts: rows.map((r) => ({ id: r.id, json: r.json })) } });
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    clearInterval(this.hb);
    clearTimeout(this.kicked);
    this.stream?.end();
    this.stream?.cancel();
    this.client.close();
  }
}
