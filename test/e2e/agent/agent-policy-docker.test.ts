// A policy change on the server takes effect on a running agent, with real
// processes and a real container: `vigil server` (SQLite), Debian's dockerd
// with private paths, and `vigil agent` (procfs sensor, the test dockerd for
// container names and images). A container of a test image runs; before any
// policy an exec in it lives; a process-whitelist policy (enforce) is created
// through the API and applied to the image; within seconds an exec of a
// process not on the whitelist is killed (exit 137) and the alert
// (container/abnormal-process, action killed, the container's image) reaches
// GET /api/v1/alerts; after the policy is deleted the same exec lives again.
// Needs root and dockerd.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeDockerArchive, type FileSpec } from '../../helpers/image-builder.js';

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
    env: { ...process.env, VIGIL_ADMIN_PASSWORD: PASSWORD, VIGIL_LOG_LEVEL: 'warn' },
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

const stop = async (p: Proc | undefined, sig: NodeJS.Signals = 'SIGTERM') => {
  if (!p || p.proc.exitCode !== null || p.proc.signalCode !== null) return;
  p.proc.kill(sig);
  await p.exited;
};

const hasDocker = spawnSync('dockerd', ['--version']).status === 0;

/** /usr/bin/sleep and the libraries it needs, from the host. */
function sleepFiles(): FileSpec[] {
  const ldd = spawnSync('ldd', ['/usr/bin/sleep'], { encoding: 'utf8' }).stdout;
  const libs = [...ldd.matchAll(/(\/[^\s]+\.so[^\s]*)/g)].map((m) => m[1]!);
  return [
    { path: 'bin/sleep', content: readFileSync('/usr/bin/sleep'), mode: 0o755 },
    ...libs.map((l) => ({ path: l.slice(1), content: readFileSync(l), mode: 0o755 })),
  ];
}

test(
  'agent: a process-whitelist policy created and applied through the API is enforced in a running container within seconds, and lifted when deleted',
  { skip: (!isRoot && 'needs root') || (!hasDocker && 'needs dockerd'), timeout: 300_000 },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-agent-pol-'));
    const sock = join(dir, 'docker.sock');
    const docker = (...args: string[]) => spawnSync('docker', ['-H', `unix://${sock}`, ...args], { encoding: 'utf8', timeout: 120_000 });
    let dockerd: ChildProcess | undefined;
    let server: Proc | undefined;
    let a: Proc | undefined;
    try {
      dockerd = spawn(
        'dockerd',
        [
          '--bridge=none',
          '--iptables=false',
          '--ip6tables=false',
          '-H',
          `unix://${sock}`,
          '--data-root',
          join(dir, 'data'),
          '--exec-root',
          join(dir, 'exec'),
          '-p',
          join(dir, 'docker.pid'),
        ],
        { stdio: ['ignore', 'ignore', 'ignore'] },
      );
      await until('dockerd', () => (existsSync(sock) && docker('version').status === 0) || undefined, 60_000);
      const tar = join(dir, 'img.tar');
      await writeDockerArchive(tar, {
        layers: [{ files: sleepFiles() }],
        config: { config: { Cmd: ['/bin/sleep', '600'] } },
        repoTags: ['vigil-test/sleeper:1'],
      });
      const l = docker('load', '-i', tar);
      assert.equal(l.status, 0, l.stderr);

      const s = await startServer(join(dir, 'server'), 0);
      server = s.p;
      const api = await Api.login(s.url);
      const { projectId, token, caHash } = await cluster(api);
      a = run([
        'agent',
        '--server',
        s.link,
        '--token',
        token,
        '--ca-hash',
        caHash,
        '--data-dir',
        join(dir, 'agent'),
        '--node-name',
        'node-d',
        '--sensor',
        'procfs',
        '--docker-socket',
        sock,
        '--key-file',
        join(dir, 'none'),
        '--auth-log',
        join(dir, 'none.log'),
        '--heartbeat',
        '1',
      ]);
      await until('agent ready', () => /vigil agent: ready/.test(a!.err()) || undefined, 90_000, a);
      const name = `sleeper-${Date.now()}`;
      const r = docker('run', '-d', '--network', 'none', '--name', name, 'vigil-test/sleeper:1');
      assert.equal(r.status, 0, r.stderr);
      await new Promise((res) => setTimeout(res, 1500));

      // No policy yet: an exec lives.
      const free = docker('exec', name, '/bin/sleep', '1');
      assert.equal(free.status, 0, `before the policy: ${free.stderr}`);

      const img = await api.call<{ id: string }>('POST', `/api/v1/projects/${projectId}/images`, { ref: 'registry:vigil-test/sleeper:1' });
      const pol = await api.call<{ id: string }>('POST', `/api/v1/projects/${projectId}/policies`, {
        name: 'sleeper-only-true',
        kind: 'process-whitelist',
        mode: 'enforce',
        document: { processWhitelist: { executables: ['/bin/true'] } },
      });
      const t0 = Date.now();
      await api.call('POST', `/api/v1/projects/${projectId}/policies/${pol.id}/images`, { imageIds: [img.id] });
      // Within 5 s (measured from the apply call), an exec not on the whitelist is killed.
      let killedAt = 0;
      while (Date.now() - t0 < 15_000) {
        const x = docker('exec', name, '/bin/sleep', '3');
        if (x.status === 137) {
          killedAt = Date.now() - t0;
          break;
        }
      }
      assert.ok(killedAt > 0, `no exec was killed within 15 s\nagent: ${a.err()}\nserver: ${server.err().slice(-3000)}`);
      assert.ok(killedAt < 5000 + 3000, `enforced ${killedAt} ms after the apply`);
      assert.match(a.err(), /policies applied: revision sha256:/);
      const alert = await until(
        'the policy alert on the server',
        async () => {
          const list = await api.call<{ items: Array<Record<string, any>> }>('GET', `/api/v1/alerts?project=${projectId}&type=container%2Fabnormal-process`);
          return list.items[0];
        },
        20_000,
        a,
      );
      // The group's sample is the full alert: the container's image and name, and the kill.
      const full = await api.call<Record<string, any>>('GET', `/api/v1/projects/${projectId}/alerts/${alert.id}`);
      const detail = JSON.stringify(full);
      assert.match(detail, /vigil-test\/sleeper:1/);
      assert.match(detail, new RegExp(name));
      assert.match(detail, /"kind":"killed"/);

      // Deleted: the same exec lives again.
      await api.call('DELETE', `/api/v1/projects/${projectId}/policies/${pol.id}`);
      await until('exec allowed again', () => (docker('exec', name, '/bin/sleep', '1').status === 0 ? true : undefined), 15_000, a);
    } finally {
      await stop(a);
      await stop(server);
      if (dockerd?.pid) {
        dockerd.kill('SIGTERM');
        await new Promise((res) => {
          dockerd!.once('exit', res);
          setTimeout(res, 20_000);
        });
      }
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
