// A private containerd for end-to-end tests: Debian's containerd (installed
// with docker.io) with its own root, state and socket under a temp directory
// (the CRI plugin disabled: it would listen on a TCP port), stopped by its
// pid after every task it ran is killed (a task's shim outlives containerd).
// `ctr` runs against it. Needs root.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeMountedDir } from './dockerd.js';

export interface Containerd {
  dir: string;
  socket: string;
  /** containerd's root (its content store is `root/io.containerd.content.v1.content`). */
  root: string;
  /** `ctr -a SOCKET -n NAMESPACE ARGS`; throws with ctr's stderr on failure. */
  ctr(args: string[], ns?: string): string;
  log(): string;
  stop(): Promise<void>;
}

export async function startContainerd(o: { prefix?: string; readyMs?: number } = {}): Promise<Containerd> {
  const dir = mkdtempSync(join(tmpdir(), o.prefix ?? 'vigil-ctd-'));
  const socket = join(dir, 'containerd.sock');
  const root = join(dir, 'root');
  const config = join(dir, 'config.toml');
  writeFileSync(
    config,
    [
      'version = 2',
      `root = "${root}"`,
      `state = "${join(dir, 'state')}"`,
      'disabled_plugins = ["io.containerd.grpc.v1.cri"]',
      '[grpc]',
      `  address = "${socket}"`,
      '[ttrpc]',
      `  address = "${socket}.ttrpc"`,
      '[debug]',
      '  address = ""',
      '[metrics]',
      '  address = ""',
      '',
    ].join('\n'),
  );
  const d: ChildProcess = spawn('containerd', ['--config', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  d.stderr!.on('data', (c) => {
    log = (log + c).slice(-20_000);
  });
  const exited = new Promise<void>((r) => d.once('exit', () => r()));
  const ctr: Containerd['ctr'] = (args, ns = 'default') => {
    const r = spawnSync('ctr', ['-a', socket, '-n', ns, ...args], { encoding: 'utf8', timeout: 120_000, maxBuffer: 16 << 20 });
    if (r.status !== 0) throw new Error(`ctr -n ${ns} ${args.join(' ')}: ${(r.stderr || r.error?.message || '').trim()}`);
    return r.stdout;
  };
  const stop = async () => {
    if (d.exitCode === null && d.signalCode === null) {
      // Kill every task first: shims (and their containers) would outlive containerd.
      try {
        for (const ns of ctr(['namespaces', 'ls', '-q']).split('\n').filter(Boolean))
          for (const line of ctr(['tasks', 'ls'], ns).split('\n').slice(1).filter(Boolean)) {
            const id = line.split(/\s+/)[0]!;
            spawnSync('ctr', ['-a', socket, '-n', ns, 'tasks', 'kill', '-s', 'SIGKILL', id], { timeout: 10_000 });
            for (let i = 0; i < 50; i++) {
              if (spawnSync('ctr', ['-a', socket, '-n', ns, 'tasks', 'delete', id], { timeout: 10_000 }).status === 0) break;
              await new Promise((r) => setTimeout(r, 100));
            }
          }
      } catch {
        // containerd already unreachable: nothing more to kill through it
      }
      d.kill('SIGTERM');
      const t = setTimeout(() => d.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(t);
    }
    removeMountedDir(dir); // overlay snapshots of the containers it ran
  };
  const end = Date.now() + (o.readyMs ?? 30_000);
  for (;;) {
    if (existsSync(socket) && spawnSync('ctr', ['-a', socket, 'version'], { timeout: 10_000 }).status === 0) break;
    if (d.exitCode !== null || Date.now() > end) {
      await stop();
      throw new Error(`containerd did not answer: ${log.slice(-800)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { dir, socket, root, ctr, log: () => log, stop };
}
