import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sampleScanReport as sample } from './report.test-helpers.js';
import type { ScanReport } from '../scan/types.js';
import { toCycloneDx } from './cyclonedx.js';
import { toSpdx } from './spdx.js';
import { toJson } from './json.js';
import { toTable } from './table.js';
import { toSarif } from './sarif.js';
import { validateCycloneDx, validateSpdx } from '../../../test/helpers/schemas.js';

const opts = { now: new Date('2026-01-02T03:04:05.678Z'), serialNumber: 'urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79', uniqueId: 'x1', toolVersion: '0.1.0' };

test('CycloneDX 1.6 output validates against the official schema', () => {
  const bom = toCycloneDx(sample(), opts);
  assert.deepEqual(validateCycloneDx(bom), []);
  const comps = bom.components as Array<Record<string, unknown>>;
  assert.equal(comps[0]!.type, 'operating-system');
  assert.equal(comps[1]!.purl, 'pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12');
  const vulns = bom.vulnerabilities as Array<Record<string, any>>;
  assert.equal(vulns.length, 2);
  assert.equal(vulns[0]!.affects[0].ref, comps[1]!['bom-ref']);
  assert.equal(vulns[1]!.analysis.state, 'not_affected');
});

test('CycloneDX validation rejects a broken document (the validator can fail)', () => {
  const bom = toCycloneDx(sample(), opts);
  (bom.components as Array<Record<string, unknown>>)[1]!.type = 'not-a-type';
  assert.notDeepEqual(validateCycloneDx(bom), []);
});

test('SPDX 2.3 output validates and maps licenses to ids or LicenseRefs', () => {
  const doc = toSpdx(sample(), opts);
  assert.deepEqual(validateSpdx(doc), []);
  const pkgs = doc.packages as Array<Record<string, any>>;
  const zlib = pkgs.find((p) => p.name === 'zlib1g')!;
  assert.equal(zlib.licenseDeclared, 'Zlib AND GPL-2.0-or-later AND LicenseRef-some-odd-licence');
  assert.equal(zlib.externalRefs[0].referenceLocator, 'pkg:deb/debian/zlib1g@1.2.13.dfsg-1?arch=amd64&distro=debian-12&epoch=1');
  assert.equal((doc.hasExtractedLicensingInfos as unknown[]).length, 1);
  assert.equal((doc.relationships as unknown[]).length, 1 + 1 + 3);
});

test('JSON report keeps the contract fields and drops owned file lists', () => {
  const j = JSON.parse(toJson(sample()));
  assert.deepEqual(Object.keys(j), ['schemaVersion', 'artifact', 'packages', 'vulnerabilities', 'malware', 'secrets', 'baseline', 'files', 'notices']);
  assert.deepEqual(j.notices, [], 'notices is always there, empty when nothing limits the results');
  assert.equal(j.packages[0].files, undefined);
  assert.equal(j.packages[0].purl, 'pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12');
  assert.equal(j.packages[2].sourceName, '@babel/core');
  assert.equal(j.vulnerabilities[1].ignored, true);
});

test('table groups vulnerabilities, counts fixable and hides ignored ones', () => {
  const t = toTable(sample(), { color: false });
  assert.match(t, /Vulnerabilities: 1 \(CRITICAL: 0, HIGH: 0, MEDIUM: 1, LOW: 0, UNKNOWN: 0\), fixable: 1, ignored: 1/);
  assert.match(t, /│ libssl3 +│ CVE-2024-0727 +│ MEDIUM +│ fixed +│ 3\.0\.11-1~deb12u2 +│ 3\.0\.13-1~deb12u1 /);
  assert.doesNotMatch(t, /CVE-2023-45853/);
  const inv = toTable({ ...sample(), vulnerabilities: [] }, { color: true });
  assert.match(inv, /Packages: 3/);
  assert.match(inv, /\u001b\[1mdemo:1\.0 \(debian 12\)/);
});

test('notices are shown by every report format: table, JSON, SARIF, CycloneDX, SPDX', () => {
  const r: ScanReport = {
    ...sample(),
    artifact: { name: 'cgr:latest', type: 'oci', os: { family: 'photon', version: '5.0' } },
    notices: [
      { kind: 'no-vuln-data', message: 'no vulnerability data for photon 5.0: its 2 OS packages are not matched' },
      { kind: 'package-db-unreadable', message: 'rpm database in NDB format is not read', path: '/var/lib/rpm/Packages.db' },
    ],
  };
  const t = toTable(r, { color: false });
  assert.match(t, /^Notice: no vulnerability data for photon 5\.0: its 2 OS packages are not matched$/m);
  assert.match(t, /^Notice: rpm database in NDB format is not read \(\/var\/lib\/rpm\/Packages\.db\)$/m);
  assert.deepEqual(JSON.parse(toJson(r)).notices, r.notices);
  const sarif: any = toSarif(r);
  const notes = sarif.runs[0].invocations[0].toolExecutionNotifications;
  assert.deepEqual(
    notes.map((n: any) => [n.level, n.descriptor.id, n.message.text]),
    [
      ['warning', 'vigil/no-vuln-data', 'no vulnerability data for photon 5.0: its 2 OS packages are not matched'],
      ['warning', 'vigil/package-db-unreadable', 'rpm database in NDB format is not read'],
    ],
  );
  assert.equal(notes[1].locations[0].physicalLocation.artifactLocation.uri, 'var/lib/rpm/Packages.db');
  const bom = toCycloneDx(r, opts);
  assert.deepEqual(validateCycloneDx(bom), []);
  assert.deepEqual(
    (bom.metadata as any).properties.map((p: any) => p.name),
    ['vigil:notice:no-vuln-data', 'vigil:notice:package-db-unreadable'],
  );
  assert.match((bom.metadata as any).properties[0].value, /no vulnerability data for photon 5\.0/);
  const spdx = toSpdx(r, opts);
  assert.deepEqual(validateSpdx(spdx), []);
  assert.match(
    (spdx.creationInfo as any).comment,
    /^Notice: no vulnerability data for photon 5\.0.*\nNotice: rpm database in NDB format is not read \(\/var\/lib\/rpm\/Packages\.db\)$/,
  );
});
