import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { runAnalyzer } from '../test-harness.js';
import php, { MAX_COMPOSER_FILE, isComposerLock, isInstalledJson, parseComposerLock, parseInstalledJson, type ComposerPackage } from './php.js';

const TRIVY = new URL('../testdata/trivy/php/', import.meta.url);
const read = (f: string): Buffer => readFileSync(new URL(f, TRIVY));
type Want = Record<string, ComposerPackage[] | 'error'>;
const expected = JSON.parse(read('expected.json').toString()) as { lock: Want; installed: Want };
const byName = (xs: ComposerPackage[]): ComposerPackage[] => [...xs].sort((a, b) => (a.name < b.name ? -1 : 1));

test("php: Trivy's composer.lock and installed.json golden files give exactly Trivy's packages", () => {
  for (const [kind, parse] of [
    ['lock', parseComposerLock],
    ['installed', parseInstalledJson],
  ] as const) {
    for (const [file, want] of Object.entries(expected[kind])) {
      const got = parse(read(file));
      if (want === 'error') assert.equal(typeof got, 'string', `${file} is refused`);
      else assert.deepEqual(typeof got === 'string' ? got : byName(got), want, file);
    }
  }
});

test('php: Composer 1 installed.json (a bare array)', () => {
  const v1 = JSON.stringify([{ name: 'monolog/monolog', version: '1.25.1', version_normalized: '1.25.1.0', license: ['MIT'] }]);
  assert.deepEqual(parseInstalledJson(Buffer.from(v1)), [{ name: 'monolog/monolog', version: '1.25.1', licenses: ['MIT'] }]);
});

test('php: claims', () => {
  assert.ok(isComposerLock('/var/www/composer.lock'));
  assert.ok(!isComposerLock('/var/www/vendor/guzzlehttp/guzzle/composer.lock'));
  assert.ok(isInstalledJson('/var/www/vendor/composer/installed.json'));
  assert.ok(!isInstalledJson('/var/www/installed.json'));
});

test('php: installed packages, lock entries not installed are declared, broken files are notices', async () => {
  const r = await runAnalyzer(php, [
    {
      '/var/www/composer.lock': read('composer-with-dev.lock'),
      '/var/www/vendor/composer/installed.json': JSON.stringify({ packages: [{ name: 'psr/log', version: '1.1.4', license: ['MIT'] }], dev: false }),
      '/srv/other/composer.lock': read('composer-sad.lock'),
      '/srv/third/composer.lock': JSON.stringify({ packages: [{ name: 'a b', version: '1' }, { name: 'x/y' }, 'junk', { name: 'ok/ok', version: '2.0.0' }] }),
      '/srv/fourth/composer.lock': '{"readme": []}',
    },
  ]);
  assert.deepEqual(r.packages!.map((p) => `${p.name}@${p.version}${p.declared ? ' declared' : ''} ${p.filePath}`).sort(), [
    'ok/ok@2.0.0 declared /srv/third/composer.lock',
    'pear/log@1.14.6 declared /var/www/composer.lock',
    'pear/pear_exception@v1.0.2 declared /var/www/composer.lock',
    'psr/log@1.1.4 /var/www/vendor/composer/installed.json',
  ]);
  assert.deepEqual(
    r.notices!.map((n) => n.message.replace(/\(.*\)/, '(...)')),
    ['Composer file /srv/fourth/composer.lock skipped: no packages list', 'Composer file /srv/other/composer.lock skipped: not JSON (...)'],
  );
  assert.match(parseComposerLock(Buffer.alloc(MAX_COMPOSER_FILE + 1, 0x20)) as string, /larger than/);
});
