// Integration: the python analyzer through the real image pipeline (`rootfs:`)
// on what Debian's python3-requests, python3-urllib3, python3-idna and
// python3-pip .debs install (`apt-get download`, `dpkg-deb -x`), plus a
// virtualenv-style tree and broken metadata. The expected packages come from
// the .debs themselves: their file lists (`<name>-<version>.egg-info`/
// `.dist-info` directories) and their Debian versions' upstream part.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { debFiles } from '../../../test/helpers/debs.js';
import { defaultAnalyzers } from './index.js';
import { analyzeImage } from '../../core/image/analyze.js';
import { openImage } from '../image/open.js';
import { nodeAnalyzerContext } from './context.js';

const DEBS = ['python3-requests', 'python3-urllib3', 'python3-idna', 'python3-pip'];

test("python analyzer: exactly the packages Debian's python3-* .debs install, a virtualenv, broken metadata", async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'vigil-py-'));
  try {
    const root = join(tmp, 'root');
    mkdirSync(root);
    const expected: string[] = [];
    for (const deb of debFiles(DEBS, 'VIGIL_TEST_PYTHON_DEBS', tmp).values()) {
      execFileSync('dpkg-deb', ['-x', deb, root]);
      const upstream = execFileSync('dpkg-deb', ['-f', deb, 'Version'], { encoding: 'utf8' })
        .trim()
        .replace(/^\d+:/, '')
        .replace(/-[^-]+$/, '')
        .replace(/\+dfsg.*$/, '');
      const listing = execFileSync('dpkg-deb', ['-c', deb], { encoding: 'utf8' });
      const dirs = [...listing.matchAll(/\.(\/usr\/lib\/python3\/dist-packages\/([A-Za-z0-9_.]+)-([^/-]+)\.(egg|dist)-info)\/$/gm)];
      assert.equal(dirs.length, 1, `${deb} installs one metadata directory`);
      const [, dir, name, version, kind] = dirs[0]!;
      assert.equal(version, upstream, `${deb}: metadata directory version is the upstream version`);
      expected.push(`${name}\t${version}\t${dir}/${kind === 'egg' ? 'PKG-INFO' : 'METADATA'}`);
    }
    // A virtualenv: the same pip METADATA in a venv's site-packages.
    const venv = join(root, 'opt/venv/lib/python3.11/site-packages/pip-23.0.1.dist-info');
    mkdirSync(venv, { recursive: true });
    writeFileSync(join(root, 'opt/venv/pyvenv.cfg'), 'home = /usr/bin\ninclude-system-site-packages = false\nversion = 3.11.2\n');
    copyFileSync(join(root, 'usr/lib/python3/dist-packages/pip-23.0.1.dist-info/METADATA'), join(venv, 'METADATA'));
    expected.push('pip\t23.0.1\t/opt/venv/lib/python3.11/site-packages/pip-23.0.1.dist-info/METADATA');
    // Broken metadata: no Version, binary garbage, a bare distutils .egg-info file that is fine.
    const sp = join(root, 'opt/venv/lib/python3.11/site-packages');
    mkdirSync(join(sp, 'broken-1.0.dist-info'));
    writeFileSync(join(sp, 'broken-1.0.dist-info/METADATA'), 'Metadata-Version: 2.1\nName: broken\n\nno version\n');
    mkdirSync(join(sp, 'garbage-1.0.egg-info'));
    writeFileSync(join(sp, 'garbage-1.0.egg-info/PKG-INFO'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2, 0xff]));
    writeFileSync(
      join(sp, 'Legacy_Thing-0.9.egg-info'),
      'Metadata-Version: 1.0\nName: Legacy_Thing\nVersion: 0.9\nLicense: UNKNOWN\nClassifier: License :: OSI Approved :: BSD License\n',
    );
    expected.push(`Legacy_Thing\t0.9\t/opt/venv/lib/python3.11/site-packages/Legacy_Thing-0.9.egg-info`);

    const image = await openImage(`rootfs:${root}`);
    try {
      const analysis = await analyzeImage(image, await defaultAnalyzers(), { ctx: nodeAnalyzerContext() });
      const py = analysis.packages.filter((p) => p.type === 'pypi');
      assert.deepEqual(py.map((p) => `${p.name}\t${p.version}\t${p.filePath}`).sort(), expected.sort());
      const lic = (n: string): string[] | undefined => py.find((p) => p.name === n)?.licenses;
      // The License classifiers come before the License field, as Trivy reads them.
      assert.deepEqual(lic('requests'), ['Apache Software License']);
      assert.deepEqual(lic('urllib3'), ['MIT License']);
      assert.deepEqual(lic('Legacy_Thing'), ['BSD License']);
      const notices = (analysis.notices ?? [])
        .filter((n) => n.message.startsWith('Python package metadata'))
        .map((n) => n.message)
        .sort();
      assert.deepEqual(notices, [
        'Python package metadata /opt/venv/lib/python3.11/site-packages/broken-1.0.dist-info/METADATA skipped: no Version field',
        'Python package metadata /opt/venv/lib/python3.11/site-packages/garbage-1.0.egg-info/PKG-INFO skipped: binary content (NUL bytes)',
      ]);
    } finally {
      await image.close();
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
