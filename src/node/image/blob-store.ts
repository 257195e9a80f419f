// Read access to the files of an image source, the same for a directory (OCI
// layout) and a tar archive read in place (docker-archive, oci-archive): small
// JSON files are read with a size limit, blobs are streamed by byte range,
// and digests are verified while streaming. Nothing is ever written to disk.
import { createHash } from 'node:crypto';
import { createReadStream, open as fsOpen, read as fsRead } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { InputError, LimitError } from '../../core/errors.js';
import type { ReadLimits } from '../../core/image/types.js';
import { indexTar, memberName, type TarMember } from './tar-index.js';

/** Big reads: layer blobs are streamed sequentially and the decompressor likes large chunks. */
const HIGH_WATER_MARK = 1024 * 1024;

export interface BlobStore {
  /** Names the store in errors (the file or directory the user gave). */
  readonly where: string;
  has(path: string): boolean | Promise<boolean>;
  size(path: string): Promise<number | undefined>;
  /** Read a whole small file; LimitError above `max` bytes. */
  read(path: string, max: number, what: string): Promise<Buffer>;
  /** Stream a file (a layer blob). */
  open(path: string): Readable;
  /** The first bytes of a file (magic detection). */
  head(path: string, n: number): Promise<Buffer>;
  close(): Promise<void>;
}

const SUPPORTED_DIGESTS = new Set(['sha256', 'sha384', 'sha512']);

export function parseDigest(digest: unknown, where: string): { algorithm: string; hex: string } {
  const m = typeof digest === 'string' ? /^([a-z0-9]+):([0-9a-f]+)$/.exec(digest) : null;
  if (!m || !SUPPORTED_DIGESTS.has(m[1]!)) throw new InputError('IMAGE_BAD_DIGEST', `invalid or unsupported digest ${JSON.stringify(digest)}`, where);
  const lengths: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 };
  if (m[2]!.length !== lengths[m[1]!]) throw new InputError('IMAGE_BAD_DIGEST', `invalid digest ${JSON.stringify(digest)}`, where);
  return { algorithm: m[1]!, hex: m[2]! };
}

export function digestOf(b: Buffer, algorithm = 'sha256'): string {
  return `${algorithm}:${createHash(algorithm).update(b).digest('hex')}`;
}

/** Throws IMAGE_DIGEST_MISMATCH when `b` does not hash to `expected`. */
export function verifyBytes(b: Buffer, expected: string, where: string): void {
  const { algorithm } = parseDigest(expected, where);
  const got = digestOf(b, algorithm);
  if (got !== expected) throw new InputError('IMAGE_DIGEST_MISMATCH', `content does not match its digest (expected ${expected}, got ${got})`, where);
}

/**
 * Verify `src` while it streams: every chunk the stream pushes is hashed, and
 * at its end a mismatch destroys the stream with IMAGE_DIGEST_MISMATCH
 * instead of ending it, so a consumer never sees a clean end of bad bytes.
 * Hooking `push` avoids a Transform hop on the hot path of every layer.
 */
export function verified(src: Readable, expected: string, where: string, expectedSize?: number): Readable {
  const { algorithm } = parseDigest(expected, where);
  const hash = createHash(algorithm);
  let bytes = 0;
  const push = src.push.bind(src);
  src.push = (chunk: unknown, encoding?: BufferEncoding): boolean => {
    if (chunk === null) {
      const got = `${algorithm}:${hash.digest('hex')}`;
      if (got !== expected) {
        const sizeNote = expectedSize !== undefined && bytes !== expectedSize ? `; ${bytes} bytes, expected ${expectedSize}` : '';
        src.destroy(new InputError('IMAGE_DIGEST_MISMATCH', `blob does not match its digest (expected ${expected}, got ${got}${sizeNote})`, where));
        return false;
      }
      return push(null);
    }
    if (chunk instanceof Uint8Array) {
      hash.update(chunk);
      bytes += chunk.length;
    }
    return push(chunk, encoding);
  };
  return src;
}

/** Parse JSON from an image file with a clear error. */
export function parseJson<T = unknown>(b: Buffer, where: string): T {
  try {
    return JSON.parse(b.toString('utf8')) as T;
  } catch (e) {
    throw new InputError('IMAGE_BAD_JSON', `invalid JSON (${(e as Error).message})`, where);
  }
}

function fsError(e: unknown, where: string): InputError {
  const code = (e as { code?: string }).code;
  if (code === 'ENOENT') return new InputError('IMAGE_NOT_FOUND', 'no such file or directory', where);
  if (code === 'EACCES' || code === 'EPERM') return new InputError('IMAGE_READ_ERROR', 'permission denied', where);
  if (code === 'EISDIR') return new InputError('IMAGE_READ_ERROR', 'is a directory', where);
  return new InputError('IMAGE_READ_ERROR', (e as Error).message ?? String(e), where);
}

function closedError(where: string): InputError {
  return new InputError('IMAGE_CLOSED', 'image was closed', where);
}

/** Files of a directory (an OCI image layout). Paths never leave the directory. */
export class DirStore implements BlobStore {
  private closed = false;
  constructor(readonly dir: string) {}
  get where(): string {
    return this.dir;
  }
  private full(path: string): string {
    const p = memberName(path);
    if (p.split('/').some((s) => s === '..' || s === '')) throw new InputError('IMAGE_BAD_PATH', `path leaves the image: ${path}`, this.dir);
    return join(this.dir, p);
  }
  async has(path: string): Promise<boolean> {
    try {
      return (await stat(this.full(path))).isFile();
    } catch {
      return false;
    }
  }
  async size(path: string): Promise<number | undefined> {
    try {
      return (await stat(this.full(path))).size;
    } catch {
      return undefined;
    }
  }
  async read(path: string, max: number, what: string): Promise<Buffer> {
    if (this.closed) throw closedError(this.dir);
    const where = `${this.dir} ${path}`;
    let fh: FileHandle | undefined;
    try {
      fh = await open(this.full(path), 'r');
      const st = await fh.stat();
      if (!st.isFile()) throw new InputError('IMAGE_READ_ERROR', 'not a regular file', where);
      if (st.size > max)
        throw new LimitError('LIMIT_MANIFEST_SIZE', `${what} is ${st.size} bytes, over the limit of ${max} (raise with --max-manifest-size)`, where);
      const b = Buffer.alloc(st.size);
      const { bytesRead } = await fh.read(b, 0, st.size, 0);
      return b.subarray(0, bytesRead);
    } catch (e) {
      throw e instanceof InputError ? e : fsError(e, where);
    } finally {
      await fh?.close();
    }
  }
  open(path: string): Readable {
    if (this.closed) throw closedError(this.dir);
    return createReadStream(this.full(path), { highWaterMark: HIGH_WATER_MARK });
  }
  async head(path: string, n: number): Promise<Buffer> {
    const fh = await open(this.full(path), 'r').catch((e: unknown) => {
      throw fsError(e, `${this.dir} ${path}`);
    });
    try {
      const b = Buffer.alloc(n);
      const { bytesRead } = await fh.read(b, 0, n, 0);
      return b.subarray(0, bytesRead);
    } finally {
      await fh.close();
    }
  }
  async close(): Promise<void> {
    this.closed = true;
  }
}

/** fs hooks for member streams: destroying a stream must not close the archive's shared descriptor (close() does). */
const SHARED_FD_FS = { open: fsOpen, read: fsRead, close: (_fd: number, cb: (err: NodeJS.ErrnoException | null) => void) => cb(null) };

/** Members of a tar archive, read in place by offset through one open file handle. */
export class TarStore implements BlobStore {
  private closed = false;
  private constructor(
    readonly file: string,
    private readonly fh: FileHandle,
    readonly members: Map<string, TarMember>,
  ) {}

  static async open(file: string, limits: ReadLimits): Promise<TarStore> {
    let fh: FileHandle;
    try {
      fh = await open(file, 'r');
    } catch (e) {
      throw fsError(e, file);
    }
    try {
      const st = await fh.stat();
      if (!st.isFile()) throw new InputError('IMAGE_READ_ERROR', 'not a regular file', file);
      const members = await indexTar(fh, st.size, file, limits);
      return new TarStore(file, fh, members);
    } catch (e) {
      await fh.close();
      throw e instanceof InputError ? e : fsError(e, file);
    }
  }
  get where(): string {
    return this.file;
  }
  private member(path: string): TarMember {
    if (this.closed) throw closedError(this.file);
    const m = this.members.get(memberName(path));
    if (!m) throw new InputError('IMAGE_MISSING_BLOB', `archive has no member ${memberName(path)}`, this.file);
    return m;
  }
  has(path: string): boolean {
    return this.members.has(memberName(path));
  }
  async size(path: string): Promise<number | undefined> {
    return this.members.get(memberName(path))?.size;
  }
  async read(path: string, max: number, what: string): Promise<Buffer> {
    const m = this.member(path);
    if (m.size > max)
      throw new LimitError(
        'LIMIT_MANIFEST_SIZE',
        `${what} is ${m.size} bytes, over the limit of ${max} (raise with --max-manifest-size)`,
        `${this.file} ${m.name}`,
      );
    const b = Buffer.alloc(m.size);
    const { bytesRead } = await this.fh.read(b, 0, m.size, m.offset);
    if (bytesRead !== m.size) throw new InputError('TAR_TRUNCATED', `member ${m.name} is truncated`, this.file);
    return b;
  }
  open(path: string): Readable {
    const m = this.member(path);
    if (m.size === 0) return Readable.from([]);
    // Positional reads on the shared descriptor: concurrent member streams do not disturb each other.
    return createReadStream('', {
      fd: this.fh.fd,
      fs: SHARED_FD_FS,
      start: m.offset,
      end: m.offset + m.size - 1,
      autoClose: false,
      highWaterMark: HIGH_WATER_MARK,
    });
  }
  async head(path: string, n: number): Promise<Buffer> {
    const m = this.member(path);
    const b = Buffer.alloc(Math.min(n, m.size));
    await this.fh.read(b, 0, b.length, m.offset);
    return b;
  }
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.fh.close();
  }
}
