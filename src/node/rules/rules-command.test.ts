import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ALERT_CATALOG } from '../../core/alerts/catalog.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const vigil = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), ...args], { encoding: 'utf8', cwd: root });

test('vigil rules lint: Falco rules load; broken files are coded errors with positions, exit 1', () => {
  const r = vigil('rules', 'lint', '--format', 'json', 'test/conformance/falco-rules/falco_rules.yaml');
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout) as { rules: number; skipped: unknown[]; errors: number };
  assert.equal(j.rules, 25);
  assert.deepEqual(j.skipped, []);
  assert.equal(j.errors, 0);
  const dir = mkdtempSync(join(tmpdir(), 'vigil-rules-'));
  try {
    const f = join(dir, 'mine.yaml');
    writeFileSync(
      f,
      '- rule: A\n  desc: d\n  condition: evt.type = open and (fd.name = x\n  output: o\n  priority: INFO\n- rule: B\n  desc: d\n  condition: evt.type = open and proc.vpgid.name = x\n  output: o\n  priority: INFO\n',
    );
    const b = vigil('rules', 'lint', f);
    assert.equal(b.status, 1);
    assert.match(b.stdout, /mine\.yaml:3:46 {2}error {2}CONDITION_SYNTAX {2}rule 'A': expected '\)'/);
    assert.match(b.stdout, /mine\.yaml:8:34 {2}warning {2}UNSUPPORTED_FIELD {2}rule 'B' skipped: field 'proc\.vpgid\.name'/);
    assert.match(b.stdout, /Skipped rules \(2\):/);
    assert.match(b.stdout, /0 rules loaded, 2 skipped, 0 disabled; 1 error, 1 warning/);
    const missing = vigil('rules', 'lint', join(dir, 'nope.yaml'));
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /^vigil: .*nope\.yaml: no such file\n$/);
    // rules test on a user file with embedded examples: one passes, one fails.
    const t = join(dir, 't.yaml');
    writeFileSync(
      t,
      `- rule: Curl in container
  desc: d
  condition: evt.type = execve and proc.name = curl and container.id != host
  output: curl %proc.cmdline
  priority: NOTICE
  examples:
    fires: [{proc: {args: [curl, x]}, container: {}}]
    silent: [{proc: {args: [curl, x]}}, {proc: {args: [curl, y]}, container: {}}]
`,
    );
    const tr = vigil('rules', 'test', t);
    assert.equal(tr.status, 1);
    assert.match(tr.stdout, /ok {4}Curl in container {2}fires #1/);
    assert.match(tr.stdout, /ok {4}Curl in container {2}silent #1/);
    assert.match(tr.stdout, /FAIL {2}Curl in container {2}silent #2: fired 1 time\(s\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('vigil rules list and test: built-in rules cover the in-scope catalog; embedded examples pass', () => {
  const r = vigil('rules', 'list', '--format', 'json');
  assert.equal(r.status, 0, r.stderr);
  const types = new Set((JSON.parse(r.stdout) as { rules: Array<{ type: string }> }).rules.map((x) => x.type));
  const missing = ALERT_CATALOG.map((t) => t.id).filter((id) => !id.startsWith('cluster/') && id !== 'container/image-blocked' && !types.has(id));
  assert.deepEqual(missing, []);
  const t = vigil('rules', 'test');
  assert.equal(t.status, 0, t.stdout);
  assert.match(t.stdout, / 0 failed/);
});
