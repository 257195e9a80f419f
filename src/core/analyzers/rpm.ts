// The rpm analyzer: installed packages of Red Hat family images from the rpm
// database: rpmdb.sqlite (RHEL 9+, Fedora; the `Packages` table's header
// blobs, read through the SQLite opener the edge injects as ctx.openSqlite)
// the Berkeley DB hash file `Packages` (RHEL/CentOS 7 and 8, read in
// ./berkeley-db.ts) or the NDB file `Packages.db` (SUSE, read in ./rpm-ndb.ts).
// All under /var/lib/rpm and /usr/lib/sysimage/rpm
// (Fedora 36+ moved it there). Each header gives name, [epoch:]version-release,
// arch, license, the source rpm (name-version-release.src.rpm) and the owned
// files (DIRNAMES[DIRINDEXES[i]] + BASENAMES[i], directories left out).
// gpg-pubkey pseudo-packages (imported signing keys) are skipped.
import { InputError, isInputError } from '../errors.js';
import type { Package } from '../inventory/types.js';
import { readBdbHash } from './berkeley-db.js';
import { readNdb } from './rpm-ndb.js';
import { layerAttribution, layerRef, packageKey } from './layer-attribution.js';
import { RpmHeader, RPMTAG } from './rpm-header.js';
import type { Analyzer, AnalyzerContext, AnalyzerFile, AnalyzerInput, AnalyzerResult, SqliteReader } from './types.js';
import { RPM_DATABASES } from './claim-lists.js';
import type { FileEntry } from '../inventory/types.js';

const REQUIRED = new Set(RPM_DATABASES);
const S_IFMT = 0o170000;
const S_IFDIR = 0o040000;

interface Blob {
  /** Package number (SQLite hnum / BDB key). */
  id: number;
  blob: Buffer;
}

/**
 * `Packages` must be the plain table rpm creates. A hostile database could make
 * it a view over a recursive query (a scan that never ends) or give it
 * generated columns (huge computed values); reading a plain table is bounded
 * by the file's size.
 */
function checkSchema(db: SqliteReader, path: string): void {
  const master = db.all<{ type: unknown; sql: unknown }>("SELECT type, sql FROM sqlite_master WHERE name = 'Packages' COLLATE NOCASE");
  const m = master[0];
  if (!m) throw new InputError('RPM_SQLITE_SCHEMA', 'no Packages table', path);
  if (master.length !== 1 || m.type !== 'table' || (typeof m.sql === 'string' && /^\s*create\s+virtual/i.test(m.sql))) {
    throw new InputError('RPM_SQLITE_SCHEMA', 'Packages is not a plain table', path);
  }
  const cols = db.all<{ name: unknown; hidden: unknown }>("PRAGMA table_xinfo('Packages')");
  const names = cols.map((c) => String(c.name).toLowerCase());
  if (!names.includes('hnum') || !names.includes('blob') || cols.some((c) => c.hidden !== 0)) {
    throw new InputError('RPM_SQLITE_SCHEMA', 'Packages does not have the (hnum, blob) columns rpm writes', path);
  }
}

function sqliteBlobs(file: AnalyzerFile, ctx: AnalyzerContext): Blob[] {
  if (!ctx.openSqlite) throw new Error('rpm analyzer: the analyzer context has no openSqlite (src/node/analyzers/context.ts provides it)');
  let db;
  try {
    db = ctx.openSqlite(file.content);
  } catch (e) {
    throw new InputError(isInputError(e) ? e.code : 'RPM_SQLITE_CORRUPT', `cannot open rpm SQLite database: ${(e as Error).message}`, file.path, { cause: e });
  }
  try {
    checkSchema(db, file.path);
    const rows = db.all<{ hnum: unknown; blob: unknown }>('SELECT hnum, blob FROM Packages ORDER BY hnum');
    return rows.map((r, i) => {
      if (!Buffer.isBuffer(r.blob) && !(r.blob instanceof Uint8Array))
        throw new InputError('RPM_SQLITE_CORRUPT', `row ${i + 1}: blob is not a BLOB`, file.path);
      return { id: Number(r.hnum), blob: Buffer.from(r.blob.buffer, r.blob.byteOffset, r.blob.byteLength) };
    });
  } catch (e) {
    if (isInputError(e) && e.where) throw e;
    // The opener does not know which file it reads: name it here.
    throw new InputError(isInputError(e) ? e.code : 'RPM_SQLITE_CORRUPT', `cannot read rpm SQLite database: ${(e as Error).message}`, file.path, { cause: e });
  } finally {
    db.close();
  }
}

function bdbBlobs(file: AnalyzerFile): Blob[] {
  const out: Blob[] = [];
  const { littleEndian, pairs } = readBdbHash(file.content, file.path);
  for (const { key, value } of pairs) {
    // Keys are 4-byte package numbers in the writing host's byte order (the file's); record 0 is rpm's next-instance counter.
    if (key.length !== 4) throw new InputError('RPM_BDB_BAD_KEY', `key of ${key.length} bytes, expected a 4-byte package number`, file.path);
    const id = littleEndian ? key.readUInt32LE(0) : key.readUInt32BE(0);
    if (id === 0) continue;
    out.push({ id, blob: value });
  }
  return out;
}

function blobsOf(file: AnalyzerFile, ctx: AnalyzerContext): Blob[] {
  if (file.path.endsWith('.sqlite')) return sqliteBlobs(file, ctx);
  return file.path.endsWith('.db') ? readNdb(file.content, file.path) : bdbBlobs(file);
}

/** `name-version-release.src.rpm` -> [name, version-release]. */
function parseSourceRpm(s: string): [string, string] | undefined {
  const base = s.endsWith('.src.rpm') ? s.slice(0, -8) : s.endsWith('.nosrc.rpm') ? s.slice(0, -10) : undefined;
  if (!base) return undefined;
  const r = base.lastIndexOf('-');
  const v = r > 0 ? base.lastIndexOf('-', r - 1) : -1;
  if (v <= 0 || r === base.length - 1 || r - v < 2) return undefined;
  return [base.slice(0, v), base.slice(v + 1)];
}

function headerToPackage(h: RpmHeader, where: string): Package | undefined {
  const name = h.string(RPMTAG.NAME);
  if (!name) throw new InputError('RPM_MISSING_TAG', 'header has no NAME', where);
  if (name === 'gpg-pubkey') return undefined;
  const version = h.string(RPMTAG.VERSION);
  const release = h.string(RPMTAG.RELEASE);
  if (!version || release === undefined) throw new InputError('RPM_MISSING_TAG', `package ${name}: header has no VERSION or RELEASE`, where);
  const epoch = h.ints(RPMTAG.EPOCH)?.[0];
  // Epoch 0 and no epoch compare equal in rpm; both are written without one.
  const prefix = epoch ? `${epoch}:` : '';
  const evr = `${prefix}${version}-${release}`;
  const pkg: Package = { type: 'rpm', name, version: evr, sourceName: name, sourceVersion: evr };
  const arch = h.string(RPMTAG.ARCH);
  if (arch) pkg.arch = arch;
  const srpm = h.string(RPMTAG.SOURCERPM);
  const source = srpm ? parseSourceRpm(srpm) : undefined;
  if (source) {
    pkg.sourceName = source[0];
    pkg.sourceVersion = `${prefix}${source[1]}`;
  }
  const license = h.string(RPMTAG.LICENSE, true);
  if (license) pkg.licenses = [license];
  const files = ownedFiles(h, where);
  if (files.length) pkg.files = files;
  return pkg;
}

function ownedFiles(h: RpmHeader, where: string): string[] {
  const modes = h.ints(RPMTAG.FILEMODES);
  const isDir = (i: number): boolean => modes !== undefined && ((modes[i] ?? 0) & S_IFMT) === S_IFDIR;
  const basenames = h.stringArray(RPMTAG.BASENAMES);
  if (basenames) {
    const dirnames = h.stringArray(RPMTAG.DIRNAMES) ?? [];
    const indexes = h.ints(RPMTAG.DIRINDEXES) ?? [];
    if (indexes.length !== basenames.length)
      throw new InputError('RPM_HEADER_BAD_FILES', `${basenames.length} BASENAMES but ${indexes.length} DIRINDEXES`, where);
    const out: string[] = [];
    basenames.forEach((b, i) => {
      const d = dirnames[indexes[i]!];
      if (d === undefined) throw new InputError('RPM_HEADER_BAD_FILES', `DIRINDEXES[${i}] = ${indexes[i]} but there are ${dirnames.length} DIRNAMES`, where);
      if (!isDir(i)) out.push(d + b);
    });
    return out;
  }
  return (h.stringArray(RPMTAG.OLDFILENAMES) ?? []).filter((_, i) => !isDir(i));
}

function readPackages(file: AnalyzerFile, ctx: AnalyzerContext): Package[] {
  const out: Package[] = [];
  // An empty file is a database rpm never initialised (no packages), not a corrupt one.
  if (file.content.length === 0) return out;
  for (const { id, blob } of blobsOf(file, ctx)) {
    const where = `${file.path} package ${id}`;
    const pkg = headerToPackage(new RpmHeader(blob, where), where);
    if (pkg) out.push(pkg);
  }
  return out;
}

export const rpmAnalyzer: Analyzer = {
  id: 'rpm',
  version: 2,
  kind: 'package',
  pkgType: 'os',
  claims: { paths: RPM_DATABASES },
  required(path: string, entry: FileEntry): boolean {
    return (entry.kind === 'file' || entry.kind === 'hardlink') && REQUIRED.has(path);
  },
  analyze(input: AnalyzerInput): AnalyzerResult {
    const db = RPM_DATABASES.map((p) => input.files.find((f) => f.path === p)).find((f) => f !== undefined);
    if (!db) return {};
    const keysOf = (f: AnalyzerFile): Set<string> => new Set(readPackages(f, input.ctx).map((p) => packageKey(p.name, p.version, p.arch)));
    const layerOf = layerAttribution(input.versions(db.path), keysOf);
    const packages = readPackages(db, input.ctx);
    for (const p of packages) p.layer = layerRef(layerOf(packageKey(p.name, p.version, p.arch), db.entry.layer), input.layers);
    packages.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : (a.arch ?? '') < (b.arch ?? '') ? -1 : 1));
    return { packages };
  },
};
