// Test helper: `vigil server ARGS` through tsx as a user starts it, its
// stdout collected; `waitFor` polls that output (50 ms steps).
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export const root = join(import.meta.dirname, '..', '..', '..');

export interface CliServer {
  proc: ChildProcess;
  out(): string;
  /** Resolves once `re` matches the output (false after `ms`). */
  waitFor(re: RegExp, ms?: number): Promise<boolean>;
  stop(): Promise<void>;
}

export function startCliServer(args: string[], env: NodeJS.ProcessEnv): CliServer {
  const proc = spawn(process.execPath, ['--import', 'tsx', join(root, 'src', 'cli', 'main.ts'), 'server', ...args], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d) => {
    out += d;
  });
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  return {
    proc,
    out: () => out,
    async waitFor(re, ms = 30_000) {
      for (let i = 0; i < ms / 50 && !re.test(out); i++) await new Promise((r) => setTimeout(r, 50));
      return re.test(out);
    },
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      await exited;
    },
  };
}
