// The node agent linked to a real `vigil server` (SQLite) over gRPC/TLS, as
// real processes: enrollment with a one-time cluster token and the pinned CA
// hash, a real key-file change on this host raising an alert that reaches
// GET /api/v1/alerts exactly once, a reused token refused, and kill -9 of
// the server while the agent holds queued alerts: after the restart every
// alert the agent produced is stored exactly once. Needs root (the agent's
// procfs sensor reads every process).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..', '..');
const main = join(root, 'src', 'cli', 'main.ts');
const PASSWORD = 'agent-link-test-password-1';
const isRoot = process.getuid?.() === 0;

interface Proc {
  proc: ChildProcess;
  out: () => string;
  err: () => string;
  exited: Promise<number | null>;
}

function run(args: string[]): Proc {
  const proc = spawn(process.execPath, ['--import', 'tsx', main, ...args], {
    cwd: root,
    env: { ...process.env, VIGIL_ADMIN_PASSWORD: PASSWORD, VIGIL_LOG_LEVEL: 'error' },
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

async function until<T>(what: string, fn: () => T | undefined | Promise<T | undefined>, ms = 30_000, p?: Proc): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${p ? `\nstdout: ${p.out()}\nstderr: ${p.err()}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

async function startServer(dataDir: string, agentPort: number | string): Promise<{ p: Proc; url: string; link: string }> {
  const p = run(['server', '--port', '0', '--agent-port', String(agentPort), '--data-dir', dataDir]);
  const url = await until('server url', () => /listening on (http:\/\/\S+)/.exec(p.out())?.[1], 60_000, p);
  const link = await until('agent link', () => /agent link \(gRPC, TLS\) on (\S+),/.exec(p.out())?.[1], 10_000, p);
  return { p, url, link };
}

class Api {
  constructor(
    readonly url: string,
    private token = '',
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

async function cluster(api: Api): Promise<{ projectId: string; token: string; caHash: string }> {
  const projectId = (await api.call<{ items: Array<{ id: string }> }>('GET', '/api/v1/projects')).items[0]!.id;
  const { id } = await api.call<{ id: string }>('POST', `/api/v1/projects/${projectId}/clusters`, { name: `c${Date.now()}` });
  const t = await api.call<{ token: string; caHash: string }>('POST', `/api/v1/projects/${projectId}/clusters/${id}/agent-tokens`, {});
  assert.match(t.caHash, /^sha256:[0-9a-f]{64}$/);
  return { projectId, token: t.token, caHash: t.caHash };
}

/** A rule for the test's own key file (the built-in ones name the system's files). */
function ruleFile(dir: string, keyFile: string): string {
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

function agent(link: string, dataDir: string, keyFile: string, extra: string[] = []): Proc {
  return run([
    'agent',
    '--no-builtin-rules',
    '--rules',
    ruleFile(join(dataDir, '..'), keyFile),
    '--server',
    link,
    '--data-dir',
    dataDir,
    '--node-name',
    'node-a',
    '--sensor',
    'procfs',
    '--key-file',
    keyFile,
    '--auth-log',
    join(dataDir, 'no-auth.log'),
    '--heartbeat',
    '0.5',
    ...extra,
  ]);
}

const stop = async (p: Proc | undefined, sig: NodeJS.Signals = 'SIGTERM') => {
  if (!p || p.proc.exitCode !== null || p.proc.signalCode !== null) return;
  p.proc.kill(sig);
  await p.exited;
};

/** Sum of the stored alerts of a type (groups count every alert stored). */
async function stored(api: Api, projectId: string, type: string): Promise<number> {
  const r = await api.call<{ items: Array<{ type: string; count: number }> }>(
    'GET',
    `/api/v1/alerts?project=${projectId}&type=${encodeURIComponent(type)}&limit=500`,
  );
  return r.items.filter((i) => i.type === type).reduce((n, i) => n + i.count, 0);
}

function localLog(dataDir: string, type: string): string[] {
  const f = join(dataDir, 'alerts.jsonl');
  if (!existsSync(f)) return [];
  return readFileSync(f, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { id: string; type: string })
    .filter((a) => a.type === type)
    .map((a) => a.id);
}

test(
  'agent: enrolls with the pinned CA, a real key-file change is stored exactly once, a reused token is refused',
  { skip: !isRoot && 'needs root (procfs sensor)', timeout: 180_000 },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-agent-link-'));
    let server: Proc | undefined;
    let a: Proc | undefined;
    try {
      const s = await startServer(join(dir, 'server'), 0);
      server = s.p;
      const api = await Api.login(s.url);
      const { projectId, token, caHash } = await cluster(api);
      const keyFile = join(dir, 'passwd-like');
      writeFileSync(keyFile, 'root:x:0:0::/root:/bin/sh\n');

      // A wrong pin: nothing is sent, the token stays unspent.
      const wrong = agent(s.link, join(dir, 'wrong'), keyFile, ['--token', token, '--ca-hash', `sha256:${'0'.repeat(64)}`]);
      assert.equal(await wrong.exited, 2, wrong.err());
      assert.match(wrong.err(), /CA hash sha256:[0-9a-f]{64} does not match --ca-hash/);

      const agentDir = join(dir, 'agent');
      a = agent(s.link, agentDir, keyFile, ['--token', token, '--ca-hash', caHash]);
      await until('agent ready', () => /vigil agent: ready/.test(a!.err()), 90_000, a);
      const nodes = await until(
        'node online',
        async () => {
          const n = await api.call<{ items: Array<{ hostname: string; status: string; kernel: string; version: string }> }>(
            'GET',
            `/api/v1/projects/${projectId}/nodes`,
          );
          return n.items.find((x) => x.hostname === 'node-a' && x.status === 'online');
        },
        10_000,
        a,
      );
      assert.ok(nodes.kernel.length > 0);
      assert.equal(nodes.version, '0.1.0');

      appendFileSync(keyFile, 'mallory:x:0:0::/root:/bin/sh\n');
      const type = 'custom/Test key file changed';
      await until('alert stored', async () => (await stored(api, projectId, type)) >= 1, 20_000, a);
      await until('queue drained', () => (localLog(agentDir, type).length >= 1 ? true : undefined), 5000, a);
      await new Promise((r) => setTimeout(r, 1500));
      assert.equal(await stored(api, projectId, type), localLog(agentDir, type).length);
      assert.equal(localLog(agentDir, type).length, 1);

      // The same token again, from another data dir: refused, one clear line.
      const again = agent(s.link, join(dir, 'again'), keyFile, ['--token', token, '--ca-hash', caHash]);
      assert.equal(await again.exited, 2, again.err());
      assert.match(again.err(), /enroll: agent token already used/);
      assert.doesNotMatch(again.err(), /\n\s+at /);
      // An unknown token: refused too.
      const unknown = agent(s.link, join(dir, 'unknown'), keyFile, ['--token', 'vgr_nope', '--ca-hash', caHash]);
      assert.equal(await unknown.exited, 2, unknown.err());
      assert.match(unknown.err(), /enroll: unknown agent token/);
    } finally {
      await stop(a);
      await stop(server);
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

test(
  'agent: kill -9 of the server while alerts are queued; after the restart each is stored exactly once',
  { skip: !isRoot && 'needs root (procfs sensor)', timeout: 240_000 },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-agent-kill-'));
    let server: Proc | undefined;
    let a: Proc | undefined;
    try {
      const port = await freePort();
      const serverDir = join(dir, 'server');
      let s = await startServer(serverDir, port);
      server = s.p;
      let api = await Api.login(s.url);
      const { projectId, token, caHash } = await cluster(api);
      const keyFile = join(dir, 'shadow-like');
      writeFileSync(keyFile, 'root:*:19000:0:99999:7:::\n');
      const agentDir = join(dir, 'agent');
      a = agent(s.link, agentDir, keyFile, ['--token', token, '--ca-hash', caHash]);
      await until('agent ready', () => /vigil agent: ready/.test(a!.err()), 90_000, a);
      const type = 'custom/Test key file changed';
      const change = async (n: number) => {
        for (let i = 0; i < n; i++) {
          appendFileSync(keyFile, `u${Date.now()}${i}:*:19000:0:99999:7:::\n`);
          await new Promise((r) => setTimeout(r, 250));
        }
      };
      await change(3);
      await until('first alerts stored', async () => (await stored(api, projectId, type)) >= 1, 20_000, a);

      server.proc.kill('SIGKILL');
      await server.exited;
      const before = localLog(agentDir, type).length;
      await change(5);
      await until('alerts raised while the server is down', () => (localLog(agentDir, type).length >= before + 3 ? true : undefined), 20_000, a);
      // The agent keeps them on disk meanwhile (and is still running).
      assert.equal(a.proc.exitCode, null);

      s = await startServer(serverDir, port);
      server = s.p;
      api = await Api.login(s.url);
      const produced = localLog(agentDir, type);
      assert.equal(new Set(produced).size, produced.length);
      await until('replayed after the restart', async () => ((await stored(api, projectId, type)) === produced.length ? true : undefined), 60_000, a);
      await new Promise((r) => setTimeout(r, 2000));
      assert.equal(await stored(api, projectId, type), localLog(agentDir, type).length);
    } finally {
      await stop(a);
      await stop(server);
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
