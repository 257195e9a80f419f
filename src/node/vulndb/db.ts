// The vulnerability DB file: one SQLite file (better-sqlite3), versioned
// schema, metadata (schema version, built-at, sources with timestamps and
// record counts). Writers build into a temp file in the same directory and
// replace the DB with fsync + rename, so a crash never leaves a half DB.
// The metadata's `content_digest` identifies the DB by its content (what the
// writers put, in order), not by file times: servers compare it across
// replicas to decide once that the deployment's DB changed.
import Database from 'better-sqlite3';
import { closeSync, copyFileSync, existsSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import { createHash, hash as oneShotHash, randomBytes, type Hash } from 'node:crypto';
import { InputError } from '../../core/errors.js';
import type { Advisory, CveEnrichment } from '../../core/vulndb/advisory.js';
import type { ThreatIpEntry } from '../../core/rules/threat-ips.js';
import { decodeAffected, decodeHeadBlock, encodeAffected, encodeHeadBlock, HEADS_PER_BLOCK } from '../../core/vulndb/codec.js';
import type { AdvisoryHead, AdvisoryLookup, AffectedRow } from '../../core/vulndb/match.js';
import { missingDbError } from './scan-vulns-errors.js';
import { VIGIL_VERSION } from '../version.js';

export const DB_SCHEMA_VERSION = 1;

/** Threat-IP entries of the threat-IP feeds (`vigil db update --sources threat-ips`); older DBs lack the table (read as empty). */
const THREAT_IPS_TABLE =
  'CREATE TABLE IF NOT EXISTS threat_ips (cidr TEXT NOT NULL, source TEXT NOT NULL, origin TEXT NOT NULL, comment TEXT NOT NULL, PRIMARY KEY (cidr, source, origin)) WITHOUT ROWID;';

const SCHEMA = `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE sources (name TEXT PRIMARY KEY, updated_at TEXT NOT NULL, origin TEXT NOT NULL DEFAULT '', records INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;
CREATE TABLE packages (id INTEGER PRIMARY KEY, ecosystem TEXT NOT NULL, name TEXT NOT NULL, display_ecosystem TEXT NOT NULL, display_name TEXT NOT NULL, UNIQUE (ecosystem, name));
CREATE TABLE advisories (id INTEGER PRIMARY KEY, keyhash INTEGER NOT NULL, source TEXT NOT NULL, pkgs TEXT NOT NULL, block INTEGER NOT NULL, slot INTEGER NOT NULL);
CREATE TABLE heads (id INTEGER PRIMARY KEY, data BLOB NOT NULL);
CREATE INDEX advisories_keyhash ON advisories (keyhash);
CREATE TABLE affected (pkg INTEGER NOT NULL, advisory INTEGER NOT NULL, seq INTEGER NOT NULL, data TEXT NOT NULL, PRIMARY KEY (pkg, advisory, seq)) WITHOUT ROWID;
CREATE TABLE cves (id TEXT NOT NULL, source TEXT NOT NULL, data TEXT NOT NULL, PRIMARY KEY (id, source)) WITHOUT ROWID;
${THREAT_IPS_TABLE}
`;

/** Page size of a new DB file (readers take it from the file header). */
const PAGE_SIZE = 16384;

export interface SourceInfo {
  name: string;
  updatedAt: string;
  origin: string;
  records: number;
}

export interface DbInfo {
  path: string;
  schemaVersion: number;
  builtAt: string;
  /** sha256 (hex) of the DB's content, recorded when it was built; "" for a DB built before Vigil recorded it. */
  contentDigest: string;
  vigilVersion: string;
  advisories: number;
  affectedPackages: number;
  cves: number;
  sizeBytes: number;
  sources: SourceInfo[];
}

function asInputError(e: unknown, path: string): never {
  const msg = e instanceof Error ? e.message : String(e);
  throw new InputError('VULNDB_CORRUPT', `not a readable Vigil vulnerability DB (${msg}); rebuild it with \`vigil db update\` or \`vigil db import\``, path);
}

/** A read-only open DB; implements the lookup matching needs. */
export class VulnDb implements AdvisoryLookup {
  private readonly db: Database.Database;
  private readonly qAffected: Database.Statement<[string, string], { advisory: number; data: string; eco: string; name: string }>;
  private readonly qHead: Database.Statement<[number], { block: number; slot: number }>;
  private readonly qBlock: Database.Statement<[number], { data: Buffer }>;
  /** Decoded head blocks (advisories of one package often share a block). */
  private readonly blocks = new Map<number, AdvisoryHead[]>();
  private readonly qCve: Database.Statement<[string], { source: string; data: string }>;
  private readonly qAffectedMany: Database.Statement<[string, string], { key: string; advisory: number; data: string; eco: string; name: string }>;
  private readonly qHasEcosystem: Database.Statement<[string], { one: number }>;

  private constructor(readonly path: string) {
    try {
      this.db = new Database(path, { readonly: true, fileMustExist: true });
      const row = this.db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").get() as { value: string } | undefined;
      if (!row) throw new Error('no schema version');
      if (Number(row.value) !== DB_SCHEMA_VERSION) {
        this.db.close();
        throw new InputError(
          'VULNDB_SCHEMA',
          `DB schema version ${row.value}, this Vigil reads ${DB_SCHEMA_VERSION}; run \`vigil db update\` or \`vigil db import\` again`,
          path,
        );
      }
      this.qAffected = this.db.prepare(
        'SELECT a.advisory AS advisory, a.data AS data, p.display_ecosystem AS eco, p.display_name AS name FROM packages p JOIN affected a ON a.pkg = p.id WHERE p.ecosystem = ? AND p.name = ? ORDER BY a.advisory, a.seq',
      );
      this.db.pragma('cache_size = -32768');
      this.qAffectedMany = this.db.prepare(`SELECT p.name AS key, a.advisory AS advisory, a.data AS data, p.display_ecosystem AS eco, p.display_name AS name
        FROM json_each(?) j JOIN packages p ON p.ecosystem = ? AND p.name = j.value JOIN affected a ON a.pkg = p.id ORDER BY p.id, a.advisory, a.seq`);
      this.qHasEcosystem = this.db.prepare('SELECT 1 AS one FROM packages WHERE ecosystem = ? LIMIT 1');
      this.qHead = this.db.prepare('SELECT block, slot FROM advisories WHERE id = ?');
      this.qBlock = this.db.prepare('SELECT data FROM heads WHERE id = ?');
      this.qCve = this.db.prepare('SELECT source, data FROM cves WHERE id = ? ORDER BY source');
    } catch (e) {
      if (e instanceof InputError) throw e;
      asInputError(e, path);
    }
  }

  static open(path: string): VulnDb {
    if (!existsSync(path)) throw missingDbError(path);
    return new VulnDb(path);
  }

  affected(ecosystem: string, name: string): AffectedRow[] {
    return this.qAffected.all(ecosystem, name).map((r) => ({ key: r.advisory, affected: decodeAffected(r.data, r.eco, r.name) }));
  }

  /** Whether the DB holds any advisory for a lower-cased ecosystem (`debian:12`). */
  hasEcosystem(ecosystem: string): boolean {
    return this.qHasEcosystem.get(ecosystem) !== undefined;
  }

  affectedMany(ecosystem: string, names: string[]): Map<string, AffectedRow[]> {
    const out = new Map<string, AffectedRow[]>();
    for (const r of this.qAffectedMany.all(JSON.stringify(names), ecosystem)) {
      const row = { key: r.advisory, affected: decodeAffected(r.data, r.eco, r.name) };
      const list = out.get(r.key);
      if (list) list.push(row);
      else out.set(r.key, [row]);
    }
    return out;
  }

  advisory(key: number): AdvisoryHead | undefined {
    const r = this.qHead.get(key);
    if (!r) return undefined;
    let block = this.blocks.get(r.block);
    if (!block) {
      const b = this.qBlock.get(r.block);
      if (!b) return undefined;
      block = decodeHeadBlock(b.data);
      if (this.blocks.size >= 8192) this.blocks.clear();
      this.blocks.set(r.block, block);
    }
    const h = block[r.slot];
    return h ? { ...h, related: h.related ?? [] } : undefined;
  }

  cve(id: string): CveEnrichment | undefined {
    const r = this.qCve.get(id);
    return r ? (JSON.parse(r.data) as CveEnrichment) : undefined;
  }

  /** The content digest and build time recorded in the metadata ("" when absent). */
  identity(): { digest: string; builtAt: string } {
    const get = (k: string) => (this.db.prepare('SELECT value FROM meta WHERE key = ?').get(k) as { value: string } | undefined)?.value ?? '';
    return { digest: get('content_digest'), builtAt: get('built_at') };
  }

  info(sizeBytes: number): DbInfo {
    const meta = new Map((this.db.prepare('SELECT key, value FROM meta').all() as Array<{ key: string; value: string }>).map((r) => [r.key, r.value]));
    const count = (t: string): number => (this.db.prepare(`SELECT COUNT(*) AS n FROM ${t}`).get() as { n: number }).n;
    const sources = this.db.prepare('SELECT name, updated_at AS updatedAt, origin, records FROM sources ORDER BY name').all() as SourceInfo[];
    return {
      path: this.path,
      schemaVersion: Number(meta.get('schema_version')),
      builtAt: meta.get('built_at') ?? '',
      contentDigest: meta.get('content_digest') ?? '',
      vigilVersion: meta.get('vigil_version') ?? '',
      advisories: count('advisories'),
      affectedPackages: count('affected'),
      cves: count('cves'),
      sizeBytes,
      sources,
    };
  }

  close(): void {
    this.db.close();
  }
}

export interface WriterOptions {
  /** Start from an empty DB instead of a copy of the existing one (`db update`). */
  fresh?: boolean;
  now?: () => Date;
  vigilVersion?: string;
}

/**
 * Builds a DB into a temp file beside `path` (a copy of the existing DB, or
 * empty), in one transaction; `commit()` fsyncs and renames it over `path`.
 */
/** 48 bits of sha256: an integer key for the (source, id) of an advisory; hits are confirmed on the stored key. */
function keyHash(key: string): number {
  // One-shot hash: no Hash object per advisory (same digest as createHash).
  return oneShotHash('sha256', key, 'buffer').readUIntBE(0, 6) + 0;
}

export class DbWriter {
  private readonly db: Database.Database;
  private readonly now: () => Date;
  private done = false;
  private readonly stmts: {
    findAdv: Database.Statement<[number], { id: number; pkgs: string; source: string; block: number; slot: number }>;
    getBlock: Database.Statement<[number], { data: Buffer }>;
    insBlock: Database.Statement<[number, Buffer]>;
    delAffected: Database.Statement<[number, number]>;
    delAdv: Database.Statement<[number]>;
    insAdv: Database.Statement<[number, string, string, number, number]>;
    findPkg: Database.Statement<[string, string], { id: number }>;
    insPkg: Database.Statement<[string, string, string, string]>;
    insAffected: Database.Statement<[number, number, number, string]>;
    putCve: Database.Statement<[string, string, string]>;
    putThreatIp: Database.Statement<[string, string, string, string]>;
    putSource: Database.Statement<[string, string, string]>;
  };
  private readonly pkgIds = new Map<string, number>();
  private readonly pkgIdsBySpelling = new Map<string, number>();
  /** Heads waiting for their block, and that block's id. */
  private pending: AdvisoryHead[] = [];
  private nextBlock = 1;
  /** Key hashes written by this writer: a fresh DB needs no lookups for the others. */
  private readonly keys = new Set<number>();
  private readonly existed: boolean;
  readonly touchedSources = new Set<string>();
  /** Hash of everything this writer puts, in order; with the previous digest it makes the new content digest. */
  private readonly content: Hash = createHash('sha256');
  private changed = false;

  private constructor(
    readonly path: string,
    readonly tmpPath: string,
    opts: WriterOptions,
  ) {
    this.now = opts.now ?? (() => new Date());
    const existed = !opts.fresh && existsSync(path);
    this.existed = existed;
    if (existed) copyFileSync(path, tmpPath);
    this.db = new Database(tmpPath);
    // The temp file is thrown away on any failure, so no journal is needed while building.
    this.db.pragma('journal_mode = OFF');
    this.db.pragma('synchronous = OFF');
    this.db.pragma('cache_size = -65536');
    if (existed) {
      const v = this.db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").get() as { value: string } | undefined;
      if (Number(v?.value) !== DB_SCHEMA_VERSION) {
        // An older schema cannot be extended: start over.
        this.db.close();
        rmSync(tmpPath, { force: true });
        this.db = new Database(tmpPath);
        this.db.pragma('journal_mode = OFF');
        this.db.pragma('synchronous = OFF');
        this.createSchema();
      }
    } else {
      this.createSchema();
    }
    this.db.exec(THREAT_IPS_TABLE);
    this.stmts = {
      findAdv: this.db.prepare('SELECT id, pkgs, source, block, slot FROM advisories WHERE keyhash = ?'),
      getBlock: this.db.prepare('SELECT data FROM heads WHERE id = ?'),
      insBlock: this.db.prepare('INSERT INTO heads (id, data) VALUES (?, ?)'),
      delAffected: this.db.prepare('DELETE FROM affected WHERE pkg = ? AND advisory = ?'),
      delAdv: this.db.prepare('DELETE FROM advisories WHERE id = ?'),
      insAdv: this.db.prepare('INSERT INTO advisories (keyhash, source, pkgs, block, slot) VALUES (?, ?, ?, ?, ?)'),
      findPkg: this.db.prepare('SELECT id FROM packages WHERE ecosystem = ? AND name = ?'),
      insPkg: this.db.prepare('INSERT INTO packages (ecosystem, name, display_ecosystem, display_name) VALUES (?, ?, ?, ?)'),
      insAffected: this.db.prepare('INSERT OR REPLACE INTO affected (pkg, advisory, seq, data) VALUES (?, ?, ?, ?)'),
      putCve: this.db.prepare('INSERT OR REPLACE INTO cves (id, source, data) VALUES (?, ?, ?)'),
      putThreatIp: this.db.prepare('INSERT OR REPLACE INTO threat_ips (cidr, source, origin, comment) VALUES (?, ?, ?, ?)'),
      putSource: this.db.prepare(
        'INSERT INTO sources (name, updated_at, origin) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET updated_at = excluded.updated_at, origin = excluded.origin',
      ),
    };
    this.nextBlock = ((this.db.prepare('SELECT MAX(id) AS m FROM heads').get() as { m: number | null }).m ?? 0) + 1;
    this.db.exec('BEGIN');
  }

  /** A new, empty DB file. */
  private createSchema(): void {
    // Head blocks are 2-3 KB: on 4 KB pages only one fits per page (half the file
    // would be slack); 16 KB pages pack them, which also means fewer pages to write.
    this.db.pragma(`page_size = ${PAGE_SIZE}`);
    this.db.exec(SCHEMA);
  }

  private flushBlock(): void {
    if (!this.pending.length) return;
    this.stmts.insBlock.run(this.nextBlock, encodeHeadBlock(this.pending));
    this.pending = [];
    this.nextBlock++;
  }

  /** A head already written (in a stored block) or still pending. */
  private headAt(block: number, slot: number): AdvisoryHead | undefined {
    if (block === this.nextBlock) return this.pending[slot];
    const b = this.stmts.getBlock.get(block);
    return b ? decodeHeadBlock(b.data)[slot] : undefined;
  }

  static open(path: string, opts: WriterOptions = {}): DbWriter {
    mkdirSync(dirname(path), { recursive: true });
    const tmp = join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
    try {
      return new DbWriter(path, tmp, opts);
    } catch (e) {
      rmSync(tmp, { force: true });
      if (e instanceof InputError) throw e;
      return asInputError(e, path);
    }
  }

  /** The package row of an ecosystem and name (keyed lower-cased, the first spelling seen kept for display). */
  private pkgId(displayEcosystem: string, displayName: string): number {
    // Most packages recur with the same spelling: look that up before lower-casing.
    const dk = `${displayEcosystem}\u0000${displayName}`;
    const known = this.pkgIdsBySpelling.get(dk);
    if (known !== undefined) return known;
    const ecosystem = displayEcosystem.toLowerCase();
    const name = displayName.toLowerCase();
    const k = `${ecosystem}\u0000${name}`;
    let id = this.pkgIds.get(k);
    if (id === undefined) {
      id = this.stmts.findPkg.get(ecosystem, name)?.id ?? Number(this.stmts.insPkg.run(ecosystem, name, displayEcosystem, displayName).lastInsertRowid);
      this.pkgIds.set(k, id);
    }
    this.pkgIdsBySpelling.set(dk, id);
    return id;
  }

  /** Removes the stored advisory with this key (hash hits are confirmed against the stored key). */
  private removeKey(hash: number, key: string): void {
    for (const old of this.stmts.findAdv.all(hash)) {
      const h = this.headAt(old.block, old.slot) as (AdvisoryHead & { k?: string }) | undefined;
      if (!h) continue;
      if ((h.k ?? `${old.source}/${h.id}`) !== key) continue;
      for (const p of old.pkgs ? old.pkgs.split(',') : []) this.stmts.delAffected.run(Number(p), old.id);
      this.stmts.delAdv.run(old.id);
    }
  }

  /** Adds or replaces an advisory (same source and id). Withdrawn advisories are removed. */
  put(a: Advisory): void {
    const key = a.dbKey ?? `${a.source}/${a.id}`;
    this.content.update(a.withdrawn ? `w\u0000${key}\n` : `a\u0000${key}\u0000`);
    this.changed = true;
    const hash = keyHash(key);
    if (this.existed || this.keys.has(hash)) this.removeKey(hash, key);
    this.keys.add(hash);
    this.touchedSources.add(a.source);
    if (a.withdrawn) return;
    // `published` is not used by matching or reports: not stored; `related` only when it names something.
    const { affected, dbKey, published: _p, related, ...rest } = a;
    const head = related.length ? { ...rest, related } : rest;
    const pkgs = affected.map((x) => this.pkgId(x.ecosystem, x.name));
    const stored = dbKey ? { ...head, k: dbKey } : head;
    if (this.pending.length >= HEADS_PER_BLOCK) this.flushBlock();
    const info = this.stmts.insAdv.run(hash, a.source, [...new Set(pkgs)].join(','), this.nextBlock, this.pending.length);
    this.pending.push(stored as AdvisoryHead);
    const advId = Number(info.lastInsertRowid);
    this.content.update(JSON.stringify(stored));
    affected.forEach((x, i) => {
      const enc = encodeAffected(x);
      this.content.update(`\u0000${x.ecosystem}\u0000${x.name}\u0000`).update(enc);
      this.stmts.insAffected.run(pkgs[i]!, advId, i, enc);
    });
    this.content.update('\n');
  }

  putCve(c: CveEnrichment): void {
    this.touchedSources.add(c.source);
    const data = JSON.stringify(c);
    this.content.update('c\u0000').update(data).update('\n');
    this.changed = true;
    this.stmts.putCve.run(c.id, c.source, data);
  }

  /** One entry of a threat-IP feed (`origin`: the list's URL). */
  putThreatIp(source: string, origin: string, e: ThreatIpEntry): void {
    this.touchedSources.add(source);
    this.content.update(`t\u0000${source}\u0000${origin}\u0000${e.cidr}\u0000${e.comment}\n`);
    this.changed = true;
    this.stmts.putThreatIp.run(e.cidr, source, origin.slice(0, 500), e.comment);
  }

  /** Records where a source was imported from and when. */
  noteSource(name: string, origin: string): void {
    this.stmts.putSource.run(name, this.now().toISOString(), origin.slice(0, 500));
  }

  /** Finishes the transaction, updates metadata, fsyncs and atomically replaces the DB file. */
  commit(): void {
    if (this.done) throw new Error('DbWriter already finished');
    try {
      this.flushBlock();
      const now = this.now().toISOString();
      const setMeta = this.db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)');
      setMeta.run('schema_version', String(DB_SCHEMA_VERSION));
      setMeta.run('built_at', now);
      // A copy extended by this writer: the previous digest chained with what was put.
      const prev = this.existed
        ? ((this.db.prepare("SELECT value FROM meta WHERE key = 'content_digest'").get() as { value: string } | undefined)?.value ?? '')
        : '';
      if (this.changed || !prev)
        setMeta.run('content_digest', createHash('sha256').update(`vigil-vulndb-content-v1\n${prev}\n`).update(this.content.digest()).digest('hex'));
      setMeta.run('vigil_version', VIGIL_VERSION);
      const touch = this.db.prepare('INSERT INTO sources (name, updated_at) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET updated_at = excluded.updated_at');
      for (const s of this.touchedSources) touch.run(s, now);
      this.db.exec(`UPDATE sources SET records =
        (SELECT COUNT(*) FROM advisories WHERE advisories.source = sources.name) + (SELECT COUNT(*) FROM cves WHERE cves.source = sources.name)
        + (SELECT COUNT(*) FROM threat_ips WHERE threat_ips.source = sources.name)`);
      this.db.exec('COMMIT');
      this.db.close();
      const fd = openSync(this.tmpPath, 'r');
      try {
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(this.tmpPath, this.path);
      // Make the rename itself durable.
      const dfd = openSync(dirname(this.path), 'r');
      try {
        fsyncSync(dfd);
      } finally {
        closeSync(dfd);
      }
    } catch (e) {
      this.abort();
      throw e;
    }
    this.done = true;
  }

  /** Drops the temp file; the existing DB stays as it was. */
  abort(): void {
    this.done = true;
    try {
      if (this.db.open) this.db.close();
    } catch {
      // closing a broken handle: the file is removed anyway
    }
    rmSync(this.tmpPath, { force: true });
  }
}

/** The threat-IP feed entries of the DB at `path` (CIDRs, first `max`, sorted); none when the file or its table is missing. */
export function readFeedThreatIps(path: string, max: number): { cidrs: string[]; total: number } {
  if (!existsSync(path)) return { cidrs: [], total: 0 };
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
    const has = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'threat_ips'").get();
    if (!has) return { cidrs: [], total: 0 };
    const total = (db.prepare('SELECT COUNT(DISTINCT cidr) AS n FROM threat_ips').get() as { n: number }).n;
    const rows = db.prepare('SELECT DISTINCT cidr FROM threat_ips ORDER BY cidr LIMIT ?').all(max) as Array<{ cidr: string }>;
    return { cidrs: rows.map((r) => r.cidr), total };
  } catch (e) {
    return asInputError(e, path);
  } finally {
    db?.close();
  }
}
