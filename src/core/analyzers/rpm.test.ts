import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { InputError } from '../errors.js';
import { nodeAnalyzerContext } from '../../node/analyzers/context.js';
import { rpmAnalyzer } from './rpm.js';
import { runAnalyzer, type HarnessLayer } from './test-harness.js';
import type { Package } from '../inventory/types.js';

const testdata = fileURLToPath(new URL('./testdata/rpm/', import.meta.url));
const fixture = (name: string): Buffer => readFileSync(`${testdata}${name}`);
const SQLITE = '/var/lib/rpm/rpmdb.sqlite';
const BDB = '/var/lib/rpm/Packages';
const run = async (...layers: HarnessLayer[]): Promise<Package[]> => (await runAnalyzer(rpmAnalyzer, layers, { ctx: nodeAnalyzerContext() })).packages ?? [];

/** What `rpm -qa` said when make-rpm-fixtures.sh built the database, without the gpg-pubkey pseudo-package. */
function expected(): string[] {
  return fixture('expected.tsv')
    .toString('utf8')
    .trim()
    .split('\n')
    .map((l) => l.split('\t'))
    .filter(([name]) => name !== 'gpg-pubkey')
    .map(([name, evr, arch, srpm, license]) => {
      const [, sname, sver] = /^(.+)-([^-]+-[^-]+)\.src\.rpm$/.exec(srpm!)!;
      const epoch = evr!.includes(':') ? evr!.slice(0, evr!.indexOf(':') + 1) : '';
      return [name, evr, arch, sname, `${epoch}${sver}`, license].join('\t');
    })
    .sort();
}
const summary = (pkgs: Package[]): string[] =>
  pkgs.map((p) => [p.name, p.version, p.arch, p.sourceName, p.sourceVersion, p.licenses?.join()].join('\t')).sort();

/** An editable in-memory copy of the SQLite fixture (WAL header bytes switched off so it deserialises). */
function editableSqlite(edit: (db: Database.Database) => void): Buffer {
  const bytes = Buffer.from(fixture('sqlite/rpmdb.sqlite'));
  bytes[18] = 1;
  bytes[19] = 1;
  const db = new Database(bytes);
  db.pragma('foreign_keys = OFF');
  edit(db);
  const out = db.serialize();
  db.close();
  return out;
}

for (const [label, path, file] of [
  ['SQLite (rpm 4.18, RHEL 9 layout)', SQLITE, 'sqlite/rpmdb.sqlite'],
  ['Berkeley DB hash, 4096-byte pages', BDB, 'bdb/Packages'],
  ['Berkeley DB hash, 512-byte pages', BDB, 'bdb-512/Packages'],
  ['Berkeley DB hash, big endian', BDB, 'bdb-be/Packages'],
  ['SQLite under /usr/lib/sysimage/rpm (Fedora 36+)', '/usr/lib/sysimage/rpm/rpmdb.sqlite', 'sqlite/rpmdb.sqlite'],
] as const) {
  test(`rpm database: ${label} lists what rpm -qa lists`, async () => {
    const pkgs = await run({ [path]: fixture(file) });
    assert.deepEqual(summary(pkgs), expected());
    const tools = pkgs.find((p) => p.name === 'vigil-tools')!;
    assert.equal(tools.files!.length, 151);
    assert.ok(tools.files!.includes('/usr/share/vigil-tools/data/item-7.txt'));
    assert.ok(!tools.files!.includes('/usr/share/vigil-tools'), 'directories are left out');
    assert.deepEqual(pkgs.find((p) => p.name === 'vigil-hello')!.files, ['/usr/bin/vigil-hello', '/usr/share/doc/vigil-hello/README']);
    assert.ok(pkgs.every((p) => p.type === 'rpm' && p.layer?.index === 0));
  });
}

test('an empty database file (never initialised) has no packages', async () => {
  assert.deepEqual(await run({ [SQLITE]: Buffer.alloc(0) }), []);
  assert.deepEqual(await run({ [BDB]: Buffer.alloc(0) }), []);
});

test('SQLite is preferred when an image also has a stale Berkeley DB', async () => {
  const stale = editableSqlite((db) => db.prepare('DELETE FROM Packages WHERE hnum = (SELECT min(hnum) FROM Packages)').run());
  const pkgs = await run({ [BDB]: fixture('bdb/Packages'), [SQLITE]: stale });
  assert.equal(pkgs.length, expected().length - 1);
});

test('layer attribution: a package installed by a later layer', async () => {
  const hnum = (() => {
    const d = new Database(editableSqlite(() => {}));
    const n = d.prepare('SELECT hnum, blob FROM Packages').all() as Array<{ hnum: number; blob: Buffer }>;
    d.close();
    return n.find((r) => r.blob.includes(Buffer.from('vigil-hello\u0000')))!.hnum;
  })();
  const before = editableSqlite((db) => db.prepare('DELETE FROM Packages WHERE hnum = ?').run(hnum));
  const pkgs = await run({ [SQLITE]: before }, { '/etc/motd': 'x' }, { [SQLITE]: fixture('sqlite/rpmdb.sqlite') });
  const layer = (n: string) => pkgs.find((p) => p.name === n)?.layer;
  assert.equal(layer('vigil-hello')?.index, 2);
  assert.equal(layer('vigil-hello')?.digest, `sha256:${'2'.padStart(64, '0')}`);
  assert.equal(layer('vigil-tools')?.index, 0);
});

test('corrupt databases fail with InputError naming the file', async () => {
  const reject = async (layer: HarnessLayer, code: string, message: RegExp): Promise<void> => {
    await assert.rejects(run(layer), (e: unknown) => {
      assert.ok(e instanceof InputError, String(e));
      assert.equal(e.code, code, e.message);
      assert.match(e.message, message);
      return true;
    });
  };
  await reject(
    { [SQLITE]: Buffer.from('this is not sqlite at all, just text'.repeat(10)) },
    'SQLITE_NOT_DATABASE',
    /^\/var\/lib\/rpm\/rpmdb\.sqlite: .*not a SQLite database/,
  );
  const sqlite = fixture('sqlite/rpmdb.sqlite');
  await reject({ [SQLITE]: sqlite.subarray(0, 8192) }, 'SQLITE_CORRUPT', /rpmdb\.sqlite: .*(malformed|not a database|corrupt)/i);
  await reject({ [SQLITE]: editableSqlite((db) => db.exec('DROP TABLE Packages')) }, 'RPM_SQLITE_SCHEMA', /rpmdb\.sqlite: no Packages table/);
  // A view over a recursive query would never end; generated columns could compute huge values.
  const endless = editableSqlite((db) =>
    db.exec(
      'DROP TABLE Packages; CREATE VIEW Packages AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT x AS hnum, zeroblob(1000) AS blob FROM c',
    ),
  );
  await reject({ [SQLITE]: endless }, 'RPM_SQLITE_SCHEMA', /Packages is not a plain table/);
  const generated = editableSqlite((db) =>
    db.exec(
      'DROP TABLE Packages; CREATE TABLE Packages (hnum INTEGER PRIMARY KEY, n INTEGER, blob BLOB GENERATED ALWAYS AS (zeroblob(n)) VIRTUAL); INSERT INTO Packages (hnum, n) VALUES (1, 1000)',
    ),
  );
  await reject({ [SQLITE]: generated }, 'RPM_SQLITE_SCHEMA', /does not have the \(hnum, blob\) columns/);
  const truncated = editableSqlite((db) => db.exec('UPDATE Packages SET blob = substr(blob, 1, 100) WHERE hnum = (SELECT min(hnum) FROM Packages)'));
  await reject({ [SQLITE]: truncated }, 'RPM_HEADER_TRUNCATED', /rpmdb\.sqlite package \d+: header needs/);
  await reject(
    { [SQLITE]: editableSqlite((db) => db.exec("UPDATE Packages SET blob = 'text' WHERE hnum = (SELECT min(hnum) FROM Packages)")) },
    'RPM_SQLITE_CORRUPT',
    /blob is not a BLOB/,
  );
  await reject({ [BDB]: sqlite }, 'BDB_BAD_MAGIC', /^\/var\/lib\/rpm\/Packages: not a Berkeley DB hash database/);
});

test('without ctx.openSqlite the analyzer says what is missing (a wiring bug, not an input error)', async () => {
  await assert.rejects(
    runAnalyzer(rpmAnalyzer, [{ [SQLITE]: fixture('sqlite/rpmdb.sqlite') }]),
    (e: unknown) => !(e instanceof InputError) && /openSqlite/.test(String(e)),
  );
});

test('an NDB database (SUSE) is a notice, not a silent zero; the file is not buffered', async () => {
  // rpm's NDB header: magic "RpmP", version 0, generation, slot pages.
  const ndb = Buffer.concat([Buffer.from('RpmP'), Buffer.from([0, 0, 0, 0, 7, 0, 0, 0, 1, 0, 0, 0]), Buffer.alloc(4080)]);
  for (const path of ['/var/lib/rpm/Packages.db', '/usr/lib/sysimage/rpm/Packages.db']) {
    assert.equal(rpmAnalyzer.required(path, { path, kind: 'file', mode: 0o644, size: ndb.length, uid: 0, gid: 0, layer: 0 }), false);
    const r = await runAnalyzer(rpmAnalyzer, [{ [path]: ndb, '/etc/os-release': 'ID="sles"\nVERSION_ID="15.6"\n' }], { ctx: nodeAnalyzerContext() });
    assert.deepEqual(r.packages, []);
    assert.deepEqual(r.notices, [
      { kind: 'package-db-unreadable', message: 'rpm database in NDB format (SUSE) is not read: its packages are not listed or matched', path },
    ]);
  }
  const both = await runAnalyzer(rpmAnalyzer, [{ [SQLITE]: fixture('sqlite/rpmdb.sqlite'), '/var/lib/rpm/Packages.db': ndb }], { ctx: nodeAnalyzerContext() });
  assert.ok(both.packages!.length > 0);
  assert.equal(both.notices, undefined, 'a readable database wins, no notice');
});
