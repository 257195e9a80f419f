// File integrity of key files: inotify watches (fs.watch) on the directories
// of the seed's key binaries, and a SHA-256 of each file's content. Owns the
// `filechange` event (docs/rules.md): raised when the content hash changes
// (a write, a replace by rename, a deletion), never on a touch or a
// metadata-only change. Files are hashed streaming with a size cap. A
// `Sensor` (./sensor.ts); the syscall sensor's writers reach it through
// `noteWrite`, so a change names the process that opened the file.
import { createReadStream, watch, statSync, type FSWatcher } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, basename } from 'node:path';
import type { SyscallEvent } from '../../core/events/event.js';
import { SensorStatus, type Sensor, type SensorHealth, type SensorSink } from './sensor.js';

/** The catalog's key files (system/key-file-change, docs/product.md). */
export const KEY_FILES: readonly string[] = [
  '/bin/ls',
  '/bin/ps',
  '/bin/bash',
  '/bin/login',
  '/usr/bin/ls',
  '/usr/bin/ps',
  '/usr/bin/bash',
  '/usr/bin/login',
  '/usr/bin/passwd',
  '/usr/bin/top',
  '/usr/bin/killall',
  '/usr/bin/ssh',
  '/usr/bin/wget',
  '/usr/bin/curl',
];

export const FIM_MAX_BYTES = 512 * 1024 * 1024;

/** SHA-256 of a file's content ('' when it does not exist or is not a regular file; 'too-large' past the cap). */
export async function hashFile(path: string, maxBytes = FIM_MAX_BYTES): Promise<string> {
  let size: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) return '';
    size = st.size;
  } catch {
    return '';
  }
  if (size > maxBytes) return 'too-large';
  return new Promise((resolve) => {
    const h = createHash('sha256');
    const s = createReadStream(path);
    s.on('data', (c) => h.update(c));
    s.on('end', () => resolve(h.digest('hex')));
    s.on('error', () => resolve(''));
  });
}

export interface FileIntegrityOptions {
  paths: readonly string[];
  host: string;
  /** Settle time after an inotify event before hashing (writes come in bursts). */
  debounceMs?: number;
  now?: () => number;
}

export class FileIntegrity implements Sensor {
  readonly name = 'file-integrity';
  private sink?: SensorSink;
  private readonly status: SensorStatus;
  private readonly hashes = new Map<string, string>();
  private readonly watchers: FSWatcher[] = [];
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** Who last opened a watched path for writing (from the syscall sensor), to name the process. */
  private readonly writers = new Map<string, SyscallEvent['proc']>();
  checks = 0;

  constructor(private readonly o: FileIntegrityOptions) {
    this.status = new SensorStatus(`file integrity of ${o.paths.length} key files (inotify)`);
  }

  async start(sink: SensorSink): Promise<void> {
    if (this.sink) return;
    this.status.state = 'starting';
    this.sink = sink;
    const byDir = new Map<string, Set<string>>();
    for (const p of this.o.paths) {
      this.hashes.set(p, await hashFile(p));
      const d = dirname(p);
      if (!byDir.has(d)) byDir.set(d, new Set());
      byDir.get(d)!.add(basename(p));
    }
    for (const [dir, names] of byDir) {
      try {
        // A directory watch also sees a file replaced by rename (sed -i, package managers).
        const w = watch(dir, { persistent: false }, (_ev, name) => {
          const n = typeof name === 'string' ? name : name ? String(name) : '';
          if (n && names.has(n)) this.schedule(`${dir === '/' ? '' : dir}/${n}`);
        });
        w.on('error', () => {});
        this.watchers.push(w);
      } catch {
        // Directory missing: nothing to protect there.
      }
    }
    this.status.state = 'running';
  }

  /** The syscall sensor saw `proc` open `path` for writing. */
  noteWrite(path: string, proc: SyscallEvent['proc']): void {
    if (!this.hashes.has(path)) return;
    this.writers.set(path, proc);
  }

  private schedule(path: string): void {
    const t = this.timers.get(path);
    if (t) clearTimeout(t);
    this.timers.set(
      path,
      setTimeout(() => {
        this.timers.delete(path);
        void this.check(path);
      }, this.o.debounceMs ?? 100),
    );
  }

  /** Re-hash one watched file; emits a filechange event when the content changed. */
  async check(path: string): Promise<boolean> {
    this.checks++;
    const old = this.hashes.get(path);
    if (old === undefined) return false;
    const now = await hashFile(path);
    if (now === old) return false;
    this.hashes.set(path, now);
    const proc = this.writers.get(path) ?? { pid: 0, ppid: 0, name: '', uid: -1 };
    this.writers.delete(path);
    if (!this.sink) return true;
    this.status.events++;
    this.sink.event({
      source: 'syscall',
      type: 'filechange',
      time: (this.o.now ?? Date.now)(),
      args: { path, oldSha256: old, newSha256: now },
      fd: { type: 'file', name: path },
      proc,
      container: { id: 'host' },
      host: this.o.host,
    });
    return true;
  }

  async stop(): Promise<void> {
    for (const w of this.watchers) w.close();
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    this.watchers.length = 0;
    this.sink = undefined;
    this.status.state = 'stopped';
  }

  health(): SensorHealth {
    return this.status.snapshot();
  }
}
