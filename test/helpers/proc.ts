// A child process of the tests with its stdout and stderr collected as text:
// the real CLI (`node --import tsx src/cli/main.ts ...`) as the agent and
// console end-to-end harnesses start it.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export const repoRoot = join(import.meta.dirname, '..', '..');
export const cliMain = join(repoRoot, 'src', 'cli', 'main.ts');

export interface Proc {
  proc: ChildProcess;
  out: () => string;
  err: () => string;
  exited: Promise<number | null>;
}

/** `vigil ARGS` from the repository's sources, in the repository root, with `env` added to this process's environment. */
export function spawnCli(args: string[], env: NodeJS.ProcessEnv = {}): Proc {
  const proc = spawn(process.execPath, ['--import', 'tsx', cliMain, ...args], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
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

/** Sends `sig` to a process still running and waits for its exit. */
export async function stopProc(p: Proc | undefined, sig: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (!p || p.proc.exitCode !== null || p.proc.signalCode !== null) return;
  p.proc.kill(sig);
  await p.exited;
}
