import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { isInputError } from '../../core/errors.js';
import { writeOciLayout, type FileSpec } from '../../../test/helpers/image-builder.js';
import { DbWriter } from '../vulndb/db.js';
import { importPaths } from '../vulndb/import.js';
import { runScan, type ScanProgress } from './run-scan.js';

const DEMO = new URL('../../../demo/', import.meta.url).pathname;

function demoFiles(): FileSpec[] {
  const out: FileSpec[] = [];
  const walk = (d: string): void => {
    for (const n of readdirSync(d).sort()) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else out.push({ path: relative(join(DEMO, 'rootfs'), p), content: readFileSync(p) });
    }
  };
  walk(join(DEMO, 'rootfs'));
  return out;
}

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-run-scan-'));
  try {
    await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('a missing DB or a broken ignore/VEX file fails before the image is opened', () =>
  withDir(async (dir) => {
    const phases: string[] = [];
    const onProgress = (p: ScanProgress): void => void phases.push(p.phase);
    const layout = join(dir, 'oci');
    await writeOciLayout(layout, [{ layers: [{ files: demoFiles() }] }]);
    const code = (e: unknown): string => (isInputError(e) ? e.code : String(e));
    await assert.rejects(
      runScan(`oci:${layout}`, { scanners: ['vuln'], vuln: { dbPath: join(dir, 'none.db') }, onProgress }),
      (e) => code(e) === 'VULNDB_MISSING',
    );
    const dbPath = join(dir, 'demo.db');
    const w = DbWriter.open(dbPath);
    await importPaths(w, [join(DEMO, 'advisories')]);
    w.commit();
    writeFileSync(join(dir, 'vex.json'), '{"@context": ');
    await assert.rejects(
      runScan(`oci:${layout}`, { scanners: ['vuln'], vuln: { dbPath, vexFile: join(dir, 'vex.json') }, onProgress }),
      (e) => code(e) === 'VEX_INVALID',
    );
    writeFileSync(join(dir, '.vigilignore'), 'ignores:\n  - id: [\n');
    await assert.rejects(
      runScan(`oci:${layout}`, { scanners: ['vuln'], vuln: { dbPath, ignoreFile: join(dir, '.vigilignore') }, onProgress }),
      (e) => isInputError(e) && e.where === join(dir, '.vigilignore'),
    );
    assert.deepEqual(phases, [], 'no layer was read');
  }));

test('VEX statements naming the image by digest apply (pkg:oci/...@sha256 and name@sha256)', () =>
  withDir(async (dir) => {
    const layout = join(dir, 'oci');
    const [image] = await writeOciLayout(layout, [{ layers: [{ files: demoFiles() }] }]);
    const dbPath = join(dir, 'demo.db');
    const w = DbWriter.open(dbPath);
    await importPaths(w, [join(DEMO, 'advisories')]);
    w.commit();
    const digest = image!.manifestDigest;
    const base = await runScan(`oci:${layout}`, { scanners: ['vuln'], vuln: { dbPath } });
    assert.equal(base.artifact.digest, digest);
    const lodash = (r: typeof base) => r.vulnerabilities.find((v) => v.id === 'CVE-2020-28500' && v.package === 'lodash');
    assert.equal(lodash(base)?.ignored, false, 'the lodash finding is there without VEX');
    for (const product of [`pkg:oci/demo@${encodeURIComponent(digest)}`, `registry.example/demo@${digest}`]) {
      writeFileSync(
        join(dir, 'vex.json'),
        JSON.stringify({
          '@context': 'https://openvex.dev/ns/v0.2.0',
          '@id': 'https://example.com/vex/1',
          author: 'test',
          timestamp: '2026-01-01T00:00:00Z',
          version: 1,
          statements: [
            {
              vulnerability: { name: 'GHSA-29mw-wpgm-hmr9' },
              products: [{ '@id': product, subcomponents: [{ '@id': 'pkg:npm/lodash@4.17.20' }] }],
              status: 'not_affected',
              justification: 'vulnerable_code_not_in_execute_path',
            },
          ],
        }),
      );
      const r = await runScan(`oci:${layout}`, { scanners: ['vuln'], vuln: { dbPath, vexFile: join(dir, 'vex.json') } });
      assert.equal(lodash(r)?.ignored, true, `VEX product ${product} matches the image by digest`);
    }
  }));

test('an OS without vulnerability data is a notice in the report, not a silent zero', () =>
  withDir(async (dir) => {
    const layout = join(dir, 'oci');
    const files: FileSpec[] = [{ path: 'etc/os-release', content: 'ID=photon\nVERSION_ID=5.0\nPRETTY_NAME="VMware Photon OS/Linux"\n' }];
    await writeOciLayout(layout, [{ layers: [{ files }] }]);
    const dbPath = join(dir, 'demo.db');
    const w = DbWriter.open(dbPath);
    await importPaths(w, [join(DEMO, 'advisories')]);
    w.commit();
    const r = await runScan(`oci:${layout}`, { scanners: ['vuln'], vuln: { dbPath } });
    assert.deepEqual(r.notices, [{ kind: 'no-vuln-data', message: 'no vulnerability data for photon 5.0: its 0 OS packages are not matched' }]);
  }));
