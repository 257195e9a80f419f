// End to end through the CLI: the demo image (built by the same script the
// README's main command uses), a DB imported from demo/advisories, and the
// scan/sbom formats, filters and exit codes users rely on.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateCycloneDx, validateSpdx } from '../helpers/schemas.js';

const root = new URL('../../', import.meta.url).pathname;
let dir = '';
let image = '';
let db = '';

function vigil(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), ...args], {
    encoding: 'utf8',
    cwd: root,
    env: { ...process.env, NO_COLOR: '1', VIGIL_DB: join(dir, 'none.db') },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-scan-cli-'));
  image = join(dir, 'demo.tar');
  db = join(dir, 'vigil.db');
  const b = spawnSync(process.execPath, [join(root, 'scripts/build-demo-image.mjs'), image], { encoding: 'utf8' });
  assert.equal(b.status, 0, b.stderr);
  const imp = vigil('db', 'import', join(root, 'demo/advisories'), '--db', db);
  assert.equal(imp.code, 0, imp.err);
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('sbom: CycloneDX and SPDX of the demo image validate and list its packages with layers', () => {
  const cdx = vigil('sbom', `docker-archive:${image}`, '--format', 'cyclonedx');
  assert.equal(cdx.code, 0, cdx.err);
  const bom = JSON.parse(cdx.out);
  assert.deepEqual(validateCycloneDx(bom), []);
  const purls = (bom.components as Array<{ purl?: string }>).map((c) => c.purl).filter(Boolean);
  assert.ok(purls.includes('pkg:deb/debian/libc6@2.36-9%2Bdeb12u1?arch=amd64&distro=debian-12'), purls.join('\n'));
  assert.ok(purls.includes('pkg:npm/lodash@4.17.20'));
  const spdx = vigil('sbom', image, '--format', 'spdx', '--output', join(dir, 'sbom.spdx.json'));
  assert.equal(spdx.code, 0, spdx.err);
  assert.equal(spdx.out, '');
  const json = vigil('sbom', image, '--format', 'json');
  const report = JSON.parse(json.out);
  const lodash = report.packages.find((p: { name: string }) => p.name === 'lodash');
  const libc = report.packages.find((p: { name: string }) => p.name === 'libc6');
  assert.notEqual(lodash.layer.digest, libc.layer.digest, 'app and OS packages come from different layers');
  assert.match(lodash.layer.createdBy, /COPY app/);
  assert.deepEqual(validateSpdx(JSON.parse(readFileSync(join(dir, 'sbom.spdx.json'), 'utf8'))), []);
});

test('scan: real advisories match with their fixed versions; severity filter and exit code', () => {
  const r = vigil('scan', `docker-archive:${image}`, '--db', db, '--format', 'json');
  assert.equal(r.code, 0, r.err);
  const report = JSON.parse(r.out);
  const libc6 = report.vulnerabilities.find((v: { package: string; id: string }) => v.package === 'libc6' && v.id === 'CVE-2023-4911');
  assert.ok(libc6, 'glibc Looney Tunables advisory matches libc6');
  assert.equal(libc6.sourcePackage, 'glibc');
  assert.equal(libc6.fixedVersion, '2.36-9+deb12u3');
  assert.equal(libc6.status, 'fixed');
  const crit = vigil('scan', image, '--db', db, '--format', 'json', '--severity', 'critical');
  const sev = new Set(JSON.parse(crit.out).vulnerabilities.map((v: { severity: string }) => v.severity));
  assert.deepEqual([...sev], ['critical']);
  assert.equal(vigil('scan', image, '--db', db, '--exit-code', '5', '--format', 'json').code, 5);
  const table = vigil('scan', image, '--db', db);
  assert.match(table.out, /Vulnerabilities: \d+ \(CRITICAL: \d+, HIGH: \d+/);
});

test('scan without a DB, of a non-image, or with a bad flag: exit 2 and one line', () => {
  const noDb = vigil('scan', image);
  assert.equal(noDb.code, 2);
  assert.match(noDb.err, /vigil db update/);
  const junk = join(dir, 'junk.tar');
  writeFileSync(junk, 'this is not an image at all\n'.repeat(100));
  for (const r of [
    vigil('sbom', junk),
    vigil('sbom', `docker-archive:${junk}`),
    vigil('scan', image, '--format', 'xml'),
    vigil('scan', image, '--severity', 'urgent'),
  ]) {
    assert.equal(r.code, 2, r.err);
    assert.equal(r.err.trim().split('\n').length, 1, r.err);
    assert.doesNotMatch(r.err, /\n\s+at /);
  }
});
