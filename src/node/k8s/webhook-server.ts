// The receiver for the apiserver's audit webhook backend: HTTPS, `POST
// /k8s/audit` with an EventList body, optional bearer token. It answers as
// soon as the batch is queued and hands events to the consumer from a bounded
// queue; when the queue is full it answers 429 (the apiserver retries the
// batch with backoff) and counts the drop, so memory never grows unbounded.
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { timingSafeEqual, createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { toAuditEvent } from '../../core/k8s/audit-event.js';
import type { K8sAuditEvent } from '../../core/events/event.js';
import { listen } from '../net/listen.js';

export interface WebhookServerOptions {
  host: string;
  port: number;
  certPem: string;
  keyPem: string;
  /** Required `Authorization: Bearer` token, when set. */
  token?: string;
  /** Largest accepted body. The apiserver's default batch is 400 events. */
  maxBodyBytes?: number;
  /** Most events waiting for the consumer. */
  maxQueuedEvents?: number;
  /** Most body bytes (of accepted batches) waiting for the consumer: events can be large, so count bytes too. */
  maxQueuedBytes?: number;
  /** Events per consumer call. */
  batchSize?: number;
  onEvents: (events: K8sAuditEvent[]) => void | Promise<void>;
  /** A body or item that is not an audit event (one line, says what and where). */
  onMalformed?: (message: string) => void;
  /** Node name put on the events (the receiving host). */
  eventHost?: string;
}

export interface WebhookStats {
  batches: number;
  events: number;
  malformed: number;
  /** Batches refused because the queue was full. */
  droppedBatches: number;
  droppedEvents: number;
  queued: number;
  processed: number;
}

export const WEBHOOK_PATH = '/k8s/audit';

export class AuditWebhookServer {
  private server: Server | undefined;
  private queue: Array<{ events: K8sAuditEvent[]; bytes: number }> = [];
  private queuedEvents = 0;
  private queuedBytes = 0;
  private draining = false;
  private idleWaiters: Array<() => void> = [];
  readonly stats: WebhookStats = { batches: 0, events: 0, malformed: 0, droppedBatches: 0, droppedEvents: 0, queued: 0, processed: 0 };
  private readonly maxBody: number;
  private readonly maxQueued: number;
  private readonly maxQueuedBytes: number;
  private readonly tokenHash: Buffer | undefined;

  constructor(private readonly opts: WebhookServerOptions) {
    this.maxBody = opts.maxBodyBytes ?? 32 * 1024 * 1024;
    this.maxQueued = opts.maxQueuedEvents ?? 100_000;
    this.maxQueuedBytes = opts.maxQueuedBytes ?? 256 * 1024 * 1024;
    // Compare hashes so the comparison is constant-time whatever the lengths.
    this.tokenHash = opts.token ? createHash('sha256').update(opts.token).digest() : undefined;
  }

  async start(): Promise<AddressInfo> {
    const server = createServer({ cert: this.opts.certPem, key: this.opts.keyPem }, (req, res) => this.handle(req, res));
    server.headersTimeout = 30_000;
    server.requestTimeout = 60_000;
    this.server = server;
    await listen(server, { port: this.opts.port, host: this.opts.host });
    return server.address() as AddressInfo;
  }

  /** Stop accepting, then wait until queued events are consumed. */
  async stop(): Promise<void> {
    const s = this.server;
    if (s) {
      await new Promise<void>((resolve) => {
        s.close(() => resolve());
        s.closeAllConnections();
      });
    }
    await this.idle();
  }

  /** Resolves when the queue is empty and the consumer is not running. */
  idle(): Promise<void> {
    if (!this.draining && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? '/').split('?', 1)[0];
    if (path === '/healthz' && req.method === 'GET') return this.reply(res, 200, { status: 'ok', ...this.stats });
    if (path !== WEBHOOK_PATH) return this.reply(res, 404, { error: 'not found' }, req);
    if (req.method !== 'POST') return this.reply(res, 405, { error: 'method not allowed' }, req);
    if (this.tokenHash) {
      const m = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
      const given = createHash('sha256')
        .update(m ? m[1]! : '')
        .digest();
      if (!m || !timingSafeEqual(given, this.tokenHash)) return this.reply(res, 401, { error: 'unauthorized' }, req);
    }
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (declared > this.maxBody) return this.reply(res, 413, { error: `body larger than ${this.maxBody} bytes` }, req);
    if (this.queuedEvents >= this.maxQueued || this.queuedBytes >= this.maxQueuedBytes) {
      this.stats.droppedBatches++;
      return this.reply(res, 429, { error: 'queue full' }, req, { 'retry-after': '1' });
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let aborted = false;
    req.on('data', (c: Buffer) => {
      if (aborted) return;
      size += c.length;
      if (size > this.maxBody) {
        aborted = true;
        this.reply(res, 413, { error: `body larger than ${this.maxBody} bytes` }, req);
        return;
      }
      chunks.push(c);
    });
    req.on('error', () => {
      aborted = true;
    });
    req.on('end', () => {
      if (aborted) return;
      this.accept(Buffer.concat(chunks, size).toString('utf8'), size, res);
    });
  }

  private accept(body: string, bytes: number, res: ServerResponse): void {
    let v: unknown;
    try {
      v = JSON.parse(body);
    } catch (e) {
      this.stats.malformed++;
      this.opts.onMalformed?.(`webhook body: malformed JSON: ${(e as Error).message.slice(0, 200)}`);
      return this.reply(res, 400, { error: 'malformed JSON' });
    }
    const list = v as Record<string, unknown> | null;
    let items: unknown[];
    if (Array.isArray(v)) items = v;
    else if (list && typeof list === 'object' && list.kind === 'EventList' && (Array.isArray(list.items) || list.items == null))
      items = (list.items as unknown[] | null) ?? [];
    else items = [v];
    this.stats.batches++;
    const events: K8sAuditEvent[] = [];
    items.forEach((it, i) => {
      try {
        events.push(toAuditEvent(it, `webhook body item ${i}`, this.opts.eventHost));
      } catch (e) {
        // One bad item must not make the apiserver resend (and us re-handle) the whole batch.
        this.stats.malformed++;
        this.opts.onMalformed?.((e as Error).message);
      }
    });
    if (this.queuedEvents + events.length > this.maxQueued || (this.queuedBytes > 0 && this.queuedBytes + bytes > this.maxQueuedBytes)) {
      this.stats.droppedBatches++;
      this.stats.droppedEvents += events.length;
      return this.reply(res, 429, { error: 'queue full' }, undefined, { 'retry-after': '1' });
    }
    this.stats.events += events.length;
    if (events.length) {
      this.queue.push({ events, bytes });
      this.queuedEvents += events.length;
      this.queuedBytes += bytes;
      this.stats.queued = this.queuedEvents;
      this.kick();
    }
    this.reply(res, 200, {});
  }

  private kick(): void {
    if (this.draining) return;
    this.draining = true;
    // Consume after the response is written: the apiserver's request returns first.
    setImmediate(() => void this.drain());
  }

  private async drain(): Promise<void> {
    const batchSize = this.opts.batchSize ?? 1000;
    try {
      while (this.queue.length) {
        const item = this.queue.shift()!;
        let batch = item.events;
        let bytes = item.bytes;
        if (batch.length > batchSize) {
          // Split a large batch; its bytes are released with its last part.
          this.queue.unshift({ events: batch.slice(batchSize), bytes });
          batch = batch.slice(0, batchSize);
          bytes = 0;
        }
        try {
          await this.opts.onEvents(batch);
        } catch (e) {
          this.opts.onMalformed?.(`consumer failed: ${(e as Error).message}`);
        }
        // Counted until consumed: events in the consumer's hands hold memory too.
        this.queuedEvents -= batch.length;
        this.queuedBytes -= bytes;
        this.stats.queued = this.queuedEvents;
        this.stats.processed += batch.length;
        // Let request handlers run between batches.
        await new Promise((r) => setImmediate(r));
      }
    } finally {
      this.draining = false;
      if (this.queue.length) this.kick();
      else for (const w of this.idleWaiters.splice(0)) w();
    }
  }

  private reply(res: ServerResponse, status: number, body: unknown, req?: IncomingMessage, headers: Record<string, string> = {}): void {
    if (res.headersSent) return;
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
      ...headers,
      ...(req && status >= 400 ? { connection: 'close' } : {}),
    });
    res.end(text);
    // Unread request bodies are discarded rather than buffered.
    if (req && !req.complete) req.resume();
  }
}
