// `vigil rules effective --agent-data-dir DIR` through the real CLI: the set
// an agent saved (the JSON the server's pushedPolicies builds, as the agent
// writes it to <data-dir>/policies.json) adds its detection policies (after
// the local --policy ones, which win by name), the server's rule files (each
// rule shown with its source: built-in, server rule file NAME, local file)
// and its threat-list size; a missing, broken, foreign or oversized saved
// set is refused in one line naming the file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, ftruncateSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pushedPolicies } from '../../core/policy/pushed.js';
import { MAX_SAVED_SET_BYTES } from '../agent/saved-set.js';
import { digest, TAC_RULE as SERVER_RULE } from '../agent/saved-set.test-helpers.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const vigil = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), ...args], { encoding: 'utf8', cwd: root });
const LOCAL_RULE = `- rule: Rev in a container
  desc: rev ran
  condition: evt.type in (execve, execveat) and evt.dir = < and proc.name = rev
  output: rev ran (cmdline=%proc.cmdline)
  priority: NOTICE
`;

test('vigil rules effective --agent-data-dir: the server set the agent saved, each rule with its source', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-rules-agent-'));
  try {
    const agentDir = join(dir, 'agent');
    mkdirSync(agentDir);
    const set = pushedPolicies(
      'p1',
      true,
      [
        {
          id: 'd1',
          name: 'server-tuning',
          kind: 'detection',
          mode: 'alert',
          document: { types: { 'system/high-risk-command': { enabled: false }, 'user/brute-force': { severity: 'critical' } } },
          images: [],
          updatedAt: '2026-12-01T00:00:00Z',
        },
      ],
      digest,
      { rules: [{ name: 'tac.yaml', content: SERVER_RULE }], threatIps: ['203.0.113.0/24', '198.51.100.7/32', '2001:db8::/32'] },
    );
    writeFileSync(join(agentDir, 'policies.json'), JSON.stringify(set));
    const localRules = join(dir, 'local.yaml');
    writeFileSync(localRules, LOCAL_RULE);
    const localPolicy = join(dir, 'local-policy.yaml');
    // The agent's own --policy file: wins over a pushed policy of the same name.
    writeFileSync(localPolicy, 'kind: DetectionPolicy\npolicies:\n  - name: server-tuning\n    types:\n      user/brute-force: {severity: low}\n');

    const j = vigil('rules', 'effective', '--format', 'json', '--agent-data-dir', agentDir, '--rules', localRules);
    assert.equal(j.status, 0, j.stderr);
    const d = JSON.parse(j.stdout);
    assert.equal(d.agent.revision, set.revision);
    assert.deepEqual(d.agent.ruleFiles, [{ name: 'tac.yaml', rules: 1 }]);
    assert.equal(d.agent.threatIps, 3);
    const from = (rule: string) => d.rules.filter((r: { rule: string }) => r.rule === rule).map((r: { from: string }) => r.from);
    assert.deepEqual(from('Tac in a container'), ['server rule file tac.yaml']);
    assert.deepEqual(from('Rev in a container'), [`local file ${localRules}`]);
    assert.ok(d.rules.filter((r: { from: string }) => r.from === 'built-in').length > 10, 'the built-in rules are listed as built-in');
    const ty = (id: string) => d.types.find((t: { type: string }) => t.type === id);
    assert.equal(ty('system/high-risk-command').enabled, false, 'the pushed detection policy applies');
    assert.equal(ty('system/high-risk-command').enabledFrom, 'server-tuning');
    assert.ok(ty('custom/Tac in a container'), 'the server rule raises its type');

    // The local policy of the same name wins, as on the agent.
    const withLocal = JSON.parse(vigil('rules', 'effective', '--format', 'json', '--agent-data-dir', agentDir, '--policy', localPolicy).stdout);
    assert.equal(withLocal.types.find((t: { type: string }) => t.type === 'user/brute-force').severity, 'low');
    assert.equal(withLocal.types.find((t: { type: string }) => t.type === 'system/high-risk-command').enabled, true);

    const table = vigil('rules', 'effective', '--agent-data-dir', agentDir, '--rules', localRules);
    assert.equal(table.status, 0, table.stderr);
    assert.match(table.stdout, new RegExp(`Agent ${agentDir}: the server's set of revision ${set.revision.slice(0, 19)}`));
    assert.match(table.stdout, /server rule files: tac\.yaml \(1 rules\)/);
    assert.match(table.stdout, /threat list: 3 entries from the server/);
    assert.match(table.stdout, /rules: "Tac in a container" \(server rule file tac\.yaml\)/);
    assert.match(table.stdout, /rules: "Rev in a container" \(local file .*local\.yaml\)/);
    // Without the flag nothing of the agent's set shows.
    const plain = vigil('rules', 'effective', '--format', 'json');
    assert.equal(JSON.parse(plain.stdout).agent, undefined);
    assert.ok(!plain.stdout.includes('Tac in a container'));

    // Broken saved sets: one line naming the file, exit 2.
    const refuse = (content: string | undefined, re: RegExp) => {
      const bad = join(dir, `bad-${Math.random().toString(36).slice(2)}`);
      mkdirSync(bad);
      if (content !== undefined) writeFileSync(join(bad, 'policies.json'), content);
      const r = vigil('rules', 'effective', '--agent-data-dir', bad);
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr.trim(), re);
      assert.ok(r.stderr.includes(join(bad, 'policies.json')), r.stderr);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.ok(!/\n\s+at /.test(r.stderr), 'no stack trace');
    };
    refuse(undefined, /has not received a set/);
    refuse('{"format": 1, "revision": ', /not JSON/);
    refuse('[1,2]', /not a JSON object/);
    refuse(JSON.stringify({ ...set, format: 99 }), /format 99/);
    refuse(JSON.stringify({ ...set, rules: [{ name: 'x' }] }), /rules: expected a list/);
    refuse(JSON.stringify({ ...set, threatIps: [1] }), /threatIps: expected a list of CIDRs/);
    // A server rule file that does not load is left out, as the agent leaves it out.
    const leftDir = join(dir, 'left');
    mkdirSync(leftDir);
    writeFileSync(join(leftDir, 'policies.json'), JSON.stringify({ ...set, rules: [...set.rules!, { name: 'bad.yaml', content: '- rule: [unclosed\n' }] }));
    const left = vigil('rules', 'effective', '--agent-data-dir', leftDir);
    assert.equal(left.status, 0, left.stderr);
    assert.match(
      left.stdout,
      /server rule files: tac\.yaml \(1 rules\)\n {2}left out \(does not load here, as on the agent\): bad\.yaml: 2:1: .*\(YAML_SYNTAX\)/,
    );
    // Past the cap (a sparse file: nothing is written): refused before it is read.
    const big = join(dir, 'big');
    mkdirSync(big);
    const fd = openSync(join(big, 'policies.json'), 'w');
    ftruncateSync(fd, MAX_SAVED_SET_BYTES + 1);
    closeSync(fd);
    const r = vigil('rules', 'effective', '--agent-data-dir', big);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /larger than 67108864 bytes/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
