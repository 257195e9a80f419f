// Test helper for the multi-replica suite: real `vigil server` processes
// (through tsx) on one PostgreSQL schema, each on an ephemeral port, with
// their output captured so a test can wait for "listening" or a worker line.
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { join } from 'node:path';
import { freshPgSchema, type PgSchema } from '../../../src/node/store/store.test-helpers.js';

export const root = join(import.meta.dirname, '..', '..', '..');

export interface Replica {
  proc: ChildProcess;
  role: string;
  out(): string;
  err(): string;
  /** The API URL (api/all roles) or the worker name (worker role), once started. */
  ready: Promise<string>;
  exited: Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export type { PgSchema };

/** A fresh schema for one multi-replica test (dropped by its `drop`). */
export const freshSchema = (): PgSchema => freshPgSchema('r');

/** Starts `vigil server --role ROLE --port 0` (or a custom entry script) with env on top of the test's. */
export function startReplica(role: 'all' | 'api' | 'worker', env: Record<string, string>, entry?: string): Replica {
  const args = entry ? ['--import', 'tsx', entry] : ['--import', 'tsx', join(root, 'src', 'cli', 'main.ts'), 'server', '--role', role, '--port', '0'];
  const proc = spawn(process.execPath, args, {
    cwd: root,
    env: { ...process.env, VIGIL_LOG_LEVEL: 'error', VIGIL_ROLE: role, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  let resolveReady: (v: string) => void;
  let rejectReady: (e: Error) => void;
  const ready = new Promise<string>((res, rej) => {
    resolveReady = res;
    rejectReady = rej;
  });
  ready.catch(() => {});
  proc.stdout!.on('data', (d) => {
    out += d;
    const url = /listening on (http:\/\/\S+)/.exec(out)?.[1];
    if (url) resolveReady(url);
    const worker = /worker (\S+) processing scan jobs|ready (\S+)/.exec(out);
    if (worker) resolveReady(worker[1] ?? worker[2]!);
  });
  proc.stderr!.on('data', (d) => {
    err += d;
  });
  const exited = new Promise<number | null>((r) =>
    proc.on('exit', (code) => {
      rejectReady(new Error(`${role} replica exited ${code} before it was ready: ${err.trim() || out.trim()}`));
      r(code);
    }),
  );
  return {
    proc,
    role,
    ready,
    exited,
    out: () => out,
    err: () => err,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      return exited;
    },
  };
}

export async function json(
  url: string,
  init: { method?: string; token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: any }> {
  const res = await fetch(url, {
    method: init.method ?? 'GET',
    headers: {
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
      ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(init.headers ?? {}),
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // text (metrics)
  }
  return { status: res.status, body };
}

export interface StallingProxy {
  /** `127.0.0.1:PORT` */
  host: string;
  /** While true, blob requests are held (a scan in progress that takes its time); false releases them. */
  stall(on: boolean): void;
  close(): Promise<void>;
}

/** An HTTP proxy in front of a registry that can hold blob downloads, so a scan stays running as long as a test needs. */
export async function stallingProxy(upstream: string): Promise<StallingProxy> {
  const [uHost, uPort] = upstream.split(':');
  let stalled = false;
  const held: Array<() => void> = [];
  const server = http.createServer((req, res) => {
    const forward = () => {
      const up = http.request({ host: uHost, port: Number(uPort), method: req.method, path: req.url, headers: req.headers }, (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      });
      up.on('error', () => res.destroy());
      req.pipe(up);
    };
    if (stalled && req.url?.includes('/blobs/')) held.push(forward);
    else forward();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    host: `127.0.0.1:${port}`,
    stall(on) {
      stalled = on;
      if (!on) for (const f of held.splice(0)) f();
    },
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

/** Polls fn until it returns a value that is not undefined (or throws after ms). */
export async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
