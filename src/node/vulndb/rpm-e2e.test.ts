// RPM distributions end to end: the rpm analyzer on a real rpmdb.sqlite
// fixture (built by rpm), OSV records in the Rocky Linux / AlmaLinux format,
// the DB, and the scanner: matching by binary or source RPM within the major release.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rpmAnalyzer } from '../../core/analyzers/rpm.js';
import { runAnalyzer } from '../../core/analyzers/test-harness.js';
import { nodeAnalyzerContext } from '../analyzers/context.js';
import { DbWriter } from './db.js';
import { importPaths } from './import.js';
import { scanVulnerabilities } from './scan-vulns.js';

const fixture = readFileSync(new URL('../../core/analyzers/testdata/rpm/sqlite/rpmdb.sqlite', import.meta.url));

const rlsa = (id: string, eco: string, name: string, fixed: string, cve: string) =>
  JSON.stringify({
    schema_version: '1.6.0',
    id,
    modified: '2024-03-01T00:00:00Z',
    aliases: [cve],
    summary: `Moderate: ${name} security update`,
    affected: [
      {
        package: { ecosystem: eco, name },
        ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed }] }],
        ecosystem_specific: { severity: 'Moderate' },
      },
    ],
  });

test('rpm: Rocky Linux and AlmaLinux OSV advisories match the packages of a real rpmdb', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-rpm-'));
  try {
    writeFileSync(join(dir, 'RLSA-2024-0001.json'), rlsa('RLSA-2024:0001', 'Rocky Linux:9', 'vigil-hello', '1.2.3-5.el9', 'CVE-2024-11111'));
    writeFileSync(join(dir, 'RLSA-2024-0002.json'), rlsa('RLSA-2024:0002', 'Rocky Linux:9', 'vigil-hello', '1.2.3-4.el9', 'CVE-2024-22222'));
    writeFileSync(join(dir, 'RLSA-2024-0003.json'), rlsa('RLSA-2024:0003', 'Rocky Linux:8', 'vigil-hello', '1.2.3-9.el8', 'CVE-2024-33333'));
    writeFileSync(join(dir, 'ALSA-2024-0004.json'), rlsa('ALSA-2024:0004', 'AlmaLinux:9', 'vigil-tools', '3.1-8.el9', 'CVE-2024-44444'));
    writeFileSync(join(dir, 'RLSA-2024-0005.json'), rlsa('RLSA-2024:0005', 'Rocky Linux:9', 'vigil-epoch', '1:9.0-1.fc40', 'CVE-2024-55555'));
    const dbPath = join(dir, 'v.db');
    const w = DbWriter.open(dbPath);
    await importPaths(w, [dir]);
    w.commit();
    const packages = (await runAnalyzer(rpmAnalyzer, [{ '/var/lib/rpm/rpmdb.sqlite': fixture }], { ctx: nodeAnalyzerContext() })).packages ?? [];
    assert.ok(packages.some((p) => p.name === 'vigil-hello' && p.version === '1.2.3-4.el9'));

    const rocky = await scanVulnerabilities({ packages, os: { family: 'rocky', version: '9.3' } }, { dbPath });
    // vigil-hello 1.2.3-4.el9: below 1.2.3-5.el9, at 1.2.3-4.el9, Rocky 8 advisory not applied; vigil-epoch 2:0.9 above 1:9.0.
    assert.deepEqual(
      rocky.map((f) => `${f.package} ${f.installedVersion} ${f.id} ${f.fixedVersion} ${f.severity}`),
      ['vigil-hello 1.2.3-4.el9 CVE-2024-11111 1.2.3-5.el9 medium'],
    );
    assert.deepEqual(rocky[0]!.aliases, ['RLSA-2024:0001']);

    // AlmaLinux names the source RPM (vigil-tools), which libvigil and vigil-tools both come from.
    const alma = await scanVulnerabilities({ packages, os: { family: 'almalinux', version: '9.4' } }, { dbPath });
    assert.deepEqual(
      alma.map((f) => `${f.package} ${f.sourcePackage} ${f.id} ${f.fixedVersion}`),
      ['libvigil vigil-tools CVE-2024-44444 3.1-8.el9', 'vigil-tools vigil-tools CVE-2024-44444 3.1-8.el9'],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
