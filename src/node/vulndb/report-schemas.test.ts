// The findings this scanner produces, written by the report writers
// (CycloneDX by the report module, SARIF here), validate against the
// official schemas: real scan output, not hand-made samples.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toCycloneDx } from '../../core/report/cyclonedx.js';
import type { ScanReport } from '../../core/scan/types.js';
import { validateCycloneDx } from '../../../test/helpers/schemas.js';
import { DbWriter } from './db.js';
import { importPaths } from './import.js';
import { scanVulnerabilities } from './scan-vulns.js';

test('CycloneDX 1.6 with real vulnerability findings (fixed, ignored, npm and deb) validates', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-cdx-'));
  try {
    const dbPath = join(dir, 'v.db');
    const w = DbWriter.open(dbPath);
    await importPaths(w, [new URL('../../../demo/advisories/', import.meta.url).pathname]);
    w.commit();
    const os = { family: 'debian', version: '12' };
    const packages = [
      { type: 'deb' as const, name: 'libc6', version: '2.36-9+deb12u1', sourceName: 'glibc', arch: 'amd64' },
      { type: 'npm' as const, name: 'minimist', version: '1.2.5', filePath: '/app/node_modules/minimist/package.json' },
      { type: 'npm' as const, name: 'lodash', version: '4.17.20', filePath: '/app/node_modules/lodash/package.json' },
    ];
    const vulnerabilities = await scanVulnerabilities({ packages, os }, { dbPath, ignoreUnfixed: true });
    const i = vulnerabilities.findIndex((v) => v.id === 'CVE-2020-28500');
    vulnerabilities[i] = { ...vulnerabilities[i]!, ignored: true, ignoreReason: 'VEX not_affected: component_not_present' };
    assert.equal(vulnerabilities.length, 4);
    const report: ScanReport = {
      schemaVersion: 1,
      artifact: { name: 'demo', type: 'rootfs', os },
      packages,
      vulnerabilities,
      malware: [],
      secrets: [],
      baseline: [],
      files: [],
    };
    const bom = toCycloneDx(report, {
      now: new Date('2026-01-01T00:00:00Z'),
      serialNumber: 'urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79',
      toolVersion: '0.1.0',
    });
    assert.deepEqual(validateCycloneDx(bom), []);
    assert.equal((bom.vulnerabilities as unknown[]).length, 4);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
