// Fuzz: advisory documents (OSV, Debian tracker, Alpine secdb, NVD API 2.0)
// through convertDocument, the entry the vulndb importer uses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import fc from 'fast-check';
import { advisoryFeeds } from '../../src/node/vulndb/feeds.js';
import { expectSync, fuzzJson, params } from './harness.js';

const feedSet = await advisoryFeeds();

const json = (u: URL): unknown => JSON.parse(readFileSync(u, 'utf8'));
const demo = new URL('../../demo/advisories/', import.meta.url);
const samples: unknown[] = [
  ...['debian', 'npm', 'nvd'].flatMap((d) => readdirSync(new URL(`${d}/`, demo)).map((f) => json(new URL(`${d}/${f}`, demo)))),
  json(new URL('corpus/alpine-secdb.json', import.meta.url)),
  json(new URL('corpus/debian-tracker.json', import.meta.url)),
];

test('vulndb corpus: every valid sample converts', () => {
  const formats = new Set(samples.map((s) => feedSet.convertDocument(s, 'sample.json').format));
  assert.deepEqual([...formats].sort(), ['alpine-secdb', 'debian-tracker', 'nvd', 'osv']);
});

test('fuzz: advisory documents convert or fail with InputError', () => {
  fc.assert(
    fc.property(fuzzJson(samples), (doc) => {
      expectSync('convertDocument', () => feedSet.convertDocument(doc, 'fuzz.json'));
    }),
    params(300),
  );
});
