// Helpers of the agent end-to-end tests: the real CLI as processes (`vigil
// server` on ephemeral ports, `vigil agent` with the procfs sensor and a test
// key file), the REST API as the admin, a cluster with a one-time agent
// token, and the alerts stored on the server and logged by the agent.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { NodeContainer } from '../../../src/core/checks/node-container.js';
import { spawnCli, stopProc, type Proc } from '../../helpers/proc.js';
import { debianRootfs, dockerOk, importRootfs, startDockerd, type Dockerd } from '../../helpers/dockerd.js';

export { repoRoot as root } from '../../helpers/proc.js';
export const PASSWORD = 'agent-link-test-password-1';
export const isRoot = process.getuid?.() === 0;

export type { Proc };

export function run(args: string[], env: NodeJS.ProcessEnv = {}): Proc {
  return spawnCli(args, { VIGIL_ADMIN_PASSWORD: PASSWORD, VIGIL_LOG_LEVEL: 'error', ...env });
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
  try {
    const url = await until('server url', () => /listening on (http:\/\/\S+)/.exec(p.out())?.[1], 60_000, p);
    const link = await until('agent link', () => /agent link \(gRPC, TLS\) on (\S+),/.exec(p.out())?.[1], 10_000, p);
    return { p, url, link };
  } catch (e) {
    // Not left behind when it does not come up in time.
    await stop(p);
    throw e;
  }
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

export const stop = stopProc;

/** Sum of the stored alerts of a type (groups count every alert stored). */
export async function stored(api: Api, projectId: string, type: string): Promise<number> {
  const r = await api.call<{ items: Array<{ type: string; count: number }> }>(
    'GET',
    `/api/v1/alerts?project=${projectId}&type=${encodeURIComponent(type)}&limit=500`,
  );
  return r.items.filter((i) => i.type === type).reduce((n, i) => n + i.count, 0);
}

/** A logged alert of the agent (alerts.jsonl in its data dir). */
export interface LocalAlert {
  id: string;
  type: string;
  message: string;
  action?: { kind: string };
  container?: { id: string; name?: string; image?: string };
}

/** The alerts of a type the agent logged in its data dir, in order (none before the file exists). */
export function localAlerts(dataDir: string, type: string): LocalAlert[] {
  const f = join(dataDir, 'alerts.jsonl');
  if (!existsSync(f)) return [];
  return readFileSync(f, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as LocalAlert)
    .filter((a) => a.type === type);
}

/** The ids of the alerts of a type the agent logged. */
export function localLog(dataDir: string, type: string): string[] {
  return localAlerts(dataDir, type).map((a) => a.id);
}

/** A server in `<dir>/server` (extra environment: `env`) with a cluster and a one-time agent token, and a key file `<dir>/passwd-like` for the agent to watch. */
/** An OSV record (Debian 12) that zlib before 1:1.2.13.dfsg-9 is affected, as a critical advisory `id`: what the node-image tests match. */
export function zlibAdvisory(id: string): string {
  return JSON.stringify({
    id,
    modified: '2026-01-01T00:00:00Z',
    summary: 'zlib test issue',
    database_specific: { severity: 'critical' },
    affected: [
      { package: { ecosystem: 'Debian:12', name: 'zlib' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1:1.2.13.dfsg-9' }] }] },
    ],
  });
}

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

/** Resources of one test, released in reverse order by `withStage`, then its directory removed. */
export interface Stage {
  /** A fresh temporary directory for the test. */
  dir: string;
  /** Runs `fn` at the end (the last deferred first). */
  defer(fn: () => unknown): void;
  /** A private dockerd (stopped at the end) with the Debian minbase imported as `image`, and its docker CLI (fails on a non-zero exit). */
  dockerd(prefix: string, image: string): Promise<{ d: Dockerd; docker: (args: string[]) => Promise<string> }>;
  /** `serverWithCluster` in the stage's directory, the server stopped at the end. */
  server(env?: NodeJS.ProcessEnv): Promise<ServerWithCluster>;
  /** An agent enrolled in the server's cluster with its token, ready (stopped at the end). */
  enroll(sc: ServerWithCluster, o?: AgentOptions): Promise<LinkedAgent>;
  /** A server with a cluster and an agent enrolled with its token, ready (both stopped at the end). */
  linked(o?: LinkOptions): Promise<LinkedAgent>;
}

export type ServerWithCluster = Awaited<ReturnType<typeof serverWithCluster>>;

export interface LinkOptions extends AgentOptions {
  /** The server's extra environment. */
  env?: NodeJS.ProcessEnv;
}

export interface AgentOptions {
  /** The agent's extra environment. */
  agentEnv?: NodeJS.ProcessEnv;
  /** More agent arguments (after the token and CA hash at enrollment, and at every restart). */
  args?: string[];
  /** Runs the built-in rules beside the test's key-file rule. */
  builtinRules?: boolean;
}

export interface LinkedAgent extends ServerWithCluster {
  dir: string;
  agentDir: string;
  /** The agent process (node-a), ready. */
  a: Proc;
  /** Stops the agent if it runs and starts it again (its identity from its data dir; `extra` arguments added), ready. */
  restart(extra?: string[], what?: string): Promise<Proc>;
}

/** The agent is ready: its first line of readiness on stderr. */
export function agentReady(a: Proc, what = 'agent ready'): Promise<boolean> {
  return until(what, () => /vigil agent: ready/.test(a.err()) || undefined, 120_000, a);
}

/** Runs `fn` with a stage in a fresh directory named `prefix...`; then releases what it started and removes the directory. */
export async function withStage(prefix: string, fn: (st: Stage) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const cleanups: Array<() => unknown> = [];
  const st: Stage = {
    dir,
    defer: (f) => cleanups.push(f),
    async dockerd(dPrefix, image) {
      const d = await startDockerd({ prefix: dPrefix });
      cleanups.push(() => d.stop());
      await importRootfs(d, debianRootfs(), image);
      return { d, docker: (args) => dockerOk(d, args) };
    },
    async server(env = {}) {
      const sc = await serverWithCluster(dir, env);
      cleanups.push(() => stop(sc.s.p));
      return sc;
    },
    linked: async (o = {}) => st.enroll(await st.server(o.env), o),
    async enroll(sc, o = {}) {
      const agentDir = join(dir, 'agent');
      const start = (args: string[]) => {
        const p = agent(sc.s.link, agentDir, sc.keyFile, [...args, ...(o.args ?? [])], o.agentEnv, { builtinRules: o.builtinRules });
        cleanups.push(() => stop(p));
        return p;
      };
      const x: LinkedAgent = {
        ...sc,
        dir,
        agentDir,
        a: start(['--token', sc.token, '--ca-hash', sc.caHash]),
        async restart(extra = [], what = 'agent ready again') {
          await stop(x.a);
          x.a = start(extra);
          await agentReady(x.a, what);
          return x.a;
        },
      };
      await agentReady(x.a);
      return x;
    },
  };
  const release = async (): Promise<unknown[]> => {
    // Every resource is released even when one fails to.
    const failed: unknown[] = [];
    for (const f of cleanups.reverse())
      await Promise.resolve()
        .then(f)
        .catch((e: unknown) => failed.push(e));
    rmSync(dir, { recursive: true, force: true });
    return failed;
  };
  try {
    await fn(st);
  } catch (e) {
    await release();
    throw e;
  }
  const failed = await release();
  if (failed.length) throw failed[0];
}

/** A test that needs root (for `o.needs`, skipped otherwise) run in a stage (`withStage(o.dir)`), with `o.timeout` ms. */
export function stageTest(name: string, o: { needs: string; timeout: number; dir: string }, fn: (st: Stage) => Promise<void>): void {
  test(name, { skip: !isRoot && `needs root (${o.needs})`, timeout: o.timeout }, () => withStage(o.dir, fn));
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
  return withStage(prefix, async (st) => fn(await st.linked({ env: o.env, args: o.args?.(st.dir) })));
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

/** A project image as GET .../images returns it (the fields the node-image tests read). */
export interface NodeImageRow {
  id: string;
  ref: string;
  repository: string;
  tag: string;
  digest: string;
  nodeId: string | null;
  lastScanId: string | null;
}

/** The project's images that nodes hold (of its first 100). */
export async function nodeImageRows(api: Api, projectId: string): Promise<NodeImageRow[]> {
  return (await api.call<{ items: NodeImageRow[] }>('GET', `/api/v1/projects/${projectId}/images?limit=100`)).items.filter((i) => i.nodeId);
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
