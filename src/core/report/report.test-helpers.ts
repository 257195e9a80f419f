// The sample scan report of the report-format tests (src/core/report and the
// CLI's format index): a Debian image with a fixed and an ignored
// vulnerability, an npm package, owned files and licences that do and do not
// map to SPDX ids.
import type { ScanReport } from '../scan/types.js';

const layer = { index: 0, digest: 'sha256:' + 'a'.repeat(64), diffId: 'sha256:' + 'b'.repeat(64), createdBy: 'ADD rootfs.tar.xz /' };

export function sampleScanReport(): ScanReport {
  return {
    schemaVersion: 1,
    artifact: { name: 'demo:1.0', type: 'docker-archive', digest: 'sha256:' + 'c'.repeat(64), os: { family: 'debian', version: '12' } },
    packages: [
      {
        type: 'deb',
        name: 'libssl3',
        version: '3.0.11-1~deb12u2',
        arch: 'amd64',
        sourceName: 'openssl',
        sourceVersion: '3.0.11-1~deb12u2',
        licenses: ['Apache-2.0'],
        layer,
        files: ['/usr/lib/x86_64-linux-gnu/libssl.so.3'],
      },
      { type: 'deb', name: 'zlib1g', version: '1:1.2.13.dfsg-1', arch: 'amd64', sourceName: 'zlib', licenses: ['Zlib', 'GPL-2+', 'some odd licence'], layer },
      { type: 'npm', name: '@babel/core', version: '7.1.0', filePath: '/app/node_modules/@babel/core/package.json', licenses: ['MIT'] },
    ],
    vulnerabilities: [
      {
        id: 'CVE-2024-0727',
        aliases: ['DSA-5639-1'],
        package: 'libssl3',
        sourcePackage: 'openssl',
        type: 'deb',
        installedVersion: '3.0.11-1~deb12u2',
        fixedVersion: '3.0.13-1~deb12u1',
        status: 'fixed',
        severity: 'medium',
        vendorSeverity: { debian: 'medium' },
        cvss: { nvd: { vector: 'CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:U/C:N/I:N/A:H', score: 5.5, version: '3.1' } },
        title: 'NULL dereference on malformed PKCS12 files',
        references: ['https://security-tracker.debian.org/tracker/CVE-2024-0727'],
        layer,
        ignored: false,
      },
      {
        id: 'CVE-2023-45853',
        aliases: [],
        package: 'zlib1g',
        sourcePackage: 'zlib',
        type: 'deb',
        installedVersion: '1:1.2.13.dfsg-1',
        fixedVersion: '',
        status: 'will_not_fix',
        severity: 'critical',
        vendorSeverity: {},
        cvss: {},
        title: 'minizip integer overflow',
        layer,
        ignored: true,
        ignoreReason: 'minizip not shipped',
      },
    ],
    malware: [],
    secrets: [],
    baseline: [],
    files: [],
  };
}
