import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InputError } from '../errors.js';
import { RpmHeader, RPMTAG } from './rpm-header.js';
import { rpmAnalyzer } from './rpm.js';
import { readBdbHash } from './berkeley-db.js';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { nodeAnalyzerContext } from '../../node/analyzers/context.js';

type Value = { type: 4; ints: number[] } | { type: 6; s: string | Buffer } | { type: 8; list: string[] };

/** Build a header blob the way rpm lays it out (index entries, then the data store). */
function build(entries: Array<[number, Value]>): Buffer {
  const index: Buffer[] = [];
  const data: Buffer[] = [];
  let size = 0;
  for (const [tag, v] of entries) {
    let bytes: Buffer;
    let count: number;
    if (v.type === 4) {
      while (size % 4) {
        data.push(Buffer.alloc(1));
        size++;
      }
      bytes = Buffer.alloc(4 * v.ints.length);
      v.ints.forEach((n, i) => bytes.writeUInt32BE(n, i * 4));
      count = v.ints.length;
    } else if (v.type === 6) {
      bytes = Buffer.concat([Buffer.isBuffer(v.s) ? v.s : Buffer.from(v.s), Buffer.alloc(1)]);
      count = 1;
    } else {
      bytes = Buffer.concat(v.list.map((s) => Buffer.concat([Buffer.from(s), Buffer.alloc(1)])));
      count = v.list.length;
    }
    const e = Buffer.alloc(16);
    e.writeUInt32BE(tag, 0);
    e.writeUInt32BE(v.type, 4);
    e.writeUInt32BE(size, 8);
    e.writeUInt32BE(count, 12);
    index.push(e);
    data.push(bytes);
    size += bytes.length;
  }
  const pre = Buffer.alloc(8);
  pre.writeUInt32BE(entries.length, 0);
  pre.writeUInt32BE(size, 4);
  return Buffer.concat([pre, ...index, ...data]);
}

const basic = (): Array<[number, Value]> => [
  [RPMTAG.NAME, { type: 6, s: 'openssl-libs' }],
  [RPMTAG.VERSION, { type: 6, s: '3.0.7' }],
  [RPMTAG.RELEASE, { type: 6, s: '27.el9' }],
  [RPMTAG.EPOCH, { type: 4, ints: [1] }],
  [RPMTAG.ARCH, { type: 6, s: 'x86_64' }],
  [RPMTAG.SOURCERPM, { type: 6, s: 'openssl-3.0.7-27.el9.src.rpm' }],
  [RPMTAG.DIRINDEXES, { type: 4, ints: [0, 1] }],
  [RPMTAG.BASENAMES, { type: 8, list: ['libssl.so.3', 'openssl.cnf'] }],
  [RPMTAG.DIRNAMES, { type: 8, list: ['/usr/lib64/', '/etc/pki/tls/'] }],
];

/** Store one header as package 7 in a real SQLite rpmdb (rpm's own schema) and run the rpm analyzer on it. */
async function analyze(blob: Buffer) {
  const db = new Database(':memory:');
  db.exec("CREATE TABLE 'Packages' (hnum INTEGER PRIMARY KEY AUTOINCREMENT,blob BLOB NOT NULL)");
  db.prepare('INSERT INTO Packages (hnum, blob) VALUES (7, ?)').run(blob);
  const bytes = db.serialize();
  db.close();
  const entry = { path: '/var/lib/rpm/rpmdb.sqlite', kind: 'file' as const, mode: 0o644, size: bytes.length, uid: 0, gid: 0, layer: 0 };
  const tree = { get: () => undefined, list: () => [], resolve: () => undefined, entries: () => [] };
  return rpmAnalyzer.analyze({ files: [{ path: entry.path, content: bytes, entry }], versions: () => [], tree, ctx: nodeAnalyzerContext() });
}

test('a well-formed header: epoch:version-release, source from SOURCERPM, files from dir indexes', async () => {
  const r = await analyze(build(basic()));
  assert.deepEqual(r.packages, [
    {
      type: 'rpm',
      name: 'openssl-libs',
      version: '1:3.0.7-27.el9',
      arch: 'x86_64',
      sourceName: 'openssl',
      sourceVersion: '1:3.0.7-27.el9',
      files: ['/usr/lib64/libssl.so.3', '/etc/pki/tls/openssl.cnf'],
      layer: { index: 0, digest: '' },
    },
  ]);
  // Epoch 0 is written without an epoch, like no epoch at all.
  const zero = basic().map(([t, v]): [number, Value] => (t === RPMTAG.EPOCH ? [t, { type: 4, ints: [0] }] : [t, v]));
  assert.equal((await analyze(build(zero))).packages![0]!.version, '3.0.7-27.el9');
  // gpg-pubkey pseudo-packages are skipped.
  const key = basic().map(([t, v]): [number, Value] => (t === RPMTAG.NAME ? [t, { type: 6, s: 'gpg-pubkey' }] : [t, v]));
  assert.deepEqual((await analyze(build(key))).packages, []);
});

test('hostile headers fail with InputError naming the database and package', async () => {
  const good = build(basic());
  const patched = (at: number, value: number): Buffer => {
    const b = Buffer.from(good);
    b.writeUInt32BE(value, at);
    return b;
  };
  const dataStart = 8 + 16 * basic().length;
  const cases: Array<[Buffer, string, RegExp]> = [
    [good.subarray(0, 5), 'RPM_HEADER_TRUNCATED', /shorter than its 8-byte preamble/],
    [good.subarray(0, good.length - 3), 'RPM_HEADER_TRUNCATED', /header needs/],
    [patched(0, 0x7fffffff), 'RPM_HEADER_BAD_COUNT', /absurd index count/],
    [patched(0, 0), 'RPM_HEADER_BAD_COUNT', /absurd index count 0/],
    [patched(4, 0xfffffff0), 'RPM_HEADER_BAD_SIZE', /absurd data length/],
    [patched(8 + 8, 0x00ffffff), 'RPM_HEADER_BAD_OFFSET', /tag 1000: offset \d+ outside/],
    [patched(8 + 4, 77), 'RPM_HEADER_BAD_ENTRY', /unknown type 77/],
    [patched(8 + 3 * 16 + 12, 1_000_000), 'RPM_HEADER_BAD_ENTRY', /absurd count/],
    [patched(8 + 3 * 16 + 12, 60), 'RPM_HEADER_BAD_OFFSET', /run past/],
    [patched(8 + 7 * 16 + 12, 5), 'RPM_HEADER_BAD_STRING', /not NUL-terminated/],
    [build(basic().filter(([t]) => t !== RPMTAG.NAME)), 'RPM_MISSING_TAG', /no NAME/],
    [build(basic().filter(([t]) => t !== RPMTAG.VERSION)), 'RPM_MISSING_TAG', /no VERSION/],
    [
      build(basic().map(([t, v]): [number, Value] => (t === RPMTAG.DIRINDEXES ? [t, { type: 4, ints: [0, 9] }] : [t, v]))),
      'RPM_HEADER_BAD_FILES',
      /DIRINDEXES\[1\] = 9/,
    ],
    [
      build(basic().map(([t, v]): [number, Value] => (t === RPMTAG.DIRINDEXES ? [t, { type: 4, ints: [0] }] : [t, v]))),
      'RPM_HEADER_BAD_FILES',
      /2 BASENAMES but 1 DIRINDEXES/,
    ],
    [
      build(basic().map(([t, v]): [number, Value] => (t === RPMTAG.NAME ? [t, { type: 6, s: Buffer.from([0x6f, 0xff, 0xfe]) }] : [t, v]))),
      'RPM_HEADER_NOT_UTF8',
      /tag 1000 is not valid UTF-8/,
    ],
    [build(basic().map(([t, v]): [number, Value] => (t === RPMTAG.NAME ? [t, { type: 4, ints: [5] }] : [t, v]))), 'RPM_HEADER_BAD_TYPE', /tag 1000: type 4/],
  ];
  // Sanity: the string-termination case really points the name's string at the data store's last bytes.
  assert.equal(good.readUInt32BE(8 + 7 * 16 + 8) + dataStart < good.length, true);
  for (const [blob, code, message] of cases) {
    await assert.rejects(
      analyze(blob),
      (e: unknown) => {
        assert.ok(e instanceof InputError, `${code}: ${String(e)}`);
        assert.equal(e.code, code, e.message);
        assert.match(e.message, message);
        assert.match(e.message, /^\/var\/lib\/rpm\/rpmdb\.sqlite package 7: /);
        return true;
      },
      code,
    );
  }
});

test('real headers from the fixtures parse, and every truncation of one fails cleanly', () => {
  const { pairs } = readBdbHash(readFileSync(fileURLToPath(new URL('./testdata/rpm/bdb/Packages', import.meta.url))), 'Packages');
  const blob = pairs.find((p) => p.value.length > 1000)!.value;
  assert.equal(new RpmHeader(blob, 'x').string(RPMTAG.NAME)?.startsWith('vigil-'), true);
  for (let n = 0; n < blob.length; n += 97) {
    assert.throws(() => {
      const h = new RpmHeader(blob.subarray(0, n), 'x');
      h.string(RPMTAG.NAME);
      h.stringArray(RPMTAG.BASENAMES);
    }, InputError);
  }
});
