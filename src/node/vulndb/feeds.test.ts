import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { isInputError } from '../../core/errors.js';
import { advisoryFeeds } from './feeds.js';

const feedSet = await advisoryFeeds();

/** One real-shaped document per feed (src/core/feeds/modules/samples/<id>.json); each must be detected by its own feed only. */
const SAMPLE_DIR = new URL('../../core/feeds/modules/samples/', import.meta.url);
const SAMPLES: Record<string, unknown> = Object.fromEntries(
  readdirSync(SAMPLE_DIR)
    .filter((n) => n.endsWith('.json'))
    .map((n) => [n.slice(0, -5), JSON.parse(readFileSync(new URL(n, SAMPLE_DIR), 'utf8')) as unknown]),
);

test('every feed detects its own format and no other', () => {
  assert.deepEqual(
    feedSet.ordered.map((f) => f.id),
    ['osv', 'nvd', 'alpine-secdb', 'debian-tracker', 'threat-ips'],
    'every module of src/core/feeds/modules/, in detection order',
  );
  // Threat-IP list feeds are text, never detected as advisory documents (src/node/vulndb/update.test.ts reads them).
  const documentFeeds = feedSet.ordered.filter((f) => !f.threatIps);
  for (const f of feedSet.ordered.filter((x) => x.threatIps))
    for (const [id, doc] of Object.entries(SAMPLES)) assert.equal(f.detect(doc), false, `${f.id} on a ${id} document`);
  assert.deepEqual(Object.keys(SAMPLES).sort(), documentFeeds.map((f) => f.id).sort(), 'one sample per advisory feed, named after it');
  for (const f of documentFeeds) {
    assert.ok(SAMPLES[f.id], `a sample for ${f.id} in src/core/feeds/modules/samples/${f.id}.json`);
    for (const [id, doc] of Object.entries(SAMPLES)) assert.equal(f.detect(doc), id === f.id, `${f.id} on a ${id} document`);
    assert.equal(feedSet.detectFormat(SAMPLES[f.id]), f.id);
    const c = feedSet.convertDocument(SAMPLES[f.id], `${f.id}.json`);
    assert.equal(c.format, f.id);
    assert.ok(c.advisories.length + c.cves.length > 0, `${f.id} converts its sample`);
  }
  assert.throws(
    () => feedSet.convertDocument({ hello: 1 }, 'x.json'),
    (e: unknown) => isInputError(e) && e.code === 'VULNDB_FORMAT' && /OSV JSON, NVD CVE API 2\.0 JSON/.test(e.message),
  );
});

test('update sources, their flags and download plans come from the feed modules', () => {
  const sources = feedSet.updateSources();
  assert.deepEqual([...sources.keys()], ['osv', 'alpine', 'debian', 'threat-ips']);
  const flags = [...sources.values()].flatMap((s) => s.options.map((o) => o.flag.split(' ')[0]));
  assert.deepEqual(flags, ['--osv-url', '--osv-ecosystems', '--alpine-secdb-url', '--alpine-branches', '--debian-tracker-url', '--threat-ip-urls']);
  assert.equal(new Set(flags).size, flags.length, 'no flag twice');
  const osv = sources.get('osv')!.plan({});
  const names = osv.map((d) => decodeURIComponent(d.url.split('/').at(-2)!));
  for (const eco of ['Debian', 'Ubuntu', 'Alpine', 'AlmaLinux', 'Rocky Linux', 'npm', 'PyPI', 'Wolfi', 'Chainguard'])
    assert.ok(names.includes(eco), `OSV ${eco} by default`);
  assert.deepEqual(
    sources
      .get('osv')!
      .plan({ url: 'http://127.0.0.1:1/osv/', ecosystems: 'Wolfi,npm' })
      .map((d) => [d.url, d.name]),
    [
      ['http://127.0.0.1:1/osv/Wolfi/all.zip', 'osv-Wolfi.zip'],
      ['http://127.0.0.1:1/osv/npm/all.zip', 'osv-npm.zip'],
    ],
  );
  assert.deepEqual(
    sources
      .get('alpine')!
      .plan({ branches: ['v3.20'] })
      .map((d) => [d.name, !!d.optional]),
    [
      ['alpine-v3.20-main.json', false],
      ['alpine-v3.20-community.json', true],
    ],
  );
  for (const s of sources.values())
    for (const d of s.plan({ ecosystems: ['../../etc'], branches: ['../x'] }))
      assert.doesNotMatch(d.name, /[/\\]/, 'download names stay in the download directory');
});
