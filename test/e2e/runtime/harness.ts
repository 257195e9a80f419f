// Harness of the runtime end-to-end tests: starts the real CLI
// (`vigil runtime watch --format json`), waits for its `ready` line, makes
// docker-style "containers" (a `docker/<64 hex>` cgroup in the v1 pids and
// name=systemd hierarchies, entered by a process that already lives in
// fresh pid/mount/uts/ipc namespaces), and collects the alerts.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmdirSync, existsSync, writeFileSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import type { Alert } from '../../../src/core/alerts/types.js';

export const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const HIERARCHIES = ['/sys/fs/cgroup/pids', '/sys/fs/cgroup/systemd'];

/** Why these tests cannot run here, or undefined when they can. */
export function skipReason(): string | undefined {
  if (process.getuid?.() !== 0) return 'runtime e2e tests need root (eBPF, cgroups, namespaces); CI runs them as root';
  return undefined;
}

export class FakeContainer {
  readonly id = randomBytes(32).toString('hex');
  readonly dirs: string[] = [];
  constructor() {
    for (const h of HIERARCHIES) {
      if (!existsSync(h)) continue;
      const d = join(h, 'docker', this.id);
      mkdirSync(d, { recursive: true });
      this.dirs.push(d);
    }
    if (this.dirs.length === 0) throw new Error('no cgroup v1 hierarchy to make a container in');
  }

  /**
   * Run `script` (sh) inside the container: new pid/mount/uts/ipc namespaces
   * first (so the namespace creation itself is not the container's doing),
   * then join the cgroup, then exec the script.
   */
  run(
    script: string,
    opts: { net?: boolean; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {},
  ): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; ms: number }> {
    const join = this.dirs.map((d) => `echo 0 > ${d}/cgroup.procs`).join(' && ');
    const inner = `${join} && ${opts.net ? 'ip link set lo up && ' : ''}exec sh -c "$VIGIL_E2E_SCRIPT"`;
    const args = ['--pid', '--mount', '--uts', '--ipc', '--fork', ...(opts.net ? ['--net'] : []), 'sh', '-c', inner];
    const started = Date.now();
    return new Promise((resolve) => {
      const c = spawn('unshare', args, { env: { ...process.env, ...opts.env, VIGIL_E2E_SCRIPT: script }, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      c.stdout.on('data', (d) => (stdout += d));
      c.stderr.on('data', (d) => (stderr += d));
      const t = setTimeout(() => c.kill('SIGKILL'), opts.timeoutMs ?? 20_000);
      c.on('exit', (code, signal) => {
        clearTimeout(t);
        resolve({ code, signal, stdout, stderr, ms: Date.now() - started });
      });
    });
  }

  /** Kill what still runs in the container (e.g. an interactive shell), then remove its cgroups. */
  remove(): void {
    for (const d of this.dirs) {
      for (let attempt = 0; attempt < 40; attempt++) {
        try {
          for (const pid of readFileSync(join(d, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean)) {
            try {
              process.kill(Number(pid), 'SIGKILL');
            } catch {
              // already gone
            }
          }
          rmdirSync(d);
          break;
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code === 'ENOENT') break;
          // EBUSY until the killed processes are reaped
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
        }
      }
    }
  }
}

export class Watch {
  readonly alerts: Alert[] = [];
  stderr = '';
  private child?: ChildProcess;
  private exit?: Promise<number | null>;

  async start(args: string[], readyTimeoutMs = 130_000, env: NodeJS.ProcessEnv = {}): Promise<void> {
    const c = spawn(process.execPath, ['--import', 'tsx', join(REPO, 'src/cli/main.ts'), 'runtime', 'watch', '--format', 'json', ...args], {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    });
    this.child = c;
    this.exit = new Promise((res) => c.on('exit', (code) => res(code)));
    let buf = '';
    c.stdout!.setEncoding('utf8');
    c.stdout!.on('data', (d: string) => {
      buf += d;
      const lines = buf.split('\n');
      buf = lines.pop() ?? '';
      for (const l of lines) if (l.trim()) this.alerts.push(JSON.parse(l) as Alert);
    });
    c.stderr!.setEncoding('utf8');
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no ready line within ${readyTimeoutMs} ms; stderr: ${this.stderr}`)), readyTimeoutMs);
      c.stderr!.on('data', (d: string) => {
        this.stderr += d;
        if (/ready/.test(this.stderr)) {
          clearTimeout(t);
          resolve();
        }
      });
      void this.exit!.then((code) => {
        clearTimeout(t);
        reject(new Error(`watch exited with ${code} before ready: ${this.stderr}`));
      });
    });
  }

  of(containerId: string): Alert[] {
    return this.alerts.filter((a) => a.container?.id === containerId);
  }

  async waitFor(pred: (a: Alert) => boolean, timeoutMs = 10_000): Promise<Alert> {
    const end = Date.now() + timeoutMs;
    while (Date.now() < end) {
      const a = this.alerts.find(pred);
      if (a) return a;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(
      `no matching alert within ${timeoutMs} ms; alerts: ${JSON.stringify(this.alerts.map((a) => [a.type, a.container?.id?.slice(0, 12), a.rule, a.process?.name]))}`,
    );
  }

  /** SIGINT; resolves with the exit code. */
  async stop(signal: NodeJS.Signals = 'SIGINT'): Promise<number | null> {
    if (!this.child) return null;
    this.child.kill(signal);
    const t = setTimeout(() => this.child?.kill('SIGKILL'), 15_000);
    const code = await this.exit!;
    clearTimeout(t);
    return code;
  }
}

export function writeFile(path: string, text: string): void {
  writeFileSync(path, text);
}
export function readText(path: string): string {
  return readFileSync(path, 'utf8');
}
