import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { InputError } from '../errors.js';
import { convertAlpineSecdb } from './alpine-secdb.js';
import { convertDebianTracker } from './debian-tracker.js';
import { FeedSet } from '../feeds/index.js';
import debianTrackerFeed from '../feeds/modules/debian-tracker.js';
import { convertNvd } from './nvd.js';

const feedSet = new FeedSet([debianTrackerFeed]);

test('Debian tracker: real-shaped records convert per release', () => {
  const doc = {
    glibc: {
      'CVE-2023-4911': {
        description: 'ld.so GLIBC_TUNABLES buffer overflow',
        scope: 'local',
        releases: {
          bookworm: { status: 'resolved', repositories: { bookworm: '2.36-9+deb12u13' }, fixed_version: '2.36-9+deb12u3', urgency: 'not yet assigned' },
          bullseye: { status: 'resolved', repositories: { bullseye: '2.31-13+deb11u11' }, fixed_version: '2.31-13+deb11u7', urgency: 'not yet assigned' },
          trixie: { status: 'resolved', repositories: { trixie: '2.41-12' }, fixed_version: '2.37-12', urgency: 'not yet assigned' },
          sid: { status: 'resolved', repositories: { sid: '2.41-12' }, fixed_version: '2.37-12', urgency: 'not yet assigned' },
        },
      },
    },
  };
  const [a] = convertDebianTracker(doc, 't.json');
  assert.equal(a!.id, 'CVE-2023-4911');
  assert.deepEqual(
    a!.affected.map((x) => `${x.ecosystem} ${JSON.stringify(x.ranges[0]!.events)}`),
    [
      'Debian:12 [{"introduced":"0"},{"fixed":"2.36-9+deb12u3"}]',
      'Debian:11 [{"introduced":"0"},{"fixed":"2.31-13+deb11u7"}]',
      'Debian:13 [{"introduced":"0"},{"fixed":"2.37-12"}]',
    ],
  );
  assert.equal(feedSet.convertDocument(doc, 't.json').format, 'debian-tracker');
  assert.throws(
    () => convertDebianTracker({ glibc: { 'CVE-1': { releases: 5 } } }, 't.json'),
    (e: unknown) => e instanceof InputError && e.code === 'DEBIAN_TRACKER_INVALID',
  );
  assert.throws(() => convertDebianTracker({ glibc: 'x' }, 't.json'), InputError);
});

test('Alpine secdb: secfixes to ranges; bad documents rejected', () => {
  const doc = {
    apkurl: '{{urlprefix}}/{{distroversion}}/{{reponame}}/{{arch}}/{{pkg.name}}-{{pkg.ver}}.apk',
    archs: ['x86_64'],
    reponame: 'main',
    urlprefix: 'https://dl-cdn.alpinelinux.org/alpine',
    distroversion: 'v3.19',
    packages: [{ pkg: { name: 'curl', secfixes: { '8.5.0-r0': ['CVE-2023-46218', 'CVE-2023-46219'], '0': ['CVE-2023-42915'] } } }, { pkg: { name: 'zlib' } }],
  };
  const a = convertAlpineSecdb(doc, 'main.json');
  assert.deepEqual(
    a.map((x) => `${x.id} ${x.affected[0]!.ecosystem} ${JSON.stringify(x.affected[0]!.ranges[0]!.events)}`),
    ['CVE-2023-46218 Alpine:v3.19 [{"introduced":"0"},{"fixed":"8.5.0-r0"}]', 'CVE-2023-46219 Alpine:v3.19 [{"introduced":"0"},{"fixed":"8.5.0-r0"}]'],
  );
  for (const bad of [
    { distroversion: '3.19', packages: [] },
    { distroversion: 'v3.19', packages: [{}] },
    { distroversion: 'v3.19', packages: [{ pkg: { name: 'a', secfixes: { '1-r0': 'CVE-1' } } }] },
  ]) {
    assert.throws(
      () => convertAlpineSecdb(bad, 'main.json'),
      (e: unknown) => e instanceof InputError && e.code === 'ALPINE_SECDB_INVALID',
    );
  }
});

test('NVD API 2.0: primary CVSS, severity and description; rejected CVEs skipped', () => {
  const doc = JSON.parse(readFileSync(new URL('../../../demo/advisories/nvd/nvd-cves.json', import.meta.url), 'utf8'));
  doc.vulnerabilities.push({ cve: { id: 'CVE-2020-0001', vulnStatus: 'Rejected', descriptions: [] } });
  doc.vulnerabilities.push({
    cve: {
      id: 'CVE-2015-0001',
      metrics: {
        cvssMetricV2: [
          {
            source: 'nvd@nist.gov',
            type: 'Primary',
            cvssData: { version: '2.0', vectorString: 'AV:N/AC:L/Au:N/C:P/I:P/A:P', baseScore: 7.5 },
            baseSeverity: 'HIGH',
          },
        ],
      },
    },
  });
  const c = convertNvd(doc, 'nvd.json');
  assert.equal(c.length, 6);
  assert.deepEqual(c[0], {
    id: 'CVE-2023-4911',
    source: 'nvd',
    severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H' }],
    scores: { CVSS_V3: 7.8 },
    vendorSeverity: 'high',
    description: c[0]!.description,
    published: '2023-10-03T18:15:09.747',
    modified: '2023-10-03T18:15:09.747',
  });
  assert.equal(c[5]!.vendorSeverity, 'high');
  assert.throws(
    () => convertNvd({ vulnerabilities: [{}], resultsPerPage: 1 }, 'nvd.json'),
    (e: unknown) => e instanceof InputError && e.code === 'NVD_INVALID',
  );
});
