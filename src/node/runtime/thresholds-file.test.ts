import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readThresholdsFile } from './thresholds-file.js';
import { InputError } from '../../core/errors.js';
import { tempFiles } from './files.test-helpers.js';
import { POLICY_MAX_BYTES } from './policy-file.js';

const { dir, file } = tempFiles('vigil-thr-');

test('thresholds file: YAML overrides the defaults; broken files are one-line input errors naming the file or field', () => {
  const t = readThresholdsFile(file('ok.yaml', 'cpu:\n  percent: 50\n  sustainSeconds: 5\naccounts:\n  intervalMs: 500\n'));
  assert.deepEqual(t.cpuThreshold, { percent: 50, duration: 5000 }, 'cpu.percent and cpu.sustainSeconds: the CPU threshold (a detection policy)');
  assert.equal(t.cpu.intervalMs, 5000, 'unset fields keep their default');
  assert.equal(t.accounts.intervalMs, 500);
  assert.equal(readThresholdsFile(file('empty.yaml', '')).cpuThreshold, undefined, "no CPU threshold: the detection policy's default holds");
  const cases: Array<[string, string, RegExp]> = [
    [file('bad.yaml', 'cpu: [1, 2\n'), 'POLICY_YAML', /bad\.yaml: invalid YAML/],
    [file('field.yaml', 'cpu:\n  percent: 0\n'), 'THRESHOLD_INVALID', /field\.yaml\.cpu\.percent: detection threshold: 0 is out of range/],
    [file('unknown.yaml', 'memory:\n  percent: 5\n'), 'THRESHOLD_INVALID', /unknown\.yaml\.memory: .*unknown/],
    [file('big.yaml', `# ${'x'.repeat(POLICY_MAX_BYTES)}\n`), 'POLICY_TOO_LARGE', /big\.yaml: larger than/],
    [join(dir, 'missing.yaml'), 'POLICY_UNREADABLE', /missing\.yaml: cannot read thresholds file: ENOENT/],
    [dir, 'POLICY_UNREADABLE', /not a regular file/],
    [
      file(
        'bomb.yaml',
        'a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n',
      ),
      'POLICY_YAML',
      /cannot expand the YAML/,
    ],
  ];
  for (const [p, code, re] of cases)
    assert.throws(
      () => readThresholdsFile(p),
      (e: unknown) => e instanceof InputError && e.code === code && re.test(e.message) && !e.message.includes('\n'),
      p,
    );
});
