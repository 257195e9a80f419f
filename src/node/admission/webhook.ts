// The Kubernetes validating admission webhook: HTTPS only, `POST /validate`
// with an `admission.k8s.io/v1` AdmissionReview, `GET /healthz`, `GET
// /metrics`. Bodies are bounded; a review that cannot be read is answered per
// the failure policy (a refusal, or an admission with a warning); a body that
// is not even a review (no uid) gets HTTP 400, and the apiserver then applies
// the ValidatingWebhookConfiguration's own failurePolicy.
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InputError } from '../../core/errors.js';
import { failureResponse, parseAdmissionReview, reviewResponse, reviewUid } from '../../core/admission/review.js';
import type { AdmissionService } from './service.js';
import { listen } from '../net/listen.js';

export const VALIDATE_PATH = '/validate';
/** Of an oversized body, this much is kept to find its uid. */
const PREFIX_BYTES = 64 * 1024;

export interface AdmissionWebhookOptions {
  host: string;
  port: number;
  certPem: string;
  keyPem: string;
  service: AdmissionService;
  failurePolicy: 'fail' | 'ignore';
  /** Largest AdmissionReview accepted (the apiserver's request limit is 3 MiB). */
  maxBodyBytes?: number;
  onError?: (message: string) => void;
}

export class AdmissionWebhookServer {
  private server: Server | undefined;
  private readonly maxBody: number;

  constructor(private readonly o: AdmissionWebhookOptions) {
    this.maxBody = o.maxBodyBytes ?? 3 * 1024 * 1024;
  }

  async start(): Promise<AddressInfo> {
    const server = createServer({ cert: this.o.certPem, key: this.o.keyPem, minVersion: 'TLSv1.2' }, (req, res) => this.handle(req, res));
    server.headersTimeout = 10_000;
    server.requestTimeout = 30_000;
    server.keepAliveTimeout = 60_000;
    this.server = server;
    await listen(server, { port: this.o.port, host: this.o.host });
    return server.address() as AddressInfo;
  }

  async stop(): Promise<void> {
    const s = this.server;
    if (!s) return;
    await new Promise<void>((resolve) => {
      s.close(() => resolve());
      s.closeAllConnections();
    });
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? '/').split('?', 1)[0];
    if (req.method === 'GET' && path === '/healthz') return send(res, 200, { status: 'ok' });
    if (req.method === 'GET' && path === '/metrics') {
      const text = this.o.service.metrics.render();
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4', 'content-length': Buffer.byteLength(text) });
      res.end(text);
      return;
    }
    if (path !== VALIDATE_PATH) return send(res, 404, { error: 'not found' }, req);
    if (req.method !== 'POST') return send(res, 405, { error: 'method not allowed' }, req);
    // Over the limit, only a prefix is kept (to find the review's uid and answer it per the failure policy); the rest is drained and dropped.
    const declared = Number(req.headers['content-length'] ?? NaN);
    let oversize = declared > this.maxBody;
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (!oversize && size > this.maxBody) oversize = true;
      if (!oversize || chunks.reduce((n, b) => n + b.length, 0) < PREFIX_BYTES) chunks.push(c);
    });
    req.on('error', () => {
      failed = true;
    });
    req.on('end', () => {
      if (failed) return;
      const body = Buffer.concat(chunks);
      if (oversize) return this.tooLarge(res, body.subarray(0, PREFIX_BYTES).toString('utf8'));
      void this.review(body.toString('utf8'), res);
    });
  }

  private tooLarge(res: ServerResponse, prefix: string): void {
    this.o.service.recordError('kubernetes');
    const msg = `AdmissionReview larger than ${this.o.maxBodyBytes ?? this.maxBody} bytes`;
    this.o.onError?.(`${msg} refused`);
    const uid = /"request"\s*:\s*\{[^]*?"uid"\s*:\s*"([^"\\]{1,128})"/.exec(prefix)?.[1];
    if (!uid) return send(res, 413, { error: msg });
    send(res, 200, failureResponse(uid, msg, this.o.failurePolicy));
  }

  private async review(body: string, res: ServerResponse): Promise<void> {
    const t0 = process.hrtime.bigint();
    let v: unknown;
    try {
      v = JSON.parse(body);
    } catch {
      this.o.service.recordError('kubernetes');
      this.o.onError?.('AdmissionReview: malformed JSON');
      return send(res, 400, { error: 'AdmissionReview: malformed JSON' });
    }
    const uid = reviewUid(v);
    if (!uid) {
      this.o.service.recordError('kubernetes');
      this.o.onError?.('AdmissionReview: request.uid is missing');
      return send(res, 400, { error: 'AdmissionReview: request.uid is missing' });
    }
    let r;
    try {
      r = parseAdmissionReview(v);
    } catch (e) {
      this.o.service.recordError('kubernetes');
      const msg = e instanceof InputError ? e.message : 'unreadable AdmissionReview';
      this.o.onError?.(msg);
      return send(res, 200, failureResponse(uid, msg, this.o.failurePolicy));
    }
    if (!r.specs.length) return send(res, 200, { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid, allowed: true } });
    try {
      const d = await this.o.service.decide({ target: 'kubernetes', specs: r.specs });
      this.o.service.record(
        d,
        { target: 'kubernetes', namespace: r.namespace, workload: r.name, kind: r.kind, user: r.user, operation: r.operation },
        r.dryRun,
        Number(process.hrtime.bigint() - t0) / 1e9,
      );
      send(res, 200, reviewResponse(uid, d));
    } catch (e) {
      // The policy or facts source failed (server away): the failure policy decides.
      this.o.service.recordError('kubernetes');
      const msg = e instanceof InputError ? e.message : `internal error: ${(e as Error).message}`;
      this.o.onError?.(msg);
      send(res, 200, failureResponse(uid, `cannot decide: ${msg}`, this.o.failurePolicy));
    }
  }
}

function send(res: ServerResponse, status: number, body: unknown, req?: IncomingMessage): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...(req && status >= 400 ? { connection: 'close' } : {}),
  });
  res.end(text);
  if (req && !req.complete) req.resume();
}
