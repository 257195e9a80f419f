// Docker's authorization plugin (a "legacy" plugin: an HTTP server on a unix
// socket that dockerd finds as /run/docker/plugins/NAME.sock and is started
// with --authorization-plugin=NAME). Handshake `/Plugin.Activate`, then every
// API call is asked at `/AuthZPlugin.AuthZReq` (request) and
// `/AuthZPlugin.AuthZRes` (response). Only `containers/create` is judged;
// its refusal text is what `docker run` prints. Everything else is allowed,
// and so are responses. Bodies are bounded; a create that cannot be read is
// refused (fail closed) or allowed per the failure policy. `GET /metrics` on
// the same socket gives the decision counters.
import { createServer, type Server, type IncomingMessage, type ServerResponse } from 'node:http';
import { chmod, mkdir, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { InputError } from '../../core/errors.js';
import { parseAuthZRequest, MAX_CREATE_BODY } from '../../core/admission/docker-authz.js';
import { denialMessage } from '../../core/admission/decide.js';
import type { AdmissionService } from './service.js';
import { listen } from '../net/listen.js';

export interface DockerAuthzOptions {
  socket: string;
  service: AdmissionService;
  failurePolicy: 'fail' | 'ignore';
  onError?: (message: string) => void;
  /** Warnings (warn mode) go here: Docker has no way to show them to the client. */
  onWarning?: (message: string) => void;
}

const CT = 'application/vnd.docker.plugins.v1.2+json';

export class DockerAuthzPlugin {
  private server: Server | undefined;
  constructor(private readonly o: DockerAuthzOptions) {}

  async start(): Promise<void> {
    await mkdir(dirname(this.o.socket), { recursive: true });
    await rm(this.o.socket, { force: true });
    const server = createServer((req, res) => this.handle(req, res));
    server.headersTimeout = 10_000;
    server.requestTimeout = 30_000;
    this.server = server;
    await listen(server, { path: this.o.socket });
    // Only root (dockerd) talks to it.
    await chmod(this.o.socket, 0o600);
  }

  async stop(): Promise<void> {
    const s = this.server;
    if (s)
      await new Promise<void>((resolve) => {
        s.close(() => resolve());
        s.closeAllConnections();
      });
    await rm(this.o.socket, { force: true });
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? '/').split('?', 1)[0];
    const chunks: Buffer[] = [];
    let size = 0;
    let tooBig = false;
    // A create body is at most 1 MiB, base64 in a JSON envelope with headers: allow 2 MiB + slack.
    const max = MAX_CREATE_BODY * 2 + 64 * 1024;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) {
        tooBig = true;
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (path === '/Plugin.Activate') return send(res, 200, { Implements: ['authz'] });
      if (path === '/metrics' && req.method === 'GET') {
        const text = this.o.service.metrics.render();
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4', 'content-length': Buffer.byteLength(text) });
        res.end(text);
        return;
      }
      if (path === '/AuthZPlugin.AuthZRes') return send(res, 200, { Allow: true });
      if (path !== '/AuthZPlugin.AuthZReq') return send(res, 404, { Err: 'not found' });
      if (tooBig) return this.cannot(res, `request larger than ${max} bytes`);
      void this.authz(Buffer.concat(chunks, size).toString('utf8'), res);
    });
  }

  private cannot(res: ServerResponse, msg: string): void {
    this.o.service.recordError('docker');
    this.o.onError?.(`docker authz: ${msg}`);
    if (this.o.failurePolicy === 'ignore') return send(res, 200, { Allow: true });
    send(res, 200, { Allow: false, Msg: `Vigil admission: cannot check this request: ${msg}`.slice(0, 1000) });
  }

  private async authz(body: string, res: ServerResponse): Promise<void> {
    const t0 = process.hrtime.bigint();
    let req;
    try {
      req = parseAuthZRequest(JSON.parse(body));
    } catch (e) {
      return this.cannot(res, e instanceof InputError ? e.message : 'malformed AuthZReq JSON');
    }
    if (!req.spec) return send(res, 200, { Allow: true });
    try {
      const d = await this.o.service.decide({ target: 'docker', specs: [req.spec] });
      this.o.service.record(d, { target: 'docker', workload: req.spec.name, dockerUser: req.user }, false, Number(process.hrtime.bigint() - t0) / 1e9);
      for (const w of d.warnings) this.o.onWarning?.(`docker run ${req.spec.image ?? ''}: ${w.policy}/${w.rule}: ${w.message}`);
      if (d.allowed) return send(res, 200, { Allow: true });
      send(res, 200, { Allow: false, Msg: denialMessage(d, 1000) });
    } catch (e) {
      this.cannot(res, `cannot decide: ${e instanceof InputError ? e.message : (e as Error).message}`);
    }
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': CT, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
