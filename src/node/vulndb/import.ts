// `vigil db import PATH...`: reads advisory files offline (format detected per
// file: OSV JSON, directories of them, OSV `all.zip` archives, Debian tracker,
// Alpine secdb, NVD pages) into a DbWriter. Every read is bounded.
import { readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import yauzl from 'yauzl';
import { InputError, LimitError } from '../../core/errors.js';
import type { FeedSet } from '../../core/feeds/index.js';
import { advisoryFeeds } from './feeds.js';
import type { DbWriter } from './db.js';

export interface ImportLimits {
  /** Largest JSON file read whole (the Debian tracker JSON is ~80 MB). */
  maxFileBytes: number;
  maxZipEntries: number;
  maxZipEntryBytes: number;
  maxZipTotalBytes: number;
  /** Files visited in one directory tree. */
  maxFiles: number;
}

export const DEFAULT_IMPORT_LIMITS: ImportLimits = {
  maxFileBytes: 1024 ** 3,
  maxZipEntries: 2_000_000,
  maxZipEntryBytes: 64 * 1024 ** 2,
  maxZipTotalBytes: 16 * 1024 ** 3,
  maxFiles: 2_000_000,
};

export interface ImportStats {
  /** Sources (advisory feeds) seen, for the DB's `sources` table. */
  sources?: Set<string>;
  files: number;
  advisories: number;
  withdrawn: number;
  cves: number;
  formats: Record<string, number>;
}

function newStats(): ImportStats {
  return { files: 0, advisories: 0, withdrawn: 0, cves: 0, formats: {} };
}

function parseJson(buf: Buffer, where: string): unknown {
  try {
    return JSON.parse(buf.toString('utf8'));
  } catch (e) {
    throw new InputError('VULNDB_JSON', `invalid JSON (${e instanceof Error ? e.message.slice(0, 120) : e})`, where);
  }
}

/** Converts one JSON document and writes it; `origin` is recorded as the source's origin. */
export function importBuffer(writer: DbWriter, feeds: FeedSet, buf: Buffer, where: string, stats: ImportStats = newStats()): ImportStats {
  const conv = feeds.convertDocument(parseJson(buf, where), where);
  stats.files++;
  stats.formats[conv.format] = (stats.formats[conv.format] ?? 0) + 1;
  for (const a of conv.advisories) {
    stats.sources?.add(a.source);
    writer.put(a);
    if (a.withdrawn) stats.withdrawn++;
    else stats.advisories++;
  }
  for (const c of conv.cves) {
    stats.sources?.add(c.source);
    writer.putCve(c);
    stats.cves++;
  }
  return stats;
}

async function importFile(writer: DbWriter, feeds: FeedSet, path: string, limits: ImportLimits, stats: ImportStats): Promise<void> {
  const st = statSync(path);
  if (st.size > limits.maxFileBytes) throw new LimitError('LIMIT_FILE_SIZE', `file is ${st.size} bytes, more than the limit of ${limits.maxFileBytes}`, path);
  const data = await readFile(path);
  if (data.length >= 4 && data.readUInt32LE(0) === 0x04034b50) {
    await importZip(writer, feeds, path, limits, stats, data);
    return;
  }
  importBuffer(writer, feeds, data, path, stats);
}

function openZip(buf: Buffer, path: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(buf, { lazyEntries: true, validateEntrySizes: true, strictFileNames: false }, (err, zip) => {
      if (err || !zip) reject(new InputError('ZIP_INVALID', `not a readable zip archive (${err?.message ?? 'no archive'})`, path));
      else resolve(zip);
    });
  });
}

/** The bytes of one entry, read from the in-memory archive (no stream per entry: all.zip holds ~100k small files). */
function entryBytes(buf: Buffer, entry: yauzl.Entry, where: string): Buffer {
  if (entry.generalPurposeBitFlag & 1) throw new InputError('ZIP_INVALID', 'encrypted entry', where);
  const at = entry.relativeOffsetOfLocalHeader;
  if (at + 30 > buf.length || buf.readUInt32LE(at) !== 0x04034b50) throw new InputError('ZIP_INVALID', 'bad local file header', where);
  const start = at + 30 + buf.readUInt16LE(at + 26) + buf.readUInt16LE(at + 28);
  const end = start + entry.compressedSize;
  if (end > buf.length) throw new InputError('ZIP_INVALID', 'entry data past the end of the archive', where);
  const raw = buf.subarray(start, end);
  let out: Buffer;
  if (entry.compressionMethod === 0) out = raw;
  else if (entry.compressionMethod === 8) {
    try {
      // maxOutputLength bounds a lying header (zip bomb) before the size check below.
      // chunkSize: one output buffer of the announced size (at least zlib's minimum of 64)
      // instead of a fresh 16 KB buffer per ~1 KB record (most of the import's garbage).
      out = inflateRawSync(raw, { maxOutputLength: Math.max(1, entry.uncompressedSize), chunkSize: Math.max(64, entry.uncompressedSize + 1) });
    } catch (e) {
      throw new InputError('ZIP_INVALID', `broken entry (${e instanceof Error ? e.message : e})`, where);
    }
  } else throw new InputError('ZIP_INVALID', `unsupported compression method ${entry.compressionMethod}`, where);
  if (out.length !== entry.uncompressedSize) throw new InputError('ZIP_INVALID', `entry is ${out.length} bytes, header says ${entry.uncompressedSize}`, where);
  return out;
}

/** OSV `all.zip`: one OSV JSON per entry. */
export async function importZip(writer: DbWriter, feeds: FeedSet, path: string, limits: ImportLimits, stats: ImportStats, data?: Buffer): Promise<void> {
  const buf = data ?? (await readFile(path));
  const zip = await openZip(buf, path);
  if (zip.entryCount > limits.maxZipEntries) {
    zip.close();
    throw new LimitError('LIMIT_ZIP_ENTRIES', `archive has ${zip.entryCount} entries, more than the limit of ${limits.maxZipEntries}`, path);
  }
  let total = 0;
  await new Promise<void>((resolve, reject) => {
    const fail = (e: unknown): void => {
      zip.close();
      reject(e);
    };
    zip.on('error', (e: Error) => fail(new InputError('ZIP_INVALID', `broken zip archive (${e.message})`, path)));
    zip.on('end', () => resolve());
    zip.on('entry', (entry: yauzl.Entry) => {
      const where = `${path}!${entry.fileName}`;
      try {
        if (!entry.fileName.endsWith('/') && entry.fileName.endsWith('.json')) {
          if (entry.uncompressedSize > limits.maxZipEntryBytes)
            throw new LimitError('LIMIT_ZIP_ENTRY_SIZE', `entry is ${entry.uncompressedSize} bytes, more than the limit of ${limits.maxZipEntryBytes}`, where);
          total += entry.uncompressedSize;
          if (total > limits.maxZipTotalBytes) throw new LimitError('LIMIT_ZIP_TOTAL', `archive expands to more than ${limits.maxZipTotalBytes} bytes`, path);
          importBuffer(writer, feeds, entryBytes(buf, entry, where), where, stats);
        }
      } catch (e) {
        fail(e);
        return;
      }
      zip.readEntry();
    });
    zip.readEntry();
  });
}

function walk(dir: string, out: string[], limits: ImportLimits): void {
  for (const name of readdirSync(dir).sort()) {
    if (name.startsWith('.')) continue;
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) walk(p, out, limits);
    else if (st.isFile() && (name.endsWith('.json') || name.endsWith('.zip'))) {
      out.push(p);
      if (out.length > limits.maxFiles) throw new LimitError('LIMIT_FILES', `more than ${limits.maxFiles} files`, dir);
    }
  }
}

/** Imports files, directories (recursively: *.json and *.zip) and OSV zip archives. */
export async function importPaths(writer: DbWriter, paths: string[], limits: ImportLimits = DEFAULT_IMPORT_LIMITS): Promise<ImportStats> {
  const stats = newStats();
  const feeds = await advisoryFeeds();
  for (const p of paths) {
    let st;
    try {
      st = statSync(p);
    } catch {
      throw new InputError('VULNDB_IMPORT_MISSING', 'no such file or directory', p);
    }
    const files: string[] = [];
    if (st.isDirectory()) walk(p, files, limits);
    else files.push(p);
    stats.sources = new Set();
    for (const f of files) await importFile(writer, feeds, f, limits, stats);
    for (const s of stats.sources) writer.noteSource(s, p);
  }
  return stats;
}
