import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { dpkgAnalyzer } from '../../core/analyzers/dpkg.js';
import { npmAnalyzer } from '../../core/analyzers/npm.js';
import { osReleaseAnalyzer } from '../../core/analyzers/os-release.js';
import { runAnalyzer, type HarnessLayer } from '../../core/analyzers/test-harness.js';
import { InputError } from '../../core/errors.js';
import type { OsInfo, Package } from '../../core/inventory/types.js';
import { DbWriter } from './db.js';
import { importPaths } from './import.js';
import { defaultDbPath, scanVulnerabilities } from './scan-vulns.js';

const ROOT = new URL('../../../demo/', import.meta.url).pathname;

/** The demo image's files as one layer, analysed by the real OS, dpkg and npm analyzers. */
async function demoPackages(): Promise<{ os: OsInfo; packages: Package[] }> {
  const layer: HarnessLayer = {};
  const walk = (d: string): void => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else layer[`/${relative(join(ROOT, 'rootfs'), p)}`] = readFileSync(p);
    }
  };
  walk(join(ROOT, 'rootfs'));
  const os = (await runAnalyzer(osReleaseAnalyzer, [layer])).os!;
  const packages = [
    ...((await runAnalyzer(dpkgAnalyzer, [layer], { os })).packages ?? []),
    ...((await runAnalyzer(npmAnalyzer, [layer], { os })).packages ?? []),
  ];
  return { os, packages };
}

async function demoDb(dir: string): Promise<string> {
  const path = join(dir, 'demo.db');
  const w = DbWriter.open(path);
  await importPaths(w, [join(ROOT, 'advisories')]);
  w.commit();
  return path;
}

const line = (f: { package: string; installedVersion: string; id: string; fixedVersion: string; severity: string }) =>
  `${f.package} ${f.installedVersion} ${f.id} ${f.fixedVersion} ${f.severity}`;

test('scan: the demo image reports exactly the demo advisories, with fixed versions and severities', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-scan-'));
  try {
    const dbPath = await demoDb(dir);
    const input = await demoPackages();
    assert.deepEqual(input.os, { ...input.os, family: 'debian', version: '12' });
    const f = await scanVulnerabilities(input, { dbPath });
    assert.deepEqual(f.map(line), [
      'libc-bin 2.36-9+deb12u1 CVE-2023-4911 2.36-9+deb12u3 high',
      'libc6 2.36-9+deb12u1 CVE-2023-4911 2.36-9+deb12u3 high',
      'libexpat1 2.5.0-1 CVE-2024-45490 2.5.0-1+deb12u1 critical',
      'libexpat1 2.5.0-1 CVE-2024-45491 2.5.0-1+deb12u1 critical',
      'libexpat1 2.5.0-1 CVE-2024-45492 2.5.0-1+deb12u1 critical',
      'libssl3 3.0.9-1 CVE-2023-5363 3.0.11-1~deb12u2 high',
      'lodash 4.17.20 CVE-2020-28500 4.17.21 medium',
      'lodash 4.17.20 CVE-2021-23337 4.17.21 high',
      'minimist 1.2.5 CVE-2021-44906 1.2.6 critical',
      'openssl 3.0.9-1 CVE-2023-5363 3.0.11-1~deb12u2 high',
    ]);
    const libc = f.find((x) => x.package === 'libc6')!;
    assert.equal(libc.sourcePackage, 'glibc');
    assert.equal(libc.type, 'deb');
    assert.deepEqual(libc.aliases, ['DSA-5514-1']);
    assert.equal(libc.cvss.nvd?.vector, 'CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H');
    assert.equal(libc.layer?.index, 0);
    assert.equal(f.find((x) => x.package === 'minimist')!.pkgPath, '/usr/src/app/node_modules/minimist/package.json');

    // Packages at the fix: nothing. Another Debian release: only the npm findings remain.
    const upgraded = input.packages.map((p) =>
      p.type === 'deb' && p.name === 'libc6' ? { ...p, version: '2.36-9+deb12u3', sourceVersion: '2.36-9+deb12u3' } : p,
    );
    assert.ok(!(await scanVulnerabilities({ ...input, packages: upgraded }, { dbPath })).some((x) => x.package === 'libc6'));
    const on11 = await scanVulnerabilities({ ...input, os: { family: 'debian', version: '11' } }, { dbPath });
    assert.deepEqual([...new Set(on11.map((x) => x.type))], ['npm']);

    // Ignore file, VEX and --ignore-unfixed mark what they name and nothing else.
    writeFileSync(join(dir, '.vigilignore'), 'CVE-2023-5363 pkg:deb/debian/openssl # CLI not used\nCVE-2021-44906 exp:2020-01-01\n');
    writeFileSync(
      join(dir, 'vex.json'),
      JSON.stringify({
        '@context': 'https://openvex.dev/ns/v0.2.0',
        '@id': 'x',
        author: 'a',
        timestamp: '2026-01-01T00:00:00Z',
        version: 1,
        statements: [
          {
            vulnerability: { name: 'GHSA-29mw-wpgm-hmr9' },
            products: [{ '@id': 'demo-image:latest', subcomponents: [{ '@id': 'pkg:npm/lodash@4.17.20' }] }],
            status: 'not_affected',
            justification: 'vulnerable_code_cannot_be_controlled_by_adversary',
          },
        ],
      }),
    );
    const g = await scanVulnerabilities(input, {
      dbPath,
      ignoreFile: join(dir, '.vigilignore'),
      vexFile: join(dir, 'vex.json'),
      artifactName: 'demo-image',
      ignoreUnfixed: true,
      now: new Date('2026-06-01T00:00:00Z'),
    });
    assert.deepEqual(
      g.filter((x) => x.ignored).map((x) => `${x.package} ${x.id} ${x.ignoreReason}`),
      ['lodash CVE-2020-28500 VEX not_affected: vulnerable_code_cannot_be_controlled_by_adversary', 'openssl CVE-2023-5363 ignore file: CLI not used'],
    );
    assert.equal(g.length, 10);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('scan: no DB, bad policy files and the default DB path', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-scan-'));
  try {
    await assert.rejects(
      scanVulnerabilities({ packages: [] }, { dbPath: join(dir, 'none.db') }),
      (e: unknown) => e instanceof InputError && e.code === 'VULNDB_MISSING' && /vigil db update/.test(e.message) && /vigil db import/.test(e.message),
    );
    const dbPath = await demoDb(dir);
    writeFileSync(join(dir, 'bad.json'), '{');
    await assert.rejects(
      scanVulnerabilities({ packages: [] }, { dbPath, vexFile: join(dir, 'bad.json') }),
      (e: unknown) => e instanceof InputError && e.code === 'VEX_INVALID',
    );
    await assert.rejects(
      scanVulnerabilities({ packages: [] }, { dbPath, ignoreFile: join(dir, 'missing') }),
      (e: unknown) => e instanceof InputError && e.code === 'IGNORE_FILE_MISSING',
    );
    assert.equal(defaultDbPath({ VIGIL_DB: '/x/y.db' }), '/x/y.db');
    assert.equal(defaultDbPath({ XDG_CACHE_HOME: '/c' }), '/c/vigil/db/vigil.db');
    assert.match(defaultDbPath({ HOME: '/h' }), /\/\.cache\/vigil\/db\/vigil\.db$/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
