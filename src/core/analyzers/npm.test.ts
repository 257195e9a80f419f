import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { isInstalledPackageJson, npmAnalyzer } from './npm.js';
import { runAnalyzer, type HarnessLayer } from './test-harness.js';
import type { Advisory } from '../vulndb/advisory.js';
import type { Package } from '../inventory/types.js';
import { matchPackages } from '../vulndb/match.js';
import { memoryDb } from '../vulndb/match.test.js';
import { parseOsv } from '../vulndb/osv.js';

const entry = { path: '/x', kind: 'file' as const, mode: 0o644, size: 100, uid: 0, gid: 0, layer: 0 };

test('npm: required claims only package.json files of installed packages and lockfiles', () => {
  const yes = [
    '/app/node_modules/lodash/package.json',
    '/app/node_modules/@babel/core/package.json',
    '/usr/lib/node_modules/npm/node_modules/semver/package.json',
    '/app/package-lock.json',
  ];
  const no = [
    '/app/package.json',
    '/app/node_modules/lodash/test/package.json',
    '/app/node_modules/lodash/fp/package.json.bak',
    '/app/node_modules/@babel/package.json',
    '/app/node_modules/.bin/package.json',
    '/app/node_modules/x/package-lock.json',
    '/app/node_modules/x/fixtures/a/package.json',
  ];
  for (const p of yes) assert.ok(npmAnalyzer.required(p, entry), p);
  for (const p of no) assert.ok(!npmAnalyzer.required(p, entry), p);
  assert.ok(!npmAnalyzer.required('/app/node_modules/big/package.json', { ...entry, size: 50 * 1024 * 1024 }));
  assert.ok(isInstalledPackageJson('/node_modules/a/package.json'));
});

test('npm: installed packages, lockfile v3 declared-only packages, broken files skipped', async () => {
  const layer: HarnessLayer = {
    '/app/node_modules/lodash/package.json': JSON.stringify({ name: 'lodash', version: '4.17.20', license: 'MIT' }),
    '/app/node_modules/@scope/x/package.json': JSON.stringify({ name: '@scope/x', version: '1.0.0', licenses: [{ type: 'ISC' }] }),
    '/app/node_modules/broken/package.json': '{ not json',
    '/app/node_modules/noversion/package.json': JSON.stringify({ name: 'noversion' }),
    '/app/package-lock.json': JSON.stringify({
      lockfileVersion: 3,
      packages: {
        '': { name: 'app' },
        'node_modules/lodash': { version: '4.17.20' },
        'node_modules/minimist': { version: '1.2.5' },
        'node_modules/a/node_modules/minimist': { version: '0.0.8' },
        'node_modules/linked': { link: true, resolved: '../linked' },
      },
    }),
  };
  const r = await runAnalyzer(npmAnalyzer, [layer]);
  const got = (r.packages ?? []).map((p) => `${p.name}@${p.version}${p.declared ? ' declared' : ''} ${p.filePath}`).sort();
  assert.deepEqual(got, [
    '@scope/x@1.0.0 /app/node_modules/@scope/x/package.json',
    'lodash@4.17.20 /app/node_modules/lodash/package.json',
    'minimist@0.0.8 declared /app/package-lock.json',
    'minimist@1.2.5 declared /app/package-lock.json',
  ]);
  assert.deepEqual(r.packages?.find((p) => p.name === '@scope/x')?.licenses, ['ISC']);
});

test('npm: lockfile v1 nested dependencies', async () => {
  const r = await runAnalyzer(npmAnalyzer, [
    {
      '/srv/package-lock.json': JSON.stringify({
        lockfileVersion: 1,
        dependencies: {
          express: { version: '4.17.1', dependencies: { qs: { version: '6.7.0' } } },
          gitdep: { version: 'git+https://example.invalid/x.git#abc' },
        },
      }),
    },
  ]);
  assert.deepEqual((r.packages ?? []).map((p) => `${p.name}@${p.version}`).sort(), ['express@4.17.1', 'qs@6.7.0']);
});

// A real `npm install` of old versions, read back through the analyzer.
test('npm: real npm install tree', { timeout: 180_000 }, async (t) => {
  const npmOk = spawnSync('npm', ['--version'], { encoding: 'utf8' }).status === 0;
  if (!npmOk) return t.skip('npm is not installed');
  const dir = mkdtempSync(join(tmpdir(), 'vigil-npm-'));
  try {
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'fixture', version: '1.0.0', private: true }));
    const r = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error', 'minimist@1.2.5', 'ms@2.0.0'], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 170_000,
    });
    assert.equal(r.status, 0, r.stderr);
    const layer: HarnessLayer = {};
    const walk = (d: string): void => {
      for (const n of readdirSync(d)) {
        const p = join(d, n);
        if (statSync(p).isDirectory()) walk(p);
        else {
          const abs = `/app/${relative(dir, p)}`;
          if (npmAnalyzer.required(abs, { ...entry, size: statSync(p).size })) layer[abs] = readFileSync(p);
        }
      }
    };
    walk(dir);
    const res = await runAnalyzer(npmAnalyzer, [layer]);
    const got = (res.packages ?? []).map((p) => `${p.name}@${p.version}${p.declared ? ' declared' : ''}`).sort();
    assert.deepEqual(got, ['minimist@1.2.5', 'ms@2.0.0']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('npm: one package per name@version with all its paths; a lockfile-only package gets no vulnerability, an installed one does', async () => {
  const ms = JSON.stringify({ name: 'ms', version: '2.0.0' });
  const r = await runAnalyzer(npmAnalyzer, [
    {
      '/app/node_modules/ms/package.json': ms,
      '/app/node_modules/debug/node_modules/ms/package.json': ms,
      '/app/package-lock.json': JSON.stringify({
        lockfileVersion: 3,
        packages: {
          '': { name: 'app' },
          'node_modules/ms': { version: '2.0.0', dev: true },
          'node_modules/debug/node_modules/ms': { version: '2.0.0', dev: true },
          'node_modules/fsevents': { version: '2.3.2', optional: true, os: ['darwin'] },
          'node_modules/chokidar/node_modules/fsevents': { version: '2.3.2', optional: true, os: ['darwin'] },
        },
      }),
    },
  ]);
  const pkgs = r.packages ?? [];
  const flags = (p: Package): string => `${p.declared ? ' declared' : ''}${p.dev ? ' dev' : ''}${p.optional ? ' optional' : ''}`;
  assert.deepEqual(pkgs.map((p) => `${p.name}@${p.version}${flags(p)} ${p.files?.join(',')}`).sort(), [
    'fsevents@2.3.2 declared optional /app/package-lock.json',
    'ms@2.0.0 dev /app/node_modules/ms/package.json,/app/node_modules/debug/node_modules/ms/package.json',
  ]);
  const osv = (id: string, name: string, fixed: string): Advisory =>
    parseOsv(
      { id, summary: id, affected: [{ package: { ecosystem: 'npm', name }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed }] }] }] },
      id,
    );
  const findings = matchPackages(pkgs, undefined, memoryDb([osv('GHSA-ms', 'ms', '2.0.1'), osv('GHSA-fsevents', 'fsevents', '2.3.3')]));
  assert.deepEqual(
    findings.map((f) => `${f.id} ${f.package}`),
    ['GHSA-ms ms'],
  );
});
