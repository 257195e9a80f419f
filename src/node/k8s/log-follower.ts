// Follows the apiserver's audit log file (`--audit-log-path`) across
// rotation by rename (lumberjack renames audit.log to audit-<time>.log and
// creates a new audit.log), truncation, partial last lines and restarts.
// Position is (device, inode, byte offset after the last complete line, hash
// of the file's first line); it is saved to a state file after each batch, so
// a restarted follower neither loses nor repeats a line: if the inode moved
// while it was down, it first finishes the rotated file, found by inode.
import { createHash } from 'node:crypto';
import { open, readdir, type FileHandle, rename, stat, writeFile, readFile, mkdir } from 'node:fs/promises';
import { dirname, join, basename } from 'node:path';
import { InputError } from '../../core/errors.js';
import { LineSplitter, type SplitLine } from '../../core/k8s/line-splitter.js';

export interface FollowState {
  version: 1;
  path: string;
  dev: number;
  ino: number;
  /** Byte offset after the last complete line handled. */
  offset: number;
  /** Lines handled so far in this file (for `line N` messages). */
  lineNo: number;
  /** sha256 of the file's first line, to tell a truncated-and-regrown or replaced file from the one we read. */
  firstLineHash?: string;
}

export interface FollowedLine extends SplitLine {
  /** The file the line came from (a rotated file has its new name). */
  file: string;
}

export interface LogFollowerOptions {
  path: string;
  stateFile?: string;
  onLines: (lines: FollowedLine[]) => void | Promise<void>;
  onWarning?: (message: string) => void;
  maxLineBytes?: number;
  /** Bytes read per read() call. */
  chunkBytes?: number;
  pollMs?: number;
  /** Injected so tests run fast; resolves after ms or when aborted. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

const FIRST_LINE_HASH_BYTES = 4096;

export class AuditLogFollower {
  private state: FollowState | undefined;
  private readonly maxLineBytes: number;
  private readonly chunkBytes: number;

  constructor(private readonly opts: LogFollowerOptions) {
    this.maxLineBytes = opts.maxLineBytes ?? 4 * 1024 * 1024;
    this.chunkBytes = opts.chunkBytes ?? 1024 * 1024;
  }

  get position(): FollowState | undefined {
    return this.state ? { ...this.state } : undefined;
  }

  /** Load a saved position, if any. */
  async init(): Promise<void> {
    if (!this.opts.stateFile) return;
    let text: string;
    try {
      const st = await stat(this.opts.stateFile);
      // A position is a few hundred bytes; anything big is not our file.
      if (st.size > 64 * 1024) throw new InputError('FOLLOW_STATE_INVALID', 'state file is larger than 64 KiB: not a Vigil position file', this.opts.stateFile);
      text = await readFile(this.opts.stateFile, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw e;
    }
    let s: FollowState;
    try {
      s = JSON.parse(text) as FollowState;
    } catch {
      throw new InputError('FOLLOW_STATE_INVALID', 'state file is not JSON', this.opts.stateFile);
    }
    if (s?.version !== 1 || typeof s.ino !== 'number' || typeof s.offset !== 'number' || s.offset < 0) {
      throw new InputError('FOLLOW_STATE_INVALID', 'state file has an unknown shape', this.opts.stateFile);
    }
    if (s.path !== this.opts.path) this.warn(`state file was for ${s.path}; starting ${this.opts.path} from its beginning`);
    else this.state = s;
  }

  /** Read whatever is available now; returns the number of lines handed over. */
  async pollOnce(): Promise<number> {
    let count = 0;
    // One handle for the whole poll: its identity, first line and content are
    // the same file even when the path is renamed away meanwhile (a stat and a
    // later open by name could see two files).
    let fh: FileHandle;
    try {
      fh = await open(this.opts.path, 'r');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
        // Between the rename and the creation of the new file: finish the old one.
        if (this.state) count += await this.finishRotated();
        return count;
      }
      throw e;
    }
    try {
      const st = await fh.stat();
      if (!this.state) {
        this.state = { version: 1, path: this.opts.path, dev: st.dev, ino: st.ino, offset: 0, lineNo: 0 };
      } else if (st.ino !== this.state.ino || st.dev !== this.state.dev) {
        count += await this.finishRotated(st);
        this.state = { version: 1, path: this.opts.path, dev: st.dev, ino: st.ino, offset: 0, lineNo: 0 };
      } else if (st.size < this.state.offset) {
        this.warn(`${this.opts.path} was truncated (size ${st.size} < offset ${this.state.offset}); reading it from the start`);
        this.resetSameFile();
      } else if (this.state.firstLineHash && st.size > 0) {
        const h = await firstLineHash(fh);
        if (h !== undefined && h !== this.state.firstLineHash) {
          this.warn(`${this.opts.path} was truncated and rewritten; reading it from the start`);
          this.resetSameFile();
        }
      }
      count += await this.readFrom(fh, this.opts.path, false);
    } finally {
      await fh.close();
    }
    return count;
  }

  /** Poll until aborted. */
  async run(signal: AbortSignal): Promise<void> {
    const sleep = this.opts.sleep ?? defaultSleep;
    while (!signal.aborted) {
      await this.pollOnce();
      await sleep(this.opts.pollMs ?? 500, signal);
    }
  }

  private resetSameFile(): void {
    const s = this.state!;
    this.state = { version: 1, path: s.path, dev: s.dev, ino: s.ino, offset: 0, lineNo: 0 };
  }

  /**
   * The file we were reading was renamed away: find it by inode in the same
   * directory and read its rest; then read, whole and in name order, the
   * backups rotated after it (lumberjack names them `<stem>-<time><ext>`, so
   * name order is time order): several rotations may have happened while we
   * were down or between two polls. `current` is the file this poll opened
   * at the path: if it was rotated too meanwhile, the backups stop before it
   * (the poll reads it next; newer backups wait for the next poll).
   */
  private async finishRotated(current?: { dev: number; ino: number }): Promise<number> {
    const s = this.state!;
    const dir = dirname(this.opts.path);
    const base = basename(this.opts.path);
    const names = (await readdir(dir)).filter((n) => n !== base).sort();
    let found: string | undefined;
    for (const name of names) {
      const p = join(dir, name);
      try {
        const st = await stat(p);
        if (st.ino === s.ino && st.dev === s.dev && st.isFile()) {
          found = name;
          break;
        }
      } catch {
        // Removed meanwhile (old backups are pruned by the apiserver).
      }
    }
    if (!found) {
      this.warn(`rotated file of ${this.opts.path} (inode ${s.ino}) is gone; lines after offset ${s.offset} of it could not be read`);
      return 0;
    }
    // The rotated file is complete: its unterminated last line, if any, is final too.
    let count = await this.readRotated(join(dir, found));
    const dot = base.lastIndexOf('.');
    const stem = dot > 0 ? base.slice(0, dot) : base;
    const ext = dot > 0 ? base.slice(dot) : '';
    for (const name of names) {
      if (name <= found || !name.startsWith(`${stem}-`) || !name.endsWith(ext)) continue;
      const p = join(dir, name);
      let st;
      try {
        st = await stat(p);
      } catch {
        continue;
      }
      if (!st.isFile()) continue;
      if (current && st.ino === current.ino && st.dev === current.dev) break;
      this.state = { version: 1, path: this.opts.path, dev: st.dev, ino: st.ino, offset: 0, lineNo: 0 };
      count += await this.readRotated(p);
    }
    return count;
  }

  /** A rotated file, complete: read from the position to its end. */
  private async readRotated(path: string): Promise<number> {
    const fh = await open(path, 'r');
    try {
      return await this.readFrom(fh, path, true);
    } finally {
      await fh.close();
    }
  }

  private async readFrom(fh: FileHandle, path: string, final: boolean): Promise<number> {
    const s = this.state!;
    let count = 0;
    const splitter = new LineSplitter(this.maxLineBytes, s.offset, s.lineNo);
    const buf = Buffer.allocUnsafe(this.chunkBytes);
    let pos = s.offset;
    while (true) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
      if (bytesRead === 0) break;
      pos += bytesRead;
      const lines = splitter.push(buf.subarray(0, bytesRead));
      if (lines.length) {
        count += lines.length;
        await this.deliver(fh, path, lines);
      }
    }
    if (final) {
      const last = splitter.flush();
      if (last) {
        count++;
        await this.deliver(fh, path, [last]);
      }
    }
    return count;
  }

  private async deliver(fh: FileHandle, path: string, lines: SplitLine[]): Promise<void> {
    const s = this.state!;
    if (s.offset === 0 && s.firstLineHash === undefined) {
      s.firstLineHash = await firstLineHash(fh);
    }
    await this.opts.onLines(lines.map((l) => ({ ...l, file: path })));
    const last = lines[lines.length - 1]!;
    s.offset = last.end;
    s.lineNo = last.lineNo;
    await this.save();
  }

  private async save(): Promise<void> {
    if (!this.opts.stateFile || !this.state) return;
    const tmp = `${this.opts.stateFile}.tmp`;
    await mkdir(dirname(this.opts.stateFile), { recursive: true });
    await writeFile(tmp, JSON.stringify(this.state));
    await rename(tmp, this.opts.stateFile);
  }

  private warn(message: string): void {
    this.opts.onWarning?.(message);
  }
}

async function firstLineHash(fh: FileHandle): Promise<string | undefined> {
  const buf = Buffer.alloc(FIRST_LINE_HASH_BYTES);
  const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
  if (bytesRead === 0) return undefined;
  const nl = buf.subarray(0, bytesRead).indexOf(10);
  // Hash only a finished first line (or the first 4 KiB of a long one) so the hash does not change as it grows.
  if (nl === -1 && bytesRead < buf.length) return undefined;
  return createHash('sha256')
    .update(buf.subarray(0, nl === -1 ? bytesRead : nl))
    .digest('hex');
}

function defaultSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
