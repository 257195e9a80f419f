// The Vigil CLI as a benchmark's child process: the compiled CLI
// (dist/cli/main.js, `npm run build:server`) when it exists, else the
// sources through tsx (or always with BENCH_TSX=1). BENCH_NODE_ARGS adds
// Node options (e.g. `--cpu-prof --cpu-prof-dir=DIR`). The result has the
// end-to-end harness's Proc shape, so its `until` and `stop` serve benches too.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PASSWORD, until, type Proc } from '../../test/e2e/agent/harness.js';

export { PASSWORD };
export const root = join(import.meta.dirname, '..', '..');

/** `node`: the Node binary to run it with (default: this process's). */
export function vigil(args: string[], env: NodeJS.ProcessEnv = {}, nodeArgs: string[] = [], node = process.execPath): Proc {
  const dist = join(root, 'dist', 'cli', 'main.js');
  const entry = existsSync(dist) && !process.env.BENCH_TSX ? [dist] : ['--import', 'tsx', join(root, 'src', 'cli', 'main.ts')];
  const extra = [...nodeArgs, ...(process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? [])];
  const proc = spawn(node, [...extra, ...entry, ...args], {
    cwd: root,
    env: { ...process.env, VIGIL_ADMIN_PASSWORD: PASSWORD, VIGIL_LOG_LEVEL: 'error', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  proc.stdout!.on('data', (d) => (out += d));
  // Only the tail of stderr is kept: a long run would otherwise grow it without bound.
  proc.stderr!.on('data', (d) => (err = (err + d).slice(-20_000)));
  const exited = new Promise<number | null>((res) => proc.on('exit', (c) => res(c)));
  return { proc, out: () => out, err: () => err, exited };
}

/** `vigil server` on ephemeral ports: its REST URL and, unless `--agent-port` is off, its agent link address. */
export async function startServer(db: string, dataDir: string, args: string[] = []): Promise<{ p: Proc; url: string; link: string }> {
  const p = vigil(['server', '--db', db, '--port', '0', '--data-dir', dataDir, ...args]);
  const url = await until('server url', () => /listening on (http:\/\/\S+)/.exec(p.out())?.[1], 60_000, p);
  const link = args.includes('--agent-port') ? await until('agent link', () => /agent link \(gRPC, TLS\) on (\S+),/.exec(p.out())?.[1], 10_000, p) : '';
  return { p, url, link };
}

/** The Node options the agent image's launcher gives the agent (deploy/docker/agent.Dockerfile's ENTRYPOINT). */
export function agentLauncherNodeArgs(): string[] {
  const m = /^ENTRYPOINT\s+(\[.*\])\s*$/m.exec(readFileSync(join(root, 'deploy', 'docker', 'agent.Dockerfile'), 'utf8'));
  if (!m) throw new Error('deploy/docker/agent.Dockerfile: no ENTRYPOINT line');
  const argv = JSON.parse(m[1]!) as string[];
  return argv.slice(1).filter((a) => a.startsWith('--'));
}
