import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { isInputError } from '../errors.js';
import { convertDocument, detectFormat, feeds, updateSources } from './index.js';

const DEMO = new URL('../../../demo/advisories/', import.meta.url);
const json = (p: string): unknown => JSON.parse(readFileSync(new URL(p, DEMO), 'utf8'));

/** One real-shaped document per feed; each must be detected by its own feed only. */
const SAMPLES: Record<string, unknown> = {
  osv: json('debian/DSA-5514-1.json'),
  nvd: json('nvd/nvd-cves.json'),
  'alpine-secdb': {
    distroversion: 'v3.19',
    reponame: 'main',
    archs: ['x86_64'],
    packages: [{ pkg: { name: 'openssl', secfixes: { '3.1.4-r0': ['CVE-2023-5363'] } } }],
  },
  'debian-tracker': { glibc: { 'CVE-2023-4911': { releases: { bookworm: { status: 'resolved', fixed_version: '2.36-9+deb12u3', urgency: 'high' } } } } },
};

test('every feed detects its own format and no other', () => {
  assert.deepEqual(
    feeds.all().map((f) => f.id),
    ['alpine-secdb', 'debian-tracker', 'nvd', 'osv'],
  );
  for (const f of feeds.all()) {
    assert.ok(SAMPLES[f.id], `a sample for ${f.id}`);
    for (const [id, doc] of Object.entries(SAMPLES)) assert.equal(f.detect(doc), id === f.id, `${f.id} on a ${id} document`);
    assert.equal(detectFormat(SAMPLES[f.id]), f.id);
    const c = convertDocument(SAMPLES[f.id], `${f.id}.json`);
    assert.equal(c.format, f.id);
    assert.ok(c.advisories.length + c.cves.length > 0, `${f.id} converts its sample`);
  }
  assert.throws(
    () => convertDocument({ hello: 1 }, 'x.json'),
    (e: unknown) => isInputError(e) && e.code === 'VULNDB_FORMAT' && /OSV JSON, NVD CVE API 2\.0 JSON/.test(e.message),
  );
});

test('update sources, their flags and download plans come from the feed modules', () => {
  const sources = updateSources();
  assert.deepEqual([...sources.keys()], ['osv', 'alpine', 'debian']);
  const flags = [...sources.values()].flatMap((s) => s.options.map((o) => o.flag.split(' ')[0]));
  assert.deepEqual(flags, ['--osv-url', '--osv-ecosystems', '--alpine-secdb-url', '--alpine-branches', '--debian-tracker-url']);
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
