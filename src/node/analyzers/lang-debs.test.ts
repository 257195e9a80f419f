// Integration: the ruby and java analyzers through the real image pipeline
// (`rootfs:`) on what Debian's ruby-rack, libcommons-lang3-java and
// libjackson2-databind-java .debs install (`apt-get download`, `dpkg-deb -x`),
// plus a Gemfile.lock and a war built around one of those jars. The expected
// versions come from the .debs themselves (their Debian version's upstream part).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { debFiles } from '../../../test/helpers/debs.js';
import { defaultAnalyzers } from './index.js';
import { analyzeImage } from '../../core/image/analyze.js';
import { makeZip } from '../../core/analyzers/zip.test-helpers.js';
import { openImage } from '../image/open.js';
import { nodeAnalyzerContext } from './context.js';

const DEBS = ['ruby-rack', 'libcommons-lang3-java', 'libjackson2-databind-java'];

const upstream = (deb: string): string =>
  execFileSync('dpkg-deb', ['-f', deb, 'Version'], { encoding: 'utf8' })
    .trim()
    .replace(/^\d+:/, '')
    .replace(/-[^-]+$/, '');

test("ruby and java analyzers: exactly the gems and jars Debian's .debs install, a Gemfile.lock, a war", async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'vigil-lang-'));
  try {
    const root = join(tmp, 'root');
    mkdirSync(root);
    const debs = debFiles(DEBS, 'VIGIL_TEST_LANG_DEBS', tmp);
    for (const deb of debs.values()) execFileSync('dpkg-deb', ['-x', deb, root]);
    const rack = upstream(debs.get('ruby-rack')!);
    const lang3 = upstream(debs.get('libcommons-lang3-java')!);
    const jackson = upstream(debs.get('libjackson2-databind-java')!);
    // An application: a Gemfile.lock pinning the installed rack and a gem that is not installed,
    // and a war whose WEB-INF/lib holds Debian's commons-lang3 jar.
    mkdirSync(join(root, 'srv/app'), { recursive: true });
    writeFileSync(
      join(root, 'srv/app/Gemfile.lock'),
      `GEM\n  remote: https://rubygems.example/\n  specs:\n    rack (${rack})\n    sinatra (3.0.5)\n      rack (~> 2.2, >= 2.2.4)\n\nPLATFORMS\n  ruby\n\nDEPENDENCIES\n  sinatra\n`,
    );
    const lang3Jar = readFileSync(join(root, 'usr/share/java/commons-lang3.jar'));
    writeFileSync(join(root, 'srv/app/app-1.0.war'), makeZip([{ name: `WEB-INF/lib/commons-lang3-${lang3}.jar`, data: lang3Jar, stored: true }]));
    copyFileSync(join(root, 'usr/share/java/jackson-databind.jar'), join(root, 'srv/app/broken.jar'));
    writeFileSync(join(root, 'srv/app/broken.jar'), readFileSync(join(root, 'srv/app/broken.jar')).subarray(0, 1000));

    const image = await openImage(`rootfs:${root}`);
    try {
      const analysis = await analyzeImage(image, await defaultAnalyzers(), { ctx: nodeAnalyzerContext() });
      const rows = (type: string): string[] =>
        analysis.packages
          .filter((p) => p.type === type)
          .map((p) => `${p.name}@${p.version}${p.declared ? ' declared' : ''} ${p.filePath}`)
          .sort();
      assert.deepEqual(rows('gem'), [
        `rack@${rack} /usr/share/rubygems-integration/all/specifications/rack-${rack}.gemspec`,
        'sinatra@3.0.5 declared /srv/app/Gemfile.lock',
      ]);
      assert.deepEqual(analysis.packages.find((p) => p.type === 'gem' && p.name === 'rack')?.licenses, ['MIT']);
      // Debian's jars are named without a version (the versioned names are symlinks, not read twice), so,
      // as Trivy offline, the MANIFEST.MF coordinates come too; jackson's are the same as its pom.properties.
      assert.deepEqual(rows('maven'), [
        `com.fasterxml.jackson.core:jackson-databind@${jackson} /usr/share/java/jackson-databind.jar`,
        `org.apache.commons:Apache Commons Lang@${lang3} /usr/share/java/commons-lang3.jar`,
        `org.apache.commons:commons-lang3@${lang3} /srv/app/app-1.0.war/WEB-INF/lib/commons-lang3-${lang3}.jar`,
        `org.apache.commons:commons-lang3@${lang3} /usr/share/java/commons-lang3.jar`,
      ]);
      const notices = (analysis.notices ?? []).filter((n) => n.message.startsWith('Java archive')).map((n) => n.message);
      assert.deepEqual(notices, ['Java archive /srv/app/broken.jar skipped: no end of central directory record']);
    } finally {
      await image.close();
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
