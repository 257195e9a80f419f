// A detection policy pushed to a running agent, as real processes (`vigil
// server` on SQLite, `vigil agent` linked over gRPC/TLS): a policy of kind
// detection created through the API that turns a type off reaches the agent,
// whose rule engine stops raising the type without a restart (a second rule,
// on another key file, is the positive control that the agent still sees
// changes), and its effective configuration file names the policy; deleted,
// the type is raised again. Needs root (the agent's procfs sensor).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isRoot, localLog, until, withLinkedAgent } from './harness.js';
import type { EffectiveConfig } from '../../../src/core/rules/tuning.js';

const TYPE = 'custom/Test key file changed';
const CONTROL = 'custom/Control file changed';

test(
  'agent: a pushed detection policy turns a type off live; deleted, the type is raised again',
  { skip: !isRoot && 'needs root (procfs sensor)', timeout: 180_000 },
  () => {
    let control = '';
    // A second rule on a control file: proof that the agent saw the changes.
    const args = (dir: string) => {
      control = join(dir, 'control');
      writeFileSync(control, 'a\n');
      const controlRules = join(dir, 'control-rules.yaml');
      writeFileSync(
        controlRules,
        `- rule: Control file changed\n  desc: the control file changed\n  condition: evt.type = filechange and evt.arg.path = ${control}\n  output: Control file %evt.arg.path changed\n  priority: ERROR\n  severity: high\n`,
      );
      return ['--rules', controlRules, '--key-file', control];
    };
    return withLinkedAgent('vigil-agent-det-', { args }, async ({ api, projectId, keyFile, agentDir, a }) => {
      const applied = (n: number) =>
        a!
          .err()
          .split('\n')
          .filter((l) => new RegExp(`policies applied: .*, ${n} detection policies`).test(l)).length;
      await until('the first set applied', () => applied(0) >= 1 || undefined, 10_000, a);

      appendFileSync(keyFile, 'one:x:0:0::/root:/bin/sh\n');
      await until('raised before the policy', () => localLog(agentDir, TYPE).length >= 1 || undefined, 10_000, a);

      const pol = await api.call<{ id: string }>('POST', `/api/v1/projects/${projectId}/policies`, {
        name: 'quiet-key-file',
        kind: 'detection',
        mode: 'alert',
        document: { types: { [TYPE]: false } },
      });
      await until('the detection policy applied', () => applied(1) >= 1 || undefined, 10_000, a);
      const eff = JSON.parse(readFileSync(join(agentDir, 'detection-effective.json'), 'utf8')) as EffectiveConfig;
      const t = eff.types.find((x) => x.type === TYPE);
      assert.equal(t?.enabled, false, 'the agent writes what its engine applies');
      assert.equal(t?.enabledFrom, 'quiet-key-file');

      const before = localLog(agentDir, TYPE).length;
      const controlBefore = localLog(agentDir, CONTROL).length;
      appendFileSync(keyFile, 'two:x:0:0::/root:/bin/sh\n');
      appendFileSync(control, 'b\n');
      await until('the control alert (the agent saw the changes)', () => localLog(agentDir, CONTROL).length > controlBefore || undefined, 10_000, a);
      await new Promise((r) => setTimeout(r, 1500));
      assert.equal(localLog(agentDir, TYPE).length, before, 'the turned-off type is not raised, without a restart');

      await api.call('DELETE', `/api/v1/projects/${projectId}/policies/${pol.id}`);
      await until('the set without it applied', () => applied(0) >= 2 || undefined, 10_000, a);
      appendFileSync(keyFile, 'three:x:0:0::/root:/bin/sh\n');
      await until('raised again', () => localLog(agentDir, TYPE).length > before || undefined, 10_000, a);
      assert.equal(a.proc.exitCode, null, 'the same agent process throughout');
    });
  },
);
