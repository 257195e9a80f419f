import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { InputError } from '../errors.js';
import { readBdbHash } from './berkeley-db.js';
import { rpmAnalyzer } from './rpm.js';
import { fuzzDamagedBytes } from './analyzer.test-helpers.js';
import { runAnalyzer } from './test-harness.js';

const testdata = fileURLToPath(new URL('./testdata/rpm/', import.meta.url));
const bdb4k = (): Buffer => Buffer.from(readFileSync(`${testdata}bdb/Packages`));
const bdb512 = (): Buffer => Buffer.from(readFileSync(`${testdata}bdb-512/Packages`));

function sqliteBlobs(): Map<number, Buffer> {
  const bytes = Buffer.from(readFileSync(`${testdata}sqlite/rpmdb.sqlite`));
  bytes[18] = 1;
  bytes[19] = 1;
  const db = new Database(bytes, { readonly: true });
  const rows = db.prepare('SELECT hnum, blob FROM Packages').all() as Array<{ hnum: number; blob: Buffer }>;
  db.close();
  return new Map(rows.map((r) => [r.hnum, r.blob]));
}

/** Page layout helpers over a little-endian fixture. */
const pageSize = (b: Buffer): number => b.readUInt32LE(20);
const pages = (b: Buffer): number[] => Array.from({ length: b.length / pageSize(b) }, (_, i) => i);
const typeOf = (b: Buffer, pg: number): number => b[pg * pageSize(b) + 25]!;
/** The byte at `off` of page `pg`. */
const at = (b: Buffer, pg: number, off: number): number => pg * pageSize(b) + off;
/** A mutator of the hostile-input table: changes the buffer in place and returns it. */
const poke =
  (change: (b: Buffer) => unknown) =>
  (b: Buffer): Buffer => {
    change(b);
    return b;
  };
const firstBucketPage = (b: Buffer): number => b.readUInt32LE(96); // bucket 0 = 0 + spares[0]
const hashPageWithItems = (b: Buffer): number => pages(b).find((p) => typeOf(b, p) === 13 && b.readUInt16LE(p * pageSize(b) + 20) > 0)!;
const overflowWithNext = (b: Buffer): number => pages(b).find((p) => typeOf(b, p) === 7 && b.readUInt32LE(p * pageSize(b) + 16) !== 0)!;

test('both fixtures hold the very header blobs rpm stored in SQLite, plus record 0', () => {
  const blobs = sqliteBlobs();
  for (const buf of [bdb4k(), bdb512()]) {
    const { pairs, littleEndian } = readBdbHash(buf, 'Packages');
    assert.equal(littleEndian, true);
    assert.equal(pairs.length, blobs.size + 1);
    const zero = pairs.find((p) => p.key.readUInt32LE(0) === 0)!;
    assert.equal(zero.value.length, 4);
    for (const p of pairs) {
      const n = p.key.readUInt32LE(0);
      if (n !== 0) assert.ok(blobs.get(n)!.equals(p.value), `package ${n}`);
    }
  }
  // Big endian (s390x, ppc64 hosts): pages and keys in big-endian order.
  const be = readBdbHash(readFileSync(`${testdata}bdb-be/Packages`), 'Packages');
  assert.equal(be.littleEndian, false);
  assert.deepEqual(
    be.pairs.map((p) => p.key.readUInt32BE(0)).sort((a, b) => a - b),
    [0, ...[...blobs.keys()].sort((a, b) => a - b)],
  );
  for (const p of be.pairs) if (p.key.readUInt32BE(0) !== 0) assert.ok(blobs.get(p.key.readUInt32BE(0))!.equals(p.value));
  // The 512-byte variant exercises long overflow chains and several buckets.
  const b = bdb512();
  assert.ok(pages(b).filter((p) => typeOf(b, p) === 7).length > 20);
  assert.ok(b.readUInt32LE(72) >= 1);
});

test('hostile Berkeley DB files fail with InputError naming the file and page', () => {
  const cases: Array<[string, (b: Buffer) => Buffer, string, RegExp, Buffer?]> = [
    ['short file', (b) => b.subarray(0, 100), 'BDB_TRUNCATED', /too short/],
    ['bad magic', poke((b) => b.writeUInt32LE(0x12345678, 12)), 'BDB_BAD_MAGIC', /not a Berkeley DB hash database/],
    ['truncated', (b) => b.subarray(0, pageSize(b) * 2), 'BDB_TRUNCATED', /last page \d+ is beyond/],
    ['page size', poke((b) => b.writeUInt32LE(1000, 20)), 'BDB_BAD_PAGESIZE', /invalid page size 1000/],
    ['encrypted', poke((b) => (b[24] = 1)), 'BDB_UNSUPPORTED', /encrypted/],
    ['absurd buckets', poke((b) => b.writeUInt32LE(0xffffffff, 72)), 'BDB_BAD_META', /max bucket/],
    ['bucket chain loop', poke((b) => b.writeUInt32LE(firstBucketPage(b), at(b, firstBucketPage(b), 16))), 'BDB_PAGE_LOOP', /bucket 0: page \d+ reached twice/],
    ['overflow chain loop', poke((b) => b.writeUInt32LE(overflowWithNext(b), at(b, overflowWithNext(b), 16))), 'BDB_PAGE_LOOP', /reached twice/, bdb512()],
    ['overflow outside the file', poke((b) => b.writeUInt32LE(99999, at(b, overflowWithNext(b), 16))), 'BDB_BAD_PAGE', /page 99999, outside/, bdb512()],
    [
      'overflow page of the wrong type',
      poke((b) => (b[at(b, b.readUInt32LE(at(b, overflowWithNext(b), 16)), 25)] = 13)),
      'BDB_BAD_PAGE',
      /not overflow/,
      bdb512(),
    ],
    ['bucket page of the wrong type', poke((b) => (b[firstBucketPage(b) * pageSize(b) + 25] = 7)), 'BDB_BAD_PAGE', /not a hash page/],
    ['item offset outside the page', poke((b) => b.writeUInt16LE(3, at(b, hashPageWithItems(b), 26))), 'BDB_BAD_ITEM', /item 0: offset 3 outside/],
    [
      'unknown item type',
      (b) => {
        const pg = hashPageWithItems(b);
        const base = pg * pageSize(b);
        b[base + b.readUInt16LE(base + 26)] = 9;
        return b;
      },
      'BDB_BAD_ITEM',
      /unknown item type 9/,
    ],
    ['odd item count', poke((b) => b.writeUInt16LE(3, at(b, hashPageWithItems(b), 20))), 'BDB_BAD_PAGE', /invalid item count 3/],
    [
      'value length lie',
      (b) => {
        // Find an off-page item (type 3) and claim a longer value than its chain holds.
        for (const pg of pages(b)) {
          const base = pg * pageSize(b);
          if (typeOf(b, pg) !== 13) continue;
          for (let i = 0; i < b.readUInt16LE(base + 20); i++) {
            const off = b.readUInt16LE(base + 26 + i * 2);
            if (b[base + off] === 3) {
              b.writeUInt32LE(b.readUInt32LE(base + off + 8) + 1, base + off + 8);
              return b;
            }
          }
        }
        throw new Error('no off-page item');
      },
      'BDB_BAD_OVERFLOW',
      /holds \d+ of \d+ bytes/,
    ],
  ];
  for (const [label, corrupt, code, message, base] of cases) {
    assert.throws(
      () => readBdbHash(corrupt(base ?? bdb4k()), '/var/lib/rpm/Packages'),
      (e: unknown) => {
        assert.ok(e instanceof InputError, `${label}: ${String(e)}`);
        assert.equal(e.code, code, `${label}: ${e.message}`);
        assert.match(e.message, message, label);
        assert.match(e.message, /^\/var\/lib\/rpm\/Packages: /, label);
        return true;
      },
      label,
    );
  }
  assert.throws(
    () => readBdbHash(bdb4k(), 'P', { maxValueBytes: 1000, maxPairs: 100 }),
    (e: unknown) => e instanceof InputError && e.code === 'LIMIT_BDB_VALUE_SIZE',
  );
  assert.throws(
    () => readBdbHash(bdb4k(), 'P', { maxValueBytes: 1 << 20, maxPairs: 2 }),
    (e: unknown) => e instanceof InputError && e.code === 'LIMIT_BDB_PAIRS',
  );
});

test('fuzz: random byte damage to a database ends in packages or an InputError, never a crash or a hang', async () => {
  const errors = await fuzzDamagedBytes(bdb512(), { seed: 12345, rounds: 300, maxHits: 8 }, (b) => runAnalyzer(rpmAnalyzer, [{ '/var/lib/rpm/Packages': b }]));
  assert.ok(errors > 0);
});
