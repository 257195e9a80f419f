import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ScanReport } from '../scan/types.js';
import { toCycloneDx } from './cyclonedx.js';
import { toSpdx } from './spdx.js';
import { toJson } from './json.js';
import { toTable } from './table.js';
import { validateCycloneDx, validateSpdx } from '../../../test/helpers/schemas.js';

const layer = { index: 0, digest: 'sha256:' + 'a'.repeat(64), diffId: 'sha256:' + 'b'.repeat(64), createdBy: 'ADD rootfs.tar.xz /' };

function sample(): ScanReport {
  return {
    schemaVersion: 1,
    artifact: { name: 'demo:1.0', type: 'docker-archive', digest: 'sha256:' + 'c'.repeat(64), os: { family: 'debian', version: '12' } },
    packages: [
      { type: 'deb', name: 'libssl3', version: '3.0.11-1~deb12u2', arch: 'amd64', sourceName: 'openssl', sourceVersion: '3.0.11-1~deb12u2', licenses: ['Apache-2.0'], layer, files: ['/usr/lib/x86_64-linux-gnu/libssl.so.3'] },
      { type: 'deb', name: 'zlib1g', version: '1:1.2.13.dfsg-1', arch: 'amd64', sourceName: 'zlib', licenses: ['Zlib', 'GPL-2+', 'some odd licence'], layer },
      { type: 'npm', name: '@babel/core', version: '7.1.0', filePath: '/app/node_modules/@babel/core/package.json', licenses: ['MIT'] },
    ],
    vulnerabilities: [{
      id: 'CVE-2024-0727', aliases: ['DSA-5639-1'], package: 'libssl3', sourcePackage: 'openssl', type: 'deb', installedVersion: '3.0.11-1~deb12u2',
      fixedVersion: '3.0.13-1~deb12u1', status: 'fixed', severity: 'medium', vendorSeverity: { debian: 'medium' },
      cvss: { nvd: { vector: 'CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:U/C:N/I:N/A:H', score: 5.5, version: '3.1' } },
      title: 'NULL dereference on malformed PKCS12 files', references: ['https://security-tracker.debian.org/tracker/CVE-2024-0727'], layer, ignored: false,
    }, {
      id: 'CVE-2023-45853', aliases: [], package: 'zlib1g', sourcePackage: 'zlib', type: 'deb', installedVersion: '1:1.2.13.dfsg-1',
      fixedVersion: '', status: 'will_not_fix', severity: 'critical', vendorSeverity: {}, cvss: {}, title: 'minizip integer overflow', layer, ignored: true, ignoreReason: 'minizip not shipped',
    }],
    malware: [], secrets: [], baseline: [], files: [],
  };
}

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
  assert.deepEqual(Object.keys(j), ['schemaVersion', 'artifact', 'packages', 'vulnerabilities', 'malware', 'secrets', 'baseline', 'files']);
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
