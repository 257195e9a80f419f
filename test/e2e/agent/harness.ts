// Helpers of the agent end-to-end tests: the real CLI as processes (`vigil
// server` on ephemeral ports, `vigil agent` with the procfs sensor and a test
// key file), the REST API as the admin, a cluster with a one-time agent
// token, and the alerts stored on the server and logged by the agent.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { NodeContainer } from '../../../src/core/checks/node-container.js';

export const root = join(import.meta.dirname, '..', '..', '..');
export const main = join(root, 'src', 'cli', 'main.ts');
export const PASSWORD = 'agent-link-test-password-1';
export const isRoot = process.getuid?.() === 0;

export interface Proc {
  proc: ChildProcess;
  out: () => string;
  err: () => string;
  exited: Promise<number | null>;
}

export function run(args: string[], env: NodeJS.ProcessEnv = {}): Proc {
  const proc = spawn(process.execPath, ['--import', 'tsx', main, ...args], {
    cwd: root,
    env: { ...process.env, VIGIL_ADMIN_PASSWORD: PASSWORD, VIGIL_LOG_LEVEL: 'error', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  proc.stdout!.on('data', (d) => {
    out += d;
  });
  proc.stderr!.on('data', (d) => {
    err += d;
  });
  const exited = new Promise<number | null>((res) => proc.on('exit', (c) => res(c)));
  return { proc, out: () => out, err: () => err, exited };
}

export async function until<T>(what: string, fn: () => T | undefined | Promise<T | undefined>, ms = 30_000, p?: Proc): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${p ? `\nstdout: ${p.out()}\nstderr: ${p.err()}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

export async function startServer(dataDir: string, agentPort: number | string, env: NodeJS.ProcessEnv = {}): Promise<{ p: Proc; url: string; link: string }> {
  const p = run(['server', '--port', '0', '--agent-port', String(agentPort), '--data-dir', dataDir], env);
  const url = await until('server url', () => /listening on (http:\/\/\S+)/.exec(p.out())?.[1], 60_000, p);
  const link = await until('agent link', () => /agent link \(gRPC, TLS\) on (\S+),/.exec(p.out())?.[1], 10_000, p);
  return { p, url, link };
}

export class Api {
  constructor(
    readonly url: string,
    readonly token = '',
  ) {}
  static async login(url: string): Promise<Api> {
    const r = await fetch(`${url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: PASSWORD }),
    });
    assert.equal(r.status, 200);
    return new Api(url, ((await r.json()) as { token: string }).token);
  }
  async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const r = await fetch(`${this.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const j = await r.json();
    assert.ok(r.status < 300, `${method} ${path}: ${r.status} ${JSON.stringify(j)}`);
    return j as T;
  }
}

/**
 * A cluster with its protection open (a closed cluster's agents run no
 * detection; `protect: false` leaves it closed, as created) and a one-time agent token.
 */
export async function cluster(api: Api, o: { protect?: boolean } = {}): Promise<{ projectId: string; clusterId: string; token: string; caHash: string }> {
  const projectId = (await api.call<{ items: Array<{ id: string }> }>('GET', '/api/v1/projects')).items[0]!.id;
  const { id } = await api.call<{ id: string }>('POST', `/api/v1/projects/${projectId}/clusters`, { name: `c${Date.now()}` });
  if (o.protect !== false) await api.call('POST', `/api/v1/projects/${projectId}/clusters/${id}/protect`);
  const t = await api.call<{ token: string; caHash: string }>('POST', `/api/v1/projects/${projectId}/clusters/${id}/agent-tokens`, {});
  assert.match(t.caHash, /^sha256:[0-9a-f]{64}$/);
  return { projectId, clusterId: id, token: t.token, caHash: t.caHash };
}

/** A rule for the test's own key file (the built-in ones name the system's files). */
export function ruleFile(dir: string, keyFile: string): string {
  const f = join(dir, 'rules.yaml');
  writeFileSync(
    f,
    `- rule: Test key file changed
  desc: the test's key file changed
  condition: evt.type = filechange and evt.arg.path = ${keyFile}
  output: Key file %evt.arg.path changed
  priority: ERROR
  severity: high

`,
  );
  return f;
}

export function agent(
  link: string,
  dataDir: string,
  keyFile: string,
  extra: string[] = [],
  env: NodeJS.ProcessEnv = {},
  o: { builtinRules?: boolean; nodeName?: string } = {},
): Proc {
  return run(
    [
      'agent',
      ...(o.builtinRules ? [] : ['--no-builtin-rules']),
      '--rules',
      ruleFile(join(dataDir, '..'), keyFile),
      '--server',
      link,
      '--data-dir',
      dataDir,
      '--node-name',
      o.nodeName ?? 'node-a',
      '--sensor',
      'procfs',
      '--key-file',
      keyFile,
      '--auth-log',
      join(dataDir, 'no-auth.log'),
      '--heartbeat',
      '0.5',
      ...extra,
    ],
    env,
  );
}

export const stop = async (p: Proc | undefined, sig: NodeJS.Signals = 'SIGTERM') => {
  if (!p || p.proc.exitCode !== null || p.proc.signalCode !== null) return;
  p.proc.kill(sig);
  await p.exited;
};

/** Sum of the stored alerts of a type (groups count every alert stored). */
export async function stored(api: Api, projectId: string, type: string): Promise<number> {
  const r = await api.call<{ items: Array<{ type: string; count: number }> }>(
    'GET',
    `/api/v1/alerts?project=${projectId}&type=${encodeURIComponent(type)}&limit=500`,
  );
  return r.items.filter((i) => i.type === type).reduce((n, i) => n + i.count, 0);
}

export function localLog(dataDir: string, type: string): string[] {
  const f = join(dataDir, 'alerts.jsonl');
  if (!existsSync(f)) return [];
  return readFileSync(f, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { id: string; type: string })
    .filter((a) => a.type === type)
    .map((a) => a.id);
}

/** A server in `<dir>/server` (extra environment: `env`) with a cluster and a one-time agent token, and a key file `<dir>/passwd-like` for the agent to watch. */
export async function serverWithCluster(
  dir: string,
  env: NodeJS.ProcessEnv = {},
): Promise<{
  s: Awaited<ReturnType<typeof startServer>>;
  api: Api;
  projectId: string;
  clusterId: string;
  token: string;
  caHash: string;
  keyFile: string;
}> {
  const s = await startServer(join(dir, 'server'), 0, env);
  const api = await Api.login(s.url);
  const { projectId, clusterId, token, caHash } = await cluster(api);
  const keyFile = join(dir, 'passwd-like');
  writeFileSync(keyFile, 'root:x:0:0::/root:/bin/sh\n');
  return { s, api, projectId, clusterId, token, caHash, keyFile };
}

/** A raw agent link stream with an identity (mutual TLS), as a flooding or a refused agent. */
export { openLink as linkStream } from '../../../src/node/agent/link.test-helpers.js';

export interface LinkedAgent {
  s: Awaited<ReturnType<typeof startServer>>;
  api: Api;
  projectId: string;
  caHash: string;
  keyFile: string;
  dir: string;
  agentDir: string;
  /** The agent process (node-a), ready. */
  a: Proc;
}

/**
 * A server with a cluster (server environment `o.env`) and an agent enrolled
 * with its token (more agent arguments from `o.args`, given the test
 * directory), ready; runs `fn`, then stops both and removes the directory.
 */
export async function withLinkedAgent(
  prefix: string,
  o: { env?: NodeJS.ProcessEnv; args?: (dir: string) => string[] },
  fn: (x: LinkedAgent) => Promise<void>,
): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  let server: Proc | undefined;
  let a: Proc | undefined;
  try {
    const { s, api, projectId, token, caHash, keyFile } = await serverWithCluster(dir, o.env);
    server = s.p;
    const agentDir = join(dir, 'agent');
    a = agent(s.link, agentDir, keyFile, ['--token', token, '--ca-hash', caHash, ...(o.args?.(dir) ?? [])]);
    await until('agent ready', () => /vigil agent: ready/.test(a!.err()), 90_000, a);
    await fn({ s, api, projectId, caHash, keyFile, dir, agentDir, a });
  } finally {
    await stop(a);
    await stop(server);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The node of the agent named `hostname` once it is online; its id. */
export async function onlineNode(api: Api, projectId: string, a: Proc, hostname = 'node-a'): Promise<string> {
  return until(
    'node online',
    async () =>
      (await api.call<{ items: Array<{ id: string; hostname: string; status: string }> }>('GET', `/api/v1/projects/${projectId}/nodes`)).items.find(
        (x) => x.hostname === hostname && x.status === 'online',
      )?.id,
    20_000,
    a,
  );
}

/** The node's inventory as the API returns it. */
export async function nodeContainers(api: Api, projectId: string, nodeId: string): Promise<Array<NodeContainer & { nodeId: string }>> {
  return (await api.call<{ items: Array<NodeContainer & { nodeId: string }> }>('GET', `/api/v1/projects/${projectId}/nodes/${nodeId}/containers`)).items;
}

/** The project's container/abnormal-startup alert groups. */
export async function startupAlerts(api: Api, projectId: string): Promise<Array<{ type: string; subject: string; message: string; count: number }>> {
  return (
    await api.call<{ items: Array<{ type: string; subject: string; message: string; count: number }> }>(
      'GET',
      `/api/v1/alerts?project=${projectId}&type=container/abnormal-startup&limit=100`,
    )
  ).items;
}
