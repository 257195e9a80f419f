import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../../core/errors.js';
import { DbWriter, VulnDb } from './db.js';
import { DEFAULT_IMPORT_LIMITS, importPaths } from './import.js';
import { makeZip } from '../../core/analyzers/zip.test-helpers.js';

const DEMO = new URL('../../../demo/advisories/', import.meta.url).pathname;
const osv = (id: string, name: string, fixed: string, extra: object = {}) =>
  JSON.stringify({
    id,
    modified: '2024-01-01T00:00:00Z',
    upstream: [`CVE-2024-${id.replace(/\D/g, '').padStart(4, '0')}`],
    affected: [{ package: { ecosystem: 'Debian:12', name }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed }] }] }],
    ...extra,
  });

function withTmp(fn: (dir: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-db-'));
    try {
      await fn(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

async function build(path: string, inputs: string[], fresh = false): Promise<void> {
  const w = DbWriter.open(path, { fresh, now: () => new Date('2026-01-02T03:04:05Z') });
  try {
    await importPaths(w, inputs);
    w.commit();
  } catch (e) {
    w.abort();
    throw e;
  }
}

test(
  'db: import a directory of OSV + NVD files, read back metadata and advisories',
  withTmp(async (dir) => {
    const path = join(dir, 'sub', 'vigil.db');
    await build(path, [DEMO]);
    const db = VulnDb.open(path);
    try {
      const info = db.info(1);
      assert.equal(info.schemaVersion, 1);
      assert.equal(info.builtAt, '2026-01-02T03:04:05.000Z');
      assert.equal(info.advisories, 6);
      assert.equal(info.cves, 5);
      assert.deepEqual(
        info.sources.map((s) => `${s.name}:${s.records}`),
        ['debian:3', 'ghsa:3', 'nvd:5'],
      );
      const rows = db.affected('debian:12', 'glibc');
      assert.equal(rows.length, 1);
      assert.equal(db.advisory(rows[0]!.key)?.id, 'DSA-5514-1');
      assert.equal(db.cve('CVE-2023-4911')?.vendorSeverity, 'high');
      assert.equal(db.affected('debian:11', 'openssl').length, 0);
      assert.equal(db.hasEcosystem('debian:12'), true);
      assert.equal(db.hasEcosystem('wolfi'), false);
    } finally {
      db.close();
    }
    assert.deepEqual(readdirSync(join(dir, 'sub')), ['vigil.db'], 'no temp files left');
  }),
);

test(
  'db: OSV all.zip import; re-import replaces records; withdrawn records are removed',
  withTmp(async (dir) => {
    const path = join(dir, 'v.db');
    const zip1 = join(dir, 'all.zip');
    writeFileSync(
      zip1,
      makeZip([
        { name: 'DSA-1-1.json', data: osv('DSA-1-1', 'a', '1.0-2') },
        { name: 'DSA-2-1.json', data: osv('DSA-2-1', 'b', '2.0-2') },
        { name: 'README', data: 'x' },
      ]),
    );
    await build(path, [zip1]);
    const zip2 = join(dir, 'all2.zip');
    writeFileSync(
      zip2,
      makeZip([
        { name: 'DSA-1-1.json', data: osv('DSA-1-1', 'a', '1.0-3') },
        { name: 'DSA-2-1.json', data: osv('DSA-2-1', 'b', '2.0-2', { withdrawn: '2024-02-01T00:00:00Z' }) },
      ]),
    );
    await build(path, [zip2]);
    const db = VulnDb.open(path);
    try {
      const a = db.affected('debian:12', 'a');
      assert.equal(a.length, 1);
      assert.deepEqual(a[0]!.affected.ranges[0]!.events[1], { fixed: '1.0-3' });
      assert.equal(db.affected('debian:12', 'b').length, 0);
      assert.equal(db.info(0).advisories, 1);
    } finally {
      db.close();
    }
  }),
);

test(
  'db: a failed import leaves the existing DB untouched (atomic replace)',
  withTmp(async (dir) => {
    const path = join(dir, 'v.db');
    await build(path, [DEMO]);
    const before = readFileSync(path);
    const bad = join(dir, 'bad');
    rmSync(bad, { recursive: true, force: true });
    writeFileSync(join(dir, 'good.json'), osv('DSA-7-1', 'c', '1'));
    writeFileSync(join(dir, 'broken.json'), '{"id": "DSA-8-1", "affected": [');
    await assert.rejects(
      build(path, [join(dir, 'good.json'), join(dir, 'broken.json')]),
      (e: unknown) => e instanceof InputError && e.code === 'VULNDB_JSON' && e.message.includes('broken.json'),
    );
    assert.deepEqual(readFileSync(path), before);
    assert.deepEqual(
      readdirSync(dir).filter((n) => n.includes('tmp')),
      [],
    );
    // A writer that never commits (a crash) leaves only its temp file, never a half DB at the path.
    const w = DbWriter.open(path);
    w.put({ id: 'X-1', source: 'debian', aliases: [], upstream: [], related: [], severity: [], references: [], affected: [] });
    assert.deepEqual(readFileSync(path), before);
    w.abort();
    assert.ok(!existsSync(w.tmpPath));
  }),
);

test(
  'db: broken inputs are InputErrors with codes',
  withTmp(async (dir) => {
    const path = join(dir, 'v.db');
    const cases: Array<[string, Buffer | string, string]> = [
      ['unknown.json', '{"hello": "world"}', 'VULNDB_FORMAT'],
      ['trunc.zip', makeZip([{ name: 'a.json', data: osv('DSA-1-1', 'a', '1') }]).subarray(0, 40), 'ZIP_INVALID'],
      ['badentry.zip', makeZip([{ name: 'a.json', data: '{nope' }]), 'VULNDB_JSON'],
    ];
    for (const [name, data, code] of cases) {
      writeFileSync(join(dir, name), data);
      await assert.rejects(build(path, [join(dir, name)]), (e: unknown) => e instanceof InputError && e.code === code, name);
    }
    await assert.rejects(build(path, [join(dir, 'missing.json')]), (e: unknown) => e instanceof InputError && e.code === 'VULNDB_IMPORT_MISSING');
    // Limits: entry count and entry size of zips, file size.
    const many = join(dir, 'many.zip');
    writeFileSync(many, makeZip(Array.from({ length: 5 }, (_, i) => ({ name: `${i}.json`, data: osv(`DSA-${i}-1`, 'a', '1') }))));
    const w = DbWriter.open(path);
    try {
      await assert.rejects(
        importPaths(w, [many], { ...DEFAULT_IMPORT_LIMITS, maxZipEntries: 3 }),
        (e: unknown) => e instanceof InputError && e.code === 'LIMIT_ZIP_ENTRIES',
      );
      await assert.rejects(
        importPaths(w, [many], { ...DEFAULT_IMPORT_LIMITS, maxZipEntryBytes: 50 }),
        (e: unknown) => e instanceof InputError && e.code === 'LIMIT_ZIP_ENTRY_SIZE',
      );
      await assert.rejects(
        importPaths(w, [join(dir, 'unknown.json')], { ...DEFAULT_IMPORT_LIMITS, maxFileBytes: 5 }),
        (e: unknown) => e instanceof InputError && e.code === 'LIMIT_FILE_SIZE',
      );
    } finally {
      w.abort();
    }
    assert.ok(!existsSync(path));
    // Not a DB, missing DB.
    writeFileSync(path, 'this is not sqlite');
    assert.throws(
      () => VulnDb.open(path),
      (e: unknown) => e instanceof InputError && e.code === 'VULNDB_CORRUPT',
    );
    assert.throws(
      () => VulnDb.open(join(dir, 'nope.db')),
      (e: unknown) => e instanceof InputError && e.code === 'VULNDB_MISSING' && /vigil db update/.test(e.message),
    );
  }),
);

test(
  'db: records the Vigil version, not whatever npm put in the environment',
  withTmp(async (dir) => {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
    const saved = process.env.npm_package_version;
    try {
      for (const env of [undefined, '9.9.9-not-vigil']) {
        if (env === undefined) delete process.env.npm_package_version;
        else process.env.npm_package_version = env;
        const path = join(dir, `v-${env ?? 'none'}.db`);
        await build(path, [DEMO], true);
        const db = VulnDb.open(path);
        try {
          assert.equal(db.info(0).vigilVersion, pkg.version);
        } finally {
          db.close();
        }
      }
    } finally {
      if (saved === undefined) delete process.env.npm_package_version;
      else process.env.npm_package_version = saved;
    }
  }),
);
