// Every analyzer's `claims` (the name pre-filter of src/core/analyzers/claims.ts)
// must cover its `required`: asked through the index, each analyzer gives the
// same answer as its own `required`, over the paths of a real Debian root
// filesystem, the repository's analyzer test data and names chosen to sit
// at the edges of the analyzers' rules.
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ClaimIndex } from '../../core/analyzers/claims.js';
import type { Analyzer } from '../../core/analyzers/types.js';
import type { FileEntry } from '../../core/inventory/types.js';
import { defaultAnalyzers } from './index.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const ROOTFS = process.env.VIGIL_TEST_DEBIAN_ROOTFS ?? '/var/cache/vigil-ci/bookworm-minbase';

function walk(root: string, rel: string, out: string[]): void {
  for (const d of readdirSync(root + rel, { withFileTypes: true })) {
    const p = `${rel}/${d.name}`;
    out.push(p);
    if (d.isDirectory()) walk(root, p, out);
  }
}

const EDGE_NAMES = [
  '/var/lib/dpkg/status',
  '/var/lib/dpkg/status.d/base',
  '/var/lib/dpkg/info/libc6:amd64.list',
  '/usr/share/doc/libc6/copyright',
  '/usr/share/doc/copyright',
  '/lib/apk/db/installed',
  '/usr/lib/apk/db/installed',
  '/var/lib/rpm/rpmdb.sqlite',
  '/usr/lib/sysimage/rpm/Packages',
  '/var/lib/rpm/Packages.db',
  '/etc/os-release',
  '/usr/lib/os-release',
  '/usr/lib/os.release.d/os-release-fedora',
  '/etc/debian_version',
  '/etc/alpine-release',
  '/etc/redhat-release',
  '/etc/centos-release',
  '/app/package.json',
  '/app/package-lock.json',
  '/app/node_modules/a/package.json',
  '/app/node_modules/@s/b/package.json',
  '/app/node_modules/a/node_modules/c/package.json',
  '/app/yarn.lock',
  '/app/pnpm-lock.yaml',
  '/app/node_modules/x/yarn.lock',
  '/opt/lib/a.jar',
  '/opt/lib/A.JAR',
  '/opt/app.war',
  '/opt/app.ear',
  '/opt/x.par',
  '/opt/plugin.jpi',
  '/opt/plugin.hpi',
  '/opt/lib/notajar',
  '/srv/composer.lock',
  '/srv/vendor/composer/installed.json',
  '/srv/vendor/x/composer.lock',
  '/venv/lib/python3.11/site-packages/requests-2.31.0.dist-info/METADATA',
  '/venv/lib/python3.11/site-packages/six-1.16.0.egg-info/PKG-INFO',
  '/venv/lib/python3.11/site-packages/six-1.16.0.egg-info',
  '/venv/lib/python3.11/site-packages/x-1.0-py3.11.egg',
  '/venv/lib/python3.11/site-packages/x-1.0-py3.11.egg/EGG-INFO/PKG-INFO',
  '/usr/lib/python3/dist-packages/.dist-info/METADATA',
  '/app/poetry.lock',
  '/app/Pipfile.lock',
  '/app/uv.lock',
  '/app/requirements.txt',
  '/app/requirements-dev.txt',
  '/app/requirements.in',
  '/usr/lib/ruby/gems/3.1.0/specifications/rack-2.2.4.gemspec',
  '/usr/lib/ruby/gems/3.1.0/specifications/default/json-2.6.1.gemspec',
  '/app/Gemfile.lock',
  '/usr/lib/ruby/gems/3.1.0/gems/rack-2.2.4/Gemfile.lock',
  '/src/go.mod',
  '/src/go.sum',
  '/src/Cargo.lock',
  '/app/App.deps.json',
  '/app/packages.lock.json',
  '/usr/local/bin/app',
  '/.wh.etc',
  '/x',
];

function corpus(): string[] {
  const paths = [...EDGE_NAMES];
  if (existsSync(ROOTFS)) walk(ROOTFS, '', paths);
  const testdata = join(REPO, 'src/core/analyzers/testdata');
  const rel: string[] = [];
  walk(testdata, '', rel);
  // The test data as if it were a tree in an image, and under a project directory.
  for (const p of rel) paths.push(p, `/app${p}`);
  return paths;
}

const VARIANTS: Array<Omit<FileEntry, 'path'>> = [
  { kind: 'file', mode: 0o644, size: 1000, uid: 0, gid: 0, layer: 0 },
  { kind: 'file', mode: 0o755, size: 100_000, uid: 0, gid: 0, layer: 0 },
  { kind: 'file', mode: 0o4711, size: 64, uid: 0, gid: 0, layer: 0 },
  { kind: 'hardlink', mode: 0o644, size: 1000, uid: 0, gid: 0, layer: 0, linkTarget: '/x' },
  { kind: 'symlink', mode: 0o777, size: 0, uid: 0, gid: 0, layer: 0, linkTarget: 'x' },
];

function mismatches(a: Analyzer, paths: readonly string[]): string[] {
  const index = new ClaimIndex([a]);
  const out: string[] = [];
  for (const path of paths) {
    for (const v of VARIANTS) {
      const entry: FileEntry = { ...v, path };
      if (a.required(path, entry) !== index.wants(path, entry)) out.push(`${v.kind} ${v.mode.toString(8)} ${path}`);
    }
  }
  return out;
}

test("every analyzer's claims cover its required, on real and edge paths", async () => {
  const paths = corpus();
  assert.ok(paths.length > 6000, `corpus of ${paths.length} paths`);
  const analyzers = await defaultAnalyzers();
  assert.ok(analyzers.length >= 17);
  let claimed = 0;
  for (const a of analyzers) {
    if (!a.claims) continue;
    claimed++;
    assert.deepEqual(mismatches(a, paths).slice(0, 5), [], `${a.id}: claims and required disagree`);
  }
  // Every built-in analyzer declares claims (an analyzer without is asked about every entry).
  assert.equal(claimed, analyzers.length);
});

test('a claim that misses what required takes is caught; an analyzer without claims sees every entry', () => {
  const required = (path: string, e: FileEntry): boolean => e.kind === 'file' && path.endsWith('/Cargo.lock');
  const narrow: Analyzer = { id: 'narrow', version: 1, kind: 'package', claims: { names: ['cargo.lock'] }, required, analyze: () => ({}) };
  assert.deepEqual(mismatches(narrow, ['/src/Cargo.lock', '/src/cargo.lock']), [
    'file 644 /src/Cargo.lock',
    'file 755 /src/Cargo.lock',
    'file 4711 /src/Cargo.lock',
  ]);
  const open: Analyzer = { id: 'open', version: 1, kind: 'package', required, analyze: () => ({}) };
  assert.deepEqual(mismatches(open, ['/src/Cargo.lock', '/src/cargo.lock']), []);
});

test('claimers lists the analyzers that require an entry in index order, once each', () => {
  const mk = (id: string, claims: Analyzer['claims'], required: (p: string) => boolean): Analyzer => ({
    id,
    version: 1,
    kind: 'package',
    ...(claims ? { claims } : {}),
    required: (p) => required(p),
    analyze: () => ({}),
  });
  const json = mk('json', { suffixes: ['.json'], names: ['package.json'] }, (p) => p.endsWith('.json'));
  const any = mk('any', undefined, (p) => p.startsWith('/app/'));
  const bin = mk('bin', { executables: true }, () => true);
  const index = new ClaimIndex([json, any, bin]);
  const file = (mode: number): FileEntry => ({ path: '', kind: 'file', mode, size: 10, uid: 0, gid: 0, layer: 0 });
  assert.deepEqual(
    index.claimers('/app/package.json', file(0o755)).map((a) => a.id),
    ['json', 'any', 'bin'],
  );
  assert.deepEqual(
    index.claimers('/etc/PACKAGE.JSON', file(0o644)).map((a) => a.id),
    [],
  );
  assert.deepEqual(
    index.claimers('/etc/x.JSON', file(0o644)).map((a) => a.id),
    [],
  );
  assert.equal(index.wants('/etc/a.json', file(0o644)), true);
  assert.equal(index.wants('/etc/a.txt', file(0o644)), false);
  assert.equal(index.wants('/etc/a.txt', file(0o700)), true);
  assert.throws(() => new ClaimIndex([mk('bad', { suffixes: ['json'] }, () => false)]), /has no dot/);
});
