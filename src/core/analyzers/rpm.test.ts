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

/** What `rpm -qa` said about a fixture database (make-rpm-fixtures.sh's by default), without the gpg-pubkey pseudo-package. */
function expected(tsv = 'expected.tsv'): string[] {
  return fixture(tsv)
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

test('rpm database: NDB (SUSE Linux Enterprise 15, both locations) lists what rpm -qa lists', async () => {
  for (const path of ['/var/lib/rpm/Packages.db', '/usr/lib/sysimage/rpm/Packages.db']) {
    const pkgs = await run({ [path]: fixture('ndb/Packages.db'), '/etc/os-release': 'ID="sles"\nVERSION_ID="15.3"\n' });
    assert.deepEqual(summary(pkgs), expected('ndb/expected.tsv'));
    const bash = pkgs.find((p) => p.name === 'bash')!;
    assert.ok(bash.files!.includes('/bin/bash') || bash.files!.includes('/usr/bin/bash'), 'owned files come from the header');
  }
  const both = await run({ [SQLITE]: fixture('sqlite/rpmdb.sqlite'), '/var/lib/rpm/Packages.db': fixture('ndb/Packages.db') });
  assert.ok(both.some((p) => p.name === 'vigil-tools') && !both.some((p) => p.name === 'sles-release'), 'SQLite wins over a stale NDB file');
});

test('a broken NDB database is a one-line error naming the file and the package', async () => {
  const good = fixture('ndb/Packages.db');
  const edit = (f: (b: Buffer) => void): Buffer => {
    const b = Buffer.from(good);
    f(b);
    return b;
  };
  // The first used slot (after the 32-byte header) and its blob.
  const slot = ((): number => {
    for (let at = 32; ; at += 16) if (good.readUInt32LE(at + 4) !== 0) return at;
  })();
  const blob = good.readUInt32LE(slot + 8) * 16;
  const path = '/usr/lib/sysimage/rpm/Packages.db';
  for (const [label, bytes, re] of [
    ['truncated header', good.subarray(0, 20), /too short for an NDB header/],
    ['bad magic', edit((b) => b.write('XpmP', 0)), /not an rpm NDB database/],
    ['slot pages past the end', edit((b) => b.writeUInt32LE(100_000, 12)), /slot pages/],
    ['bad slot magic', edit((b) => b.write('Xlot', slot)), /slot 0: bad magic/],
    ['blob outside the file', edit((b) => b.writeUInt32LE(0x0fffffff, slot + 8)), /outside the data area/],
    ['blob inside the slot pages', edit((b) => b.writeUInt32LE(1, slot + 8)), /outside the data area/],
    ['wrong blob magic', edit((b) => b.write('XlbS', blob)), /bad blob magic/],
    ['blob names another package', edit((b) => b.writeUInt32LE(9999, blob + 4)), /its blob says package 9999/],
    ['blob longer than its blocks', edit((b) => b.writeUInt32LE(0x7fffffff, blob + 12)), /longer than its/],
    ['two slots share one blob', edit((b) => good.copy(b, slot + 16, slot, slot + 16)), /overlaps|says package/],
    ['truncated file', good.subarray(0, good.length - 4096), /outside the data area/],
  ] as const) {
    await assert.rejects(
      run({ [path]: bytes }),
      (e: unknown) => e instanceof Error && /^RPM_NDB/.test((e as InputError).code) && re.test(e.message) && e.message.includes(path),
      label,
    );
  }
  await assert.rejects(run({ [path]: edit((b) => b.writeUInt32LE(5000, 12)) }), (e: unknown) => (e as InputError).code === 'RPM_NDB_TOO_MANY_SLOTS');
});
