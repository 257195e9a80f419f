// A private Docker daemon for end-to-end tests: Debian's dockerd with its own
// socket, data and exec roots under a temp directory (no bridge, no iptables,
// so it touches nothing of the host's networking and runs beside other
// engineers' daemons), stopped by its pid. `importRootfs` turns a directory
// (the debootstrap'ed minbase of `.ci/run`) into an image with `docker import`;
// `hostTrueImage` is a tiny image of the host's /bin/true. Used by the e2e tests
// and by bench/docker-authz-bench.ts.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeDockerArchive, type FileSpec } from './image-builder.js';

export interface DockerResult {
  status: number;
  out: string;
  err: string;
  ms: number;
}

export interface Dockerd {
  dir: string;
  socket: string;
  /** Runs the docker CLI against this daemon (async: a plugin may answer from this process). */
  docker(args: string[], opts?: { input?: NodeJS.ReadableStream; timeoutMs?: number; cwd?: string }): Promise<DockerResult>;
  /** The same, blocking (for tests whose own process does not need to answer dockerd meanwhile). */
  dockerSync(args: string[], opts?: { timeoutMs?: number; env?: NodeJS.ProcessEnv }): DockerResult;
  log(): string;
  stop(): Promise<void>;
}

export async function startDockerd(o: { prefix?: string; args?: string[]; readyMs?: number } = {}): Promise<Dockerd> {
  // Short paths: containerd's socket under the exec root must fit a unix socket path (108 bytes).
  const dir = mkdtempSync(join(tmpdir(), o.prefix ?? 'vigil-dockerd-'));
  const socket = join(dir, 'docker.sock');
  const d: ChildProcess = spawn(
    'dockerd',
    [
      '--bridge=none',
      '--iptables=false',
      '--ip6tables=false',
      '-H',
      `unix://${socket}`,
      '--data-root',
      join(dir, 'data'),
      '--exec-root',
      join(dir, 'exec'),
      '-p',
      join(dir, 'docker.pid'),
      ...(o.args ?? []),
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  d.stderr!.on('data', (c) => {
    log = (log + c).slice(-20_000);
  });
  const exited = new Promise<void>((r) => d.once('exit', () => r()));
  const docker: Dockerd['docker'] = (args, opts = {}) => {
    const t0 = performance.now();
    return new Promise((resolve) => {
      const c = spawn('docker', ['-H', `unix://${socket}`, ...args], {
        stdio: [opts.input ? 'pipe' : 'ignore', 'pipe', 'pipe'],
        timeout: opts.timeoutMs ?? 120_000,
        ...(opts.cwd ? { cwd: opts.cwd } : {}),
      });
      let out = '';
      let err = '';
      c.stdout!.on('data', (x) => (out += x));
      c.stderr!.on('data', (x) => (err = (err + x).slice(-50_000)));
      if (opts.input) opts.input.pipe(c.stdin!);
      c.on('close', (code) => resolve({ status: code ?? -1, out, err, ms: performance.now() - t0 }));
      c.on('error', (e) => resolve({ status: -1, out, err: e.message, ms: performance.now() - t0 }));
    });
  };
  const dockerSync: Dockerd['dockerSync'] = (args, opts = {}) => {
    const t0 = performance.now();
    const r = spawnSync('docker', ['-H', `unix://${socket}`, ...args], {
      encoding: 'utf8',
      timeout: opts.timeoutMs ?? 120_000,
      maxBuffer: 16 << 20,
      ...(opts.env ? { env: opts.env } : {}),
    });
    return { status: r.status ?? -1, out: r.stdout ?? '', err: r.stderr || r.error?.message || '', ms: performance.now() - t0 };
  };
  const stop = async () => {
    if (d.exitCode === null && d.signalCode === null) {
      d.kill('SIGTERM');
      const t = setTimeout(() => d.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(t);
    }
    // dockerd leaves mounts below its private dirs (netns files, overlay layers): detach them before removing.
    removeMountedDir(dir);
  };
  const end = Date.now() + (o.readyMs ?? 60_000);
  for (;;) {
    if (existsSync(socket) && (await docker(['version', '--format', '{{.Server.Version}}'], { timeoutMs: 10_000 })).status === 0) break;
    if (d.exitCode !== null || Date.now() > end) {
      await stop();
      throw new Error(`dockerd did not answer: ${log.slice(-800)}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { dir, socket, docker, dockerSync, log: () => log, stop };
}

/** Runs the docker CLI against this daemon and returns its trimmed stdout; a non-zero exit throws, naming the command and its stderr. */
export async function dockerOk(d: Dockerd, args: string[]): Promise<string> {
  const r = await d.docker(args);
  if (r.status !== 0) throw new Error(`docker ${args.join(' ')}: exit ${r.status}: ${r.err.trim()}`);
  return r.out.trim();
}

/** Removes a daemon's private directory, detaching first what is mounted below it (lazily: a busy mount leaves the directory rather than failing the test). */
export function removeMountedDir(dir: string): void {
  for (const m of readFileSync('/proc/self/mounts', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[1] ?? '')
    .reverse())
    if (m.startsWith(`${dir}/`)) spawnSync('umount', ['-l', m], { stdio: 'ignore' });
  try {
    rmSync(dir, { recursive: true, force: true });
  } catch {
    // a mount busy past the lazy unmount: leave the temp dir rather than fail the test
  }
}

/** `docker import` of a root directory as `tag` (tar streamed from the directory, numeric owners kept; `exclude`: tar patterns left out). */
export async function importRootfs(d: Dockerd, rootfs: string, tag: string, exclude: string[] = []): Promise<void> {
  const tar = spawn('tar', ['--numeric-owner', '-C', rootfs, ...exclude.map((e) => `--exclude=${e}`), '-c', '.'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let tarErr = '';
  tar.stderr.on('data', (x) => (tarErr += x));
  const r = await d.docker(['import', '-', tag], { input: tar.stdout, timeoutMs: 300_000 });
  if (r.status !== 0) throw new Error(`docker import of ${rootfs} failed: ${r.err.trim()} ${tarErr.trim()}`);
}

/** The Debian minbase root of `.ci/run`; in CI its absence is a failure, not a skip. */
export function debianRootfs(): string {
  const dir = process.env.VIGIL_TEST_DEBIAN_ROOTFS ?? '/var/cache/vigil-ci/bookworm-minbase';
  if (!existsSync(join(dir, 'var/lib/dpkg/status'))) {
    throw new Error(`no Debian rootfs at ${dir} (VIGIL_TEST_DEBIAN_ROOTFS): .ci/run builds it with debootstrap`);
  }
  return dir;
}

/** /bin/true and the libraries it needs, from the host: a real executable in a tiny image. */
export function hostTrueFiles(): FileSpec[] {
  const ldd = spawnSync('ldd', ['/usr/bin/true'], { encoding: 'utf8' }).stdout;
  const libs = [...ldd.matchAll(/(\/[^\s]+\.so[^\s]*)/g)].map((m) => m[1]!);
  return [
    { path: 'bin/true', content: readFileSync('/usr/bin/true'), mode: 0o755 },
    ...libs.map((l) => ({ path: l.slice(1), content: readFileSync(l), mode: 0o755 })),
  ];
}

/** Writes the /bin/true image as a docker archive tagged `tag` under `dir` and `docker load`s it into each daemon. */
export async function loadHostTrueImage(daemons: Dockerd[], dir: string, tag: string): Promise<void> {
  const tar = join(dir, `${tag.replace(/[/:]/g, '-')}.tar`);
  await writeDockerArchive(tar, { layers: [{ files: hostTrueFiles() }], config: { config: { Cmd: ['/bin/true'] } }, repoTags: [tag] });
  for (const d of daemons) {
    const l = await d.docker(['load', '-i', tar]);
    if (l.status !== 0) throw new Error(`docker load of ${tag}: ${l.err.trim()}`);
  }
}
