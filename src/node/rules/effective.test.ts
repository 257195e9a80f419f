// `vigil rules effective` through the real CLI: the shipped example policy
// file, a policy file holding runtime and detection documents, and broken
// documents refused with the field and the reason (exit 2, one line).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readPolicyFiles } from '../runtime/policy-file.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const vigil = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), ...args], { encoding: 'utf8', cwd: root });

test('vigil rules effective: defaults without a policy, every setting with its policy with one', () => {
  const none = vigil('rules', 'effective', '--format', 'json');
  assert.equal(none.status, 0, none.stderr);
  const d = JSON.parse(none.stdout);
  assert.deepEqual(d.policies, []);
  assert.ok(d.types.every((t: { enabled: unknown; enabledFrom: string }) => t.enabled === true && t.enabledFrom === 'default'));
  assert.deepEqual(d.thresholds.find((t: { key: string }) => t.key === 'cpu').params.percent, { value: 90, unit: 'percent', from: 'default' });

  const r = vigil('rules', 'effective', '--format', 'json', '--policy', 'examples/detection/team-tuning.yaml');
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  const ty = (id: string) => j.types.find((t: { type: string }) => t.type === id);
  assert.equal(ty('system/high-risk-command').enabled, false);
  assert.equal(ty('system/high-risk-command').enabledFrom, 'project-tuning');
  assert.equal(ty('system/abnormal-process-behavior').enabled, 'scoped');
  assert.deepEqual(ty('user/brute-force').severity, 'critical');
  assert.deepEqual(j.thresholds.find((t: { key: string }) => t.key === 'brute-force').params.attempts, { value: 10, unit: 'count', from: 'project-tuning' });
  assert.ok(ty('user/password-theft').allow.includes('project-tuning.allow[0]'));

  const table = vigil('rules', 'effective', '--policy', 'examples/detection/team-tuning.yaml');
  assert.equal(table.status, 0, table.stderr);
  assert.match(table.stdout, /system\/high-risk-command +no +high \(rules\) +enabled: project-tuning/);
  assert.match(table.stdout, /brute-force \(user\/brute-force, rule "Login brute force"\): attempts=10 \(project-tuning\), window=2m \(project-tuning\)/);
  assert.match(table.stdout, /project-tuning\.allow\[0\] "backup agent reads credentials": images=registry\.example\.com\/ops\/backup:\*/);
});

test('policy files: runtime and detection documents in one file; bad documents name file, field and reason', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-dpol-'));
  try {
    const both = join(dir, 'both.yaml');
    writeFileSync(
      both,
      [
        'policies:',
        '  - {name: wl, selector: {images: ["nginx:*"]}, processWhitelist: {executables: [/usr/sbin/nginx]}}',
        '---',
        'kind: DetectionPolicy',
        'policies:',
        '  - {name: quiet, types: {system/high-risk-command: false}}',
        '',
      ].join('\n'),
    );
    const read = readPolicyFiles([both]);
    assert.deepEqual(
      read.runtime?.policies.map((p) => p.name),
      ['wl'],
    );
    assert.deepEqual(
      read.detection?.policies.map((p) => p.name),
      ['quiet'],
    );
    const again = join(dir, 'again.yaml');
    writeFileSync(again, 'kind: DetectionPolicy\npolicies:\n  - {name: quiet, types: {user/brute-force: false}}\n');
    assert.throws(() => readPolicyFiles([both, again]), /again\.yaml: duplicate policy name quiet \(also in .*both\.yaml \(document 2\)\)/);

    const cases: Array<[string, RegExp]> = [
      [
        'kind: DetectionPolicy\npolicies:\n  - {name: p, thresholds: {cpu: {percent: 101}}}\n',
        /bad\.yaml: policies\[0\]\.thresholds\.cpu\.percent: must be a whole number from 1 to 100$/,
      ],
      [
        'kind: DetectionPolicy\npolicies:\n  - {name: p, types: {user/brute-forse: false}}\n',
        /bad\.yaml: policies\[0\]\.types\.user\/brute-forse: unknown alert type/,
      ],
      [
        'kind: DetectionPolicy\npolicies:\n  - {name: p, allow: [{destinations: [300.1.1.1]}]}\n',
        /bad\.yaml: policies\[0\]\.allow\[0\]\.destinations\[0\]: must be an IP address or a CIDR/,
      ],
      ['kind: DetectionPolicy\npolicies: [\n', /bad\.yaml: invalid YAML/],
    ];
    for (const [text, re] of cases) {
      const f = join(dir, 'bad.yaml');
      writeFileSync(f, text);
      const r = vigil('rules', 'effective', '--policy', f);
      assert.equal(r.status, 2, r.stderr);
      const lines = r.stderr.trim().split('\n');
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0]!, re);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
