// The agent side of the link (docs/agent.md): enrollment (Discover the CA,
// check it against the pinned hash, then Enroll over a channel that trusts
// only that CA) and the sender, which streams the on-disk queue to the
// server over mutual TLS, deletes what the server acknowledges, and after a
// lost connection reconnects with exponential backoff and full jitter and
// replays everything still queued (the server deduplicates by alert ID).
// The sender renews the client certificate at two thirds of its lifetime
// (Renew over mTLS, a new key; the identity file replaced atomically, then
// the link reopened with it), honours the server's backpressure (Throttle:
// those alerts stay queued and go again after the retry-after), and stops
// reconnecting when the server says the node is revoked.
import { existsSync, readFileSync } from 'node:fs';
import { writeFileDurable } from './durable-file.js';
import { X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { InputError } from '../../core/errors.js';
import {
  agentLinkProto,
  MAX_MESSAGE_BYTES,
  THREAT_LIST_METADATA,
  type AgentLinkClient,
  type AgentMessage,
  type ServerMessage,
  type ThreatListChunk,
} from './proto.js';
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

/** Writes the identity (0600) atomically: a temporary file, fsync, rename; a crash leaves the old one or the new one. */
export function saveIdentity(dataDir: string, id: Identity): void {
  writeFileDurable(join(dataDir, 'identity.json'), JSON.stringify(id));
}

/** The saved identity under the data dir, if there is one (a broken file is an input error naming it). */
export function loadIdentity(dataDir: string): Identity | undefined {
  const file = join(dataDir, 'identity.json');
  if (!existsSync(file)) return undefined;
  let id: Identity;
  try {
    id = JSON.parse(readFileSync(file, 'utf8')) as Identity;
  } catch (e) {
    throw new InputError('AGENT_IDENTITY', `cannot read the saved identity: ${(e as Error).message}`, file);
  }
  if (!id || typeof id.certPem !== 'string' || typeof id.keyPem !== 'string' || typeof id.caPem !== 'string')
    throw new InputError('AGENT_IDENTITY', 'the saved identity lacks its certificate, key or CA', file);
  return id;
}

/** When the agent renews its certificate: at two thirds of its lifetime. */
export function renewAtMs(certPem: string): number {
  const x = new X509Certificate(certPem);
  const from = Date.parse(x.validFrom);
  const to = Date.parse(x.validTo);
  return from + ((to - from) * 2) / 3;
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
  const saved = loadIdentity(o.dataDir);
  if (saved) return saved;
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
  saveIdentity(o.dataDir, id);
  return id;
}

export interface SenderOptions {
  server: string;
  identity: Identity;
  /** Where the identity lives (renewed certificates are saved there). */
  dataDir?: string;
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
  /** A command from the server (kind `policies`: the policy set; `scan-image`). */
  onCommand?: (kind: string, json: string) => void;
  /** The server's answer to a node image scan. */
  onImageScanAck?: (imageId: string, error: string) => void;
  /** Each new stream, after the status, inventory and detection state went up. */
  onConnect?: () => void;
  /** Learned entries the server decided (src/core/policy/learned.ts, JSON). */
  onLearnedDecisions?: (json: string) => void;
  /** A chunk of a packed threat list (asked for in the stream's metadata when this is set). */
  onThreatList?: (chunk: ThreatListChunk) => void;
}

const credsOf = (id: Identity) => grpc.credentials.createSsl(Buffer.from(id.caPem), Buffer.from(id.keyPem), Buffer.from(id.certPem));

export class Sender {
  private client: AgentLinkClient;
  private identity: Identity;
  private stream: grpc.ClientDuplexStream<AgentMessage, ServerMessage> | undefined;
  private lastSeq = 0;
  /** Sent on this stream, not acknowledged yet: alert ID -> queue sequence. */
  private inFlight = new Map<string, number>();
  private pausedUntil = 0;
  private pauseTimer: NodeJS.Timeout | undefined;
  private renewTimer: NodeJS.Timeout | undefined;
  private renewing = false;
  private stopped = false;
  private attempt = 0;
  private timer: NodeJS.Timeout | undefined;
  private hb: NodeJS.Timeout | undefined;
  private kicked: NodeJS.Timeout | undefined;
  private inventory: string | undefined;
  private nodeImages: string | undefined;
  private detection: { active: boolean; reason: string } | undefined;
  private learned: string | undefined;
  acked = 0;
  rejected = 0;
  /** Alerts the server throttled (sent again later). */
  throttled = 0;
  renewed = 0;
  connected = false;
  /** The server said this node is revoked: no more reconnects. */
  revoked = false;

  constructor(private readonly o: SenderOptions) {
    const { Client } = agentLinkProto();
    this.identity = o.identity;
    this.client = new Client(o.server, credsOf(o.identity), CHANNEL_OPTS);
  }

  start(): void {
    this.connect();
    this.scheduleRenewal();
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

  /** A node-local image scan (JSON of src/core/scan/node-image.ts); false when not linked. */
  sendImageScan(json: string): boolean {
    return this.write({ imageScan: { json } });
  }

  /** The node-local images the node holds now (JSON {images}): sent now when linked, and at every connect. */
  sendNodeImages(json: string): void {
    this.nodeImages = json;
    this.write({ nodeImages: { json } });
  }

  /** Whether runtime detection runs (cluster protection): sent now when linked, and at every connect. */
  sendDetection(active: boolean, reason = ''): void {
    this.detection = { active, reason };
    this.write({ detection: this.detection });
  }

  /** The learned whitelist entries (the whole list): sent now when linked, and at every connect; an unchanged list is not sent again. */
  sendLearned(json: string): void {
    if (json === this.learned) return;
    this.learned = json;
    this.write({ learned: { json } });
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

  /** Renewal at two thirds of the certificate's lifetime (checked again at least every minute: clocks jump). */
  private scheduleRenewal(): void {
    if (!this.o.dataDir || this.stopped) return;
    clearTimeout(this.renewTimer);
    let at: number;
    try {
      at = renewAtMs(this.identity.certPem);
    } catch {
      return;
    }
    const wait = Math.max(0, Math.min(60_000, at - Date.now()));
    this.renewTimer = setTimeout(() => {
      if (Date.now() >= at) void this.renew();
      else this.scheduleRenewal();
    }, wait);
    this.renewTimer.unref();
  }

  /** A new key and certificate over the current mutual-TLS identity; saved atomically, then the link reopens with it. */
  async renew(): Promise<boolean> {
    if (this.renewing || this.stopped || this.revoked || !this.o.dataDir) return false;
    this.renewing = true;
    try {
      const { publicPem, privatePem } = await newKeyPair();
      const r = await unary<{ certPem: string; notAfter: string }>(
        (cb) => this.client.Renew({ publicKeyPem: publicPem }, new grpc.Metadata(), { deadline: Date.now() + 15_000 }, cb),
        'renew',
        this.o.server,
      );
      const next: Identity = { ...this.identity, keyPem: privatePem, certPem: r.certPem };
      saveIdentity(this.o.dataDir, next);
      this.identity = next;
      this.renewed++;
      this.o.notice?.(`client certificate renewed (valid until ${r.notAfter})`);
      // Reopen the link with the new certificate; what was in flight on the old stream goes again (the server deduplicates).
      const oldClient = this.client;
      const oldStream = this.stream;
      const { Client } = agentLinkProto();
      this.client = new Client(this.o.server, credsOf(next), CHANNEL_OPTS);
      this.stream = undefined;
      this.connected = false;
      oldStream?.cancel();
      oldClient.close();
      clearTimeout(this.timer);
      this.connect();
      this.scheduleRenewal();
      return true;
    } catch (e) {
      this.o.notice?.(`certificate renewal failed (${(e as Error).message}); retrying in a minute`);
      this.renewTimer = setTimeout(() => void this.renew(), 60_000);
      this.renewTimer.unref();
      return false;
    } finally {
      this.renewing = false;
    }
  }

  private pause(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, Date.now() + ms);
    clearTimeout(this.pauseTimer);
    this.pauseTimer = setTimeout(() => this.pump(), this.pausedUntil - Date.now());
  }

  private connect(): void {
    if (this.stopped || this.revoked) return;
    this.lastSeq = 0;
    this.inFlight.clear();
    const md = new grpc.Metadata();
    // Packed threat lists (agent.proto ThreatList): a server that does not know the key sends them in the set's JSON.
    if (this.o.onThreatList) md.set(THREAT_LIST_METADATA, 'packed');
    const s = this.client.Connect(md, {});
    this.stream = s;
    this.connected = true;
    s.on('data', (m: ServerMessage) => {
      if (m.throttle) {
        // Backpressure: these alerts stay queued; sent again (from the earliest of them) after the retry-after.
        let min = Infinity;
        for (const id of m.throttle.ids) {
          const seq = this.inFlight.get(id);
          if (seq !== undefined) min = Math.min(min, seq);
          this.inFlight.delete(id);
        }
        if (min !== Infinity) this.lastSeq = Math.min(this.lastSeq, min - 1);
        this.throttled += m.throttle.ids.length;
        const wait = Math.min(60_000, Math.max(50, Number(m.throttle.retryAfterMs) || 1000));
        this.pause(Math.round(wait * (1 + Math.random() * 0.2)));
        if (this.throttled % 10_000 < m.throttle.ids.length) this.o.notice?.(`server throttles this node: ${String(m.throttle.reason).slice(0, 200)}`);
        return;
      }
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
      } else if (m.imageScanAck) {
        this.o.onImageScanAck?.(String(m.imageScanAck.imageId), String(m.imageScanAck.error ?? ''));
        return;
      } else if (m.threatList) {
        try {
          this.o.onThreatList?.(m.threatList);
        } catch (e) {
          this.o.notice?.(`threat list failed: ${(e as Error).message}`);
        }
        return;
      } else if (m.learnedDecisions) {
        try {
          this.o.onLearnedDecisions?.(String(m.learnedDecisions.json));
        } catch (e) {
          this.o.notice?.(`learned decisions failed: ${(e as Error).message}`);
        }
        return;
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
    const lost = (why: string, e?: grpc.ServiceError) => {
      if (this.stream !== s) return;
      this.stream = undefined;
      this.connected = false;
      if (this.stopped) return;
      if (e?.code === grpc.status.PERMISSION_DENIED && /revoked/.test(why)) {
        this.revoked = true;
        clearTimeout(this.renewTimer);
        this.o.notice?.(`${why}; not reconnecting (alerts stay in the local log; enroll this node again under another name)`);
        return;
      }
      const max = this.o.backoffMaxMs ?? 30_000;
      const base = Math.min(max, (this.o.backoffMinMs ?? 500) * 2 ** this.attempt);
      // RESOURCE_EXHAUSTED with a retry-after (too many streams): never sooner than the server asks.
      const retryAfter = e?.code === grpc.status.RESOURCE_EXHAUSTED ? Number(e.metadata?.get('retry-after-ms')[0] ?? 0) || 0 : 0;
      const wait = Math.max(Math.min(retryAfter, 300_000), Math.round(Math.random() * base));
      this.attempt = Math.min(this.attempt + 1, 20);
      this.o.notice?.(`link to ${this.o.server} lost (${why}); retrying in ${wait} ms, ${this.o.queue.depth} alerts queued`);
      this.timer = setTimeout(() => this.connect(), wait);
    };
    s.on('error', (e: grpc.ServiceError) => lost(e.details || e.message, e));
    s.on('end', () => lost('closed by the server'));
    s.on('close', () => lost('closed'));
    this.write({ status: this.o.status() });
    if (this.inventory !== undefined) this.write({ inventory: { json: this.inventory } });
    if (this.nodeImages !== undefined) this.write({ nodeImages: { json: this.nodeImages } });
    if (this.detection) this.write({ detection: this.detection });
    this.o.onConnect?.();
    if (this.learned !== undefined) this.write({ learned: { json: this.learned } });
    this.pump();
  }

  private pump(): void {
    const batch = this.o.batch ?? 500;
    const max = this.o.maxInFlight ?? 5000;
    if (Date.now() < this.pausedUntil) return;
    while (this.connected && this.stream && this.inFlight.size < max) {
      const rows = this.o.queue.next(this.lastSeq, Math.min(batch, max - this.inFlight.size));
      if (!rows.length) return;
      this.lastSeq = rows[rows.length - 1]!.seq;
      // After a throttle the sequence rewinds: what is still in flight is not sent twice.
      const fresh = rows.filter((r) => !this.inFlight.has(r.id));
      if (!fresh.length) continue;
      for (const r of fresh) this.inFlight.set(r.id, r.seq);
      this.stream.write({ alerts: { alerts: fresh.map((r) => ({ id: r.id, json: r.json })) } });
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    clearTimeout(this.pauseTimer);
    clearTimeout(this.renewTimer);
    clearInterval(this.hb);
    clearTimeout(this.kicked);
    this.stream?.end();
    this.stream?.cancel();
    this.client.close();
  }
}
