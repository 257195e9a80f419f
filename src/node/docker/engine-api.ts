// The Docker Engine API over its unix socket, the one client of it: bounded
// JSON GETs (size and time), streamed GETs (an image's `docker save` tar,
// `GET /images/{name}/get`) and the `GET /events` stream (one JSON object per
// line, each line bounded). The socket comes from --docker-socket, else
// DOCKER_HOST (`unix://PATH`, as Docker's own tools read it), else
// /var/run/docker.sock. Used by the runtime's container metadata, the node
// agent's inventory and start checks, and the `docker-daemon:` image source.
import { request, type IncomingMessage } from 'node:http';
import { InputError } from '../../core/errors.js';

export const DOCKER_SOCKET = '/var/run/docker.sock';
export const DOCKER_API_VERSION = 'v1.41';

/** The engine's socket: an explicit path, else DOCKER_HOST (unix:// only), else the default. */
export function dockerSocketPath(explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  if (explicit) return explicit;
  const h = env.DOCKER_HOST;
  if (!h) return DOCKER_SOCKET;
  if (!h.startsWith('unix://') || h.length <= 'unix://'.length)
    throw new InputError(
      'DOCKER_HOST',
      'only unix:// sockets are supported (a tcp:// engine would need its TLS client setup)',
      `DOCKER_HOST=${h.slice(0, 200)}`,
    );
  return h.slice('unix://'.length);
}

export interface DockerEngineOptions {
  socketPath?: string;
  apiVersion?: string;
  timeoutMs?: number;
  /** Largest JSON answer read (default 1 MiB). */
  maxBytes?: number;
}

export interface DockerEvent {
  Type?: string;
  Action?: string;
  id?: string;
  Actor?: { ID?: string; Attributes?: Record<string, string> };
  time?: number;
}

/** Longest line of the events stream (an event is well under 1 KiB; labels can make it longer). */
const MAX_EVENT_LINE = 64 * 1024;

export class DockerEngine {
  readonly socketPath: string;
  readonly apiVersion: string;
  private readonly timeoutMs: number;
  private readonly maxBytes: number;

  constructor(o: DockerEngineOptions = {}) {
    this.socketPath = o.socketPath ?? DOCKER_SOCKET;
    this.apiVersion = o.apiVersion ?? DOCKER_API_VERSION;
    this.timeoutMs = o.timeoutMs ?? 2000;
    this.maxBytes = o.maxBytes ?? 1024 * 1024;
  }

  private where(path: string): string {
    return `docker ${this.socketPath} ${path.slice(0, 120)}`;
  }

  /** Opens `GET path` (path without the version prefix); the response is the caller's to read. */
  open(path: string, o: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<IncomingMessage> {
    const where = this.where(path);
    return new Promise((resolve, reject) => {
      const req = request(
        {
          socketPath: this.socketPath,
          path: `/${this.apiVersion}${path}`,
          method: 'GET',
          headers: { Host: 'docker' },
          timeout: o.timeoutMs ?? this.timeoutMs,
          ...(o.signal ? { signal: o.signal } : {}),
        },
        (res) => {
          req.setTimeout(0);
          resolve(res);
        },
      );
      req.on('timeout', () => req.destroy(new InputError('DOCKER_TIMEOUT', `no answer within ${o.timeoutMs ?? this.timeoutMs} ms`, where)));
      req.on('error', (e) => reject(e instanceof InputError ? e : new InputError('DOCKER_UNREACHABLE', e.message, where)));
      req.end();
    });
  }

  /** `GET path` read whole (bounded); status and body. */
  async get(path: string): Promise<{ status: number; body: string }> {
    const where = this.where(path);
    const res = await this.open(path);
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const t = setTimeout(() => {
        res.destroy();
        reject(new InputError('DOCKER_TIMEOUT', `no answer within ${this.timeoutMs} ms`, where));
      }, this.timeoutMs);
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > this.maxBytes) {
          clearTimeout(t);
          res.destroy();
          reject(new InputError('DOCKER_TOO_LARGE', `response larger than ${this.maxBytes} bytes`, where));
          return;
        }
        chunks.push(c);
      });
      res.on('end', () => {
        clearTimeout(t);
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
      });
      res.on('error', (e) => {
        clearTimeout(t);
        reject(new InputError('DOCKER_UNREACHABLE', e.message, where));
      });
    });
  }

  /** `GET path` as JSON; undefined on 404. */
  async json(path: string): Promise<unknown> {
    const where = this.where(path);
    const { status, body } = await this.get(path);
    if (status === 404) return undefined;
    if (status !== 200) throw new InputError('DOCKER_HTTP', `HTTP ${status}: ${engineMessage(body)}`, where);
    try {
      return JSON.parse(body);
    } catch {
      throw new InputError('DOCKER_BAD_JSON', 'response is not JSON', where);
    }
  }

  /** Running containers (`GET /containers/json`), at most `limit`. */
  async containerIds(limit = 1000): Promise<string[]> {
    const list = await this.json('/containers/json');
    if (!Array.isArray(list)) throw new InputError('DOCKER_BAD_JSON', 'container list is not a list', this.where('/containers/json'));
    return list
      .map((c) => (c && typeof c === 'object' ? (c as { Id?: unknown }).Id : undefined))
      .filter((id): id is string => typeof id === 'string' && /^[0-9a-f]{64}$/.test(id))
      .slice(0, limit);
  }

  /** The engine's images (`GET /images/json`): image ID and tags, at most `limit`. */
  async images(limit = 1000): Promise<Array<{ id: string; repoTags: string[] }>> {
    const list = await this.json('/images/json');
    if (!Array.isArray(list)) throw new InputError('DOCKER_BAD_JSON', 'image list is not a list', this.where('/images/json'));
    const out: Array<{ id: string; repoTags: string[] }> = [];
    for (const im of list) {
      const id = im && typeof im === 'object' ? (im as { Id?: unknown }).Id : undefined;
      if (typeof id !== 'string' || !/^sha256:[0-9a-f]{64}$/.test(id)) continue;
      const tags = (im as { RepoTags?: unknown }).RepoTags;
      const repoTags = Array.isArray(tags)
        ? tags.filter((t): t is string => typeof t === 'string' && t.length <= 300 && t !== '<none>:<none>').slice(0, 100)
        : [];
      out.push({ id, repoTags });
      if (out.length >= limit) break;
    }
    return out;
  }

  /** `GET /containers/{id}/json`: the inspect document, undefined when the container is gone. */
  inspectContainer(id: string): Promise<unknown> {
    if (!/^[0-9a-f]{12,64}$/.test(id)) throw new InputError('DOCKER_BAD_ID', `not a container id: ${id.slice(0, 80)}`);
    return this.json(`/containers/${id}/json`);
  }

  /**
   * Follows `GET /events` with these filters until `signal` aborts; each event
   * to `onEvent`. Resolves when the stream ends (the engine stopped), rejects
   * when it cannot be opened or a line is too long.
   */
  async events(filters: Record<string, string[]>, onEvent: (e: DockerEvent) => void, signal: AbortSignal): Promise<void> {
    const path = `/events?filters=${encodeURIComponent(JSON.stringify(filters))}`;
    const where = this.where('/events');
    const res = await this.open(path, { timeoutMs: 10_000, signal });
    if (res.statusCode !== 200) {
      res.resume();
      throw new InputError('DOCKER_HTTP', `HTTP ${res.statusCode}`, where);
    }
    await new Promise<void>((resolve, reject) => {
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        buf += c;
        for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
          const line = buf.slice(0, nl).trim();
          buf = buf.slice(nl + 1);
          if (!line) continue;
          try {
            const e = JSON.parse(line) as unknown;
            if (e && typeof e === 'object') onEvent(e as DockerEvent);
          } catch {
            // a line that is not JSON is skipped (the stream stays usable)
          }
        }
        if (buf.length > MAX_EVENT_LINE) {
          res.destroy();
          reject(new InputError('DOCKER_TOO_LARGE', `event line longer than ${MAX_EVENT_LINE} bytes`, where));
        }
      });
      res.on('end', () => resolve());
      res.on('close', () => resolve());
      res.on('error', (e) => (signal.aborted ? resolve() : reject(new InputError('DOCKER_UNREACHABLE', e.message, where))));
    });
  }
}

/** The engine's `{"message": ...}` of an error answer, bounded. */
export function engineMessage(body: string): string {
  try {
    const m = (JSON.parse(body) as { message?: unknown }).message;
    if (typeof m === 'string') return m.slice(0, 300);
  } catch {
    // not JSON
  }
  return body.slice(0, 100);
}
