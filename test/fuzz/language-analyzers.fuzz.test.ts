// Fuzz: the language analyzers' inputs (jars and nested jars, eggs,
// gemspecs, Gemfile.lock, composer.lock / installed.json, poetry.lock,
// uv.lock, Pipfile.lock, requirements.txt, package-lock.json, yarn.lock,
// pnpm-lock.yaml), mutated from Trivy's golden files
// and run through the analyzers as the image pipeline runs them: a result or
// a notice, never a throw or a hang.
import { test } from 'node:test';
import { readFileSync } from 'node:fs';
import { runAnalyzer } from '../../src/core/analyzers/test-harness.js';
import java from '../../src/core/analyzers/modules/java.js';
import npm from '../../src/core/analyzers/modules/npm.js';
import pnpm from '../../src/core/analyzers/modules/pnpm.js';
import php from '../../src/core/analyzers/modules/php.js';
import python from '../../src/core/analyzers/modules/python.js';
import ruby from '../../src/core/analyzers/modules/ruby.js';
import yarn from '../../src/core/analyzers/modules/yarn.js';
import { expectAsync, fuzzCorpora } from './harness.js';

const td = (p: string): Buffer => readFileSync(new URL(`../../src/core/analyzers/testdata/trivy/${p}`, import.meta.url));

test('fuzz: jars (nested, manifest-only, shaded)', async () => {
  const jars = ['java/nested.jar', 'java/test.jar', 'java/hadoop-shaded-guava-1.1.0-SNAPSHOT.jar'].map(td);
  await fuzzCorpora(150, [jars], async (jar) => {
    await expectAsync('java', () => Promise.resolve(runAnalyzer(java, [{ '/app/lib/x-1.0.jar': jar! }])));
  });
});

test('fuzz: eggs and Python lockfiles', async () => {
  const locks = ['python/poetry_flask.lock', 'python/uv_normal.lock', 'python/Pipfile_normal.lock', 'python/requirements_hash.txt'].map(td);
  await fuzzCorpora(150, [[td('python/kitchen-1.2.6-py2.7.egg')], locks], async (egg, lock) => {
    const files = { '/app/poetry.lock': lock!, '/app/uv.lock': lock!, '/app/Pipfile.lock': lock!, '/app/requirements.txt': lock! };
    await expectAsync('python', () => Promise.resolve(runAnalyzer(python, [{ '/usr/lib/python3/site-packages/k-1.0.egg': egg!, ...files }])));
  });
});

test('fuzz: gemspecs, Gemfile.lock, composer.lock, installed.json', async () => {
  const specs = [td('ruby/normal00.gemspec'), td('ruby/multiple_licenses.gemspec')];
  const composers = [td('php/composer_happy.lock'), td('php/installed-happy.json')];
  await fuzzCorpora(150, [specs, [td('ruby/Gemfile_bundler2.lock')], composers], async (spec, gemLock, composer) => {
    await expectAsync('ruby', () =>
      Promise.resolve(runAnalyzer(ruby, [{ '/usr/local/bundle/specifications/x-1.gemspec': spec!, '/app/Gemfile.lock': gemLock! }])),
    );
    await expectAsync('php', () => Promise.resolve(runAnalyzer(php, [{ '/app/composer.lock': composer!, '/app/vendor/composer/installed.json': composer! }])));
  });
});

test('fuzz: package-lock.json, yarn.lock (v1, berry), pnpm-lock.yaml (5.x, 6.x, 9.x) and the manifests beside them', async () => {
  const npmLocks = ['npm/package-lock_v1.json', 'npm/package-lock_v3_with_workspace.json', 'npm/package-lock_v3_with_peer.json'].map(td);
  const yarnLocks = ['yarn/yarn_happy.lock', 'yarn/yarn_v2_happy.lock', 'yarn/yarn_with_npm.lock'].map(td);
  const pnpmLocks = ['pnpm/pnpm-lock_normal.yaml', 'pnpm/pnpm-lock_v6.yaml', 'pnpm/pnpm-lock_v9.yaml', 'pnpm/pnpm-lock_v9_multiple_documents.yaml'].map(td);
  const manifest = Buffer.from(JSON.stringify({ name: 'app', version: '1.0.0', workspaces: ['packages/*'], dependencies: { promise: '^8.0.3' } }));
  await fuzzCorpora(150, [npmLocks, yarnLocks, pnpmLocks, [manifest]], async (npmLock, yarnLock, pnpmLock, pkg) => {
    const layer = { '/app/package.json': pkg!, '/app/packages/a/package.json': pkg!, '/app/node_modules/promise/package.json': pkg! };
    await expectAsync('npm', () => Promise.resolve(runAnalyzer(npm, [{ ...layer, '/app/package-lock.json': npmLock! }])));
    await expectAsync('yarn', () => Promise.resolve(runAnalyzer(yarn, [{ ...layer, '/app/yarn.lock': yarnLock! }])));
    await expectAsync('pnpm', () => Promise.resolve(runAnalyzer(pnpm, [{ ...layer, '/app/pnpm-lock.yaml': pnpmLock! }])));
  });
});
