import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { InputError } from '../errors.js';
import { parseOsv, sourceOf } from './osv.js';
import { FeedSet } from '../feeds/index.js';
import osvFeed from '../feeds/modules/osv.js';
import { decodeAffected, decodeHead, encodeAffected, encodeHead } from './codec.js';

const feedSet = new FeedSet([osvFeed]);

const demo = (p: string) => JSON.parse(readFileSync(new URL(`../../../demo/advisories/${p}`, import.meta.url), 'utf8'));

test('OSV: a real GHSA record', () => {
  const a = parseOsv(demo('npm/GHSA-xvch-5gv4-984h.json'), 'x.json');
  assert.equal(a.id, 'GHSA-xvch-5gv4-984h');
  assert.equal(a.source, 'ghsa');
  assert.deepEqual(a.aliases, ['CVE-2021-44906']);
  assert.equal(a.vendorSeverity, 'critical');
  assert.equal(a.affected[0]!.ranges[0]!.events.length, 4);
  assert.equal(sourceOf('DSA-5532-1'), 'debian');
  assert.equal(sourceOf('ALSA-2024:1234'), 'almalinux');
  assert.equal(sourceOf('RLSA-2024:1234'), 'rocky');
  assert.equal(sourceOf('FOO-1', 'Rocky Linux:9'), 'rocky');
});

test('OSV: GIT ranges and package-less entries are skipped; withdrawn kept for the importer', () => {
  const a = parseOsv(
    {
      id: 'OSV-1',
      modified: 'x',
      withdrawn: '2024-01-01T00:00:00Z',
      affected: [
        { ranges: [{ type: 'GIT', repo: 'https://example.invalid', events: [{ introduced: '0' }] }] },
        {
          package: { ecosystem: 'npm', name: 'a' },
          ranges: [
            { type: 'GIT', events: [] },
            { type: 'SEMVER', events: [{ introduced: '0' }] },
          ],
        },
      ],
    },
    'w.json',
  );
  assert.equal(a.withdrawn, '2024-01-01T00:00:00Z');
  assert.equal(a.affected.length, 1);
  assert.equal(a.affected[0]!.ranges.length, 1);
});

test('OSV: broken records are InputErrors naming the file', () => {
  const bad: unknown[] = [
    null,
    [],
    { id: 5 },
    { id: 'has space' },
    { id: 'X', affected: {} },
    { id: 'X', affected: [{ package: { name: 'a' } }] },
    { id: 'X', affected: [{ package: { ecosystem: 'npm', name: 'a' }, ranges: [{ type: 'SEMVER' }] }] },
    { id: 'X', affected: [{ package: { ecosystem: 'npm', name: 'a' }, ranges: [{ type: 'SEMVER', events: [{ bogus: '1' }] }] }] },
    { id: 'X', affected: [{ package: { ecosystem: 'npm', name: 'a' }, versions: 'nope' }] },
  ];
  for (const b of bad) {
    assert.throws(
      () => parseOsv(b, 'bad.json'),
      (e: unknown) => e instanceof InputError && e.code.startsWith('OSV_') && e.message.startsWith('bad.json'),
      JSON.stringify(b),
    );
  }
  assert.throws(
    () => feedSet.convertDocument({ hello: 1 }, 'f.json'),
    (e: unknown) => e instanceof InputError && e.code === 'VULNDB_FORMAT',
  );
  assert.equal(feedSet.detectFormat([{ id: 'A' }]), 'osv');
  assert.equal(feedSet.detectFormat('text'), undefined);
});

test('codec: stored form round-trips', () => {
  const a = parseOsv(demo('debian/DSA-5514-1.json'), 'x');
  const { affected, ...head } = a;
  assert.deepEqual(decodeHead(encodeHead(head)), JSON.parse(JSON.stringify(head)));
  for (const { purl: _p, ...x } of affected) assert.deepEqual(decodeAffected(encodeAffected(x), x.ecosystem, x.name), x);
  const st = {
    ecosystem: 'Debian:12',
    name: 'y',
    ranges: [{ type: 'ECOSYSTEM' as const, events: [{ introduced: '0' }, { last_affected: '1' }, { limit: '2' }] }],
    versions: ['1'],
    status: 'will_not_fix' as const,
    severity: 'low',
  };
  assert.deepEqual(decodeAffected(encodeAffected(st), 'Debian:12', 'y'), st);
  assert.equal(encodeAffected({ ...st, ranges: [], versions: [], status: undefined, severity: undefined }), '');
  assert.equal(encodeAffected({ ...st, versions: [], status: undefined, severity: undefined }), 'E\u001fi0\u001fl1\u001fx2');
  const odd = { ...st, versions: ['1\n2'] };
  assert.ok(encodeAffected(odd).startsWith('{'));
  assert.deepEqual(decodeAffected(encodeAffected(odd), 'Debian:12', 'y'), odd);
});
