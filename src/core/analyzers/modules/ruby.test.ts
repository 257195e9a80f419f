import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { runAnalyzer } from '../test-harness.js';
import ruby, { MAX_GEMSPEC, isGemfileLock, isGemspec, parseGemfileLock, parseGemspec } from './ruby.js';

const TRIVY = new URL('../testdata/trivy/ruby/', import.meta.url);
const read = (f: string): Buffer => readFileSync(new URL(f, TRIVY));
const expected = JSON.parse(read('expected.json').toString()) as {
  gemspec: Record<string, Array<{ name: string; version: string; licenses?: string[] }> | 'error'>;
  lockfile: Record<string, Array<{ name: string; version: string }>>;
};

test("ruby: Trivy's gemspec golden files give exactly Trivy's packages", () => {
  for (const [file, want] of Object.entries(expected.gemspec)) {
    const got = parseGemspec(read(file));
    if (want === 'error') assert.equal(typeof got, 'string', `${file} is refused`);
    else assert.deepEqual([got], want, file);
  }
});

test("ruby: Trivy's Gemfile.lock golden files give exactly Trivy's packages", () => {
  for (const [file, want] of Object.entries(expected.lockfile)) {
    const got = parseGemfileLock(read(file));
    assert.ok(typeof got !== 'string', file);
    assert.deepEqual(
      [...got].sort((a, b) => (a.name < b.name ? -1 : 1)),
      want,
      file,
    );
  }
});

test('ruby: claims installed specifications and application lockfiles only', () => {
  assert.ok(isGemspec('/usr/share/rubygems-integration/all/specifications/rack-2.2.6.4.gemspec'));
  assert.ok(isGemspec('/usr/local/bundle/specifications/rails-7.1.3.gemspec'));
  assert.ok(isGemspec('/usr/local/lib/ruby/gems/3.3.0/specifications/default/json-2.7.1.gemspec'));
  assert.ok(!isGemspec('/usr/local/bundle/gems/rails-7.1.3/rails.gemspec'), 'a source gemspec is not an installed gem');
  assert.ok(isGemfileLock('/app/Gemfile.lock'));
  assert.ok(!isGemfileLock('/usr/local/bundle/gems/rack-3.0.8/Gemfile.lock'));
});

test('ruby: installed gems, lockfile gems not installed are declared, broken input is a notice', async () => {
  const r = await runAnalyzer(ruby, [
    {
      '/usr/local/bundle/specifications/dotenv-2.7.2.gemspec':
        'Gem::Specification.new do |s|\n  s.name = "dotenv".freeze\n  s.version = "2.7.2"\n  s.licenses = ["MIT".freeze]\nend\n',
      '/app/Gemfile.lock': read('Gemfile_normal.lock'),
      '/usr/local/bundle/specifications/bad-1.gemspec': Buffer.from([0xff, 0xfe, 0x00, 0x01]),
      '/usr/local/bundle/specifications/huge-1.gemspec': 'x'.repeat(MAX_GEMSPEC + 1),
    },
  ]);
  const rows = r.packages!.map((p) => `${p.name}@${p.version}${p.declared ? ' declared' : ''} ${p.filePath}`).sort();
  assert.equal(rows.length, 7);
  assert.ok(rows.includes('dotenv@2.7.2 /usr/local/bundle/specifications/dotenv-2.7.2.gemspec'));
  assert.ok(rows.includes('pry@0.12.2 declared /app/Gemfile.lock'));
  assert.ok(!rows.some((r) => r.startsWith('dotenv@2.7.2 declared')), 'an installed gem is not also declared');
  assert.deepEqual(r.notices!.map((n) => n.message).sort(), [
    `Ruby gemspec /usr/local/bundle/specifications/bad-1.gemspec skipped: not UTF-8 text`,
    `Ruby gemspec /usr/local/bundle/specifications/huge-1.gemspec skipped: larger than ${MAX_GEMSPEC} bytes`,
  ]);
});

test('ruby: hostile Gemfile.lock lines are bounded, platform variants listed once', () => {
  const lock = Buffer.from(
    `GEM\n  specs:\n    nokogiri (1.16.2-x86_64-linux)\n    nokogiri (1.16.2-aarch64-linux)\n    ${'a'.repeat(300)} (1.0)\n    x (${'9'.repeat(300)})\n`,
  );
  assert.deepEqual(parseGemfileLock(lock), [{ name: 'nokogiri', version: '1.16.2' }]);
});
