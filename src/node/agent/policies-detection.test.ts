// The agent's pushed detection policies on its live rule engine (no server:
// the sets are built by the server's own pushedPolicies from policy rows).
// The real built-in rules and the engine runtime watch builds; each set goes
// through AgentPolicies.apply as a pushed command would.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PolicyStage } from '../../core/policy/stage.js';
import { emptyLearnState } from '../../core/policy/evaluate.js';
import { pushedPolicies, type PushedPolicyRow } from '../../core/policy/pushed.js';
import { validateDetectionDocument } from '../../core/policy/detection.js';
import { open } from '../../core/rules/event-builders.js';
import type { EffectiveConfig } from '../../core/rules/tuning.js';
import { liveDetection, loadEngine, type EngineLike } from '../runtime/engine.js';
import { AgentPolicies } from './policies.js';

const digest = (s: string) => `sha256:${createHash('sha256').update(s).digest('hex')}`;

function row(name: string, document: Record<string, unknown>, images: string[] = []): PushedPolicyRow {
  return { id: `id-${name}`, name, kind: 'detection', mode: 'alert', document, images, updatedAt: '2026-12-01T00:00:00Z' };
}

const set = (rows: PushedPolicyRow[]) => JSON.stringify(pushedPolicies('p1', false, rows, digest));

/** cat reads /etc/shadow in a container of `image`. */
const shadowRead = (image: string) => open('/etc/shadow', 'r', { proc: { name: 'cat', exepath: '/usr/bin/cat' }, container: { image } });

describe('agent: pushed detection policies retune the live engine', () => {
  let dir = '';
  let engine: EngineLike;
  let agent: AgentPolicies;
  const notices: string[] = [];
  const raised = (image: string) => engine.process(shadowRead(image)).map((a) => a.type);
  const effective = () => JSON.parse(readFileSync(agent.effectiveFile, 'utf8')) as EffectiveConfig;
  const theft = () => effective().types.find((t) => t.type === 'user/password-theft')!;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-agent-det-'));
    const stage = new PolicyStage({ policies: [] }, emptyLearnState(), () => 1000);
    const local = validateDetectionDocument(
      { kind: 'DetectionPolicy', policies: [{ name: 'local-tuning', types: { 'system/high-risk-command': { severity: 'low' } } }] },
      'local.yaml',
    ).policies;
    engine = await loadEngine({ host: 'n1', policyDecision: stage.violations, detection: local });
    agent = new AgentPolicies(dir, (l) => notices.push(l));
    agent.bind(stage, { protectedPrefixes: undefined }, liveDetection(engine, local));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('raises before any push; the effective file shows the local policy', () => {
    assert.deepEqual(raised('docker.io/library/nginx:1.25'), ['user/password-theft']);
    assert.equal(theft().enabled, true);
    assert.deepEqual(
      effective().policies.map((p) => p.name),
      ['local-tuning'],
    );
  });

  it('a pushed policy that turns the type off: silent from the next event, without a restart; removed: raised again', () => {
    const r = agent.apply(set([row('quiet-theft', { types: { 'user/password-theft': false } })]));
    assert.equal(r.error, undefined);
    assert.equal(r.detection, 2, 'the local policy and the pushed one');
    assert.deepEqual(raised('docker.io/library/nginx:1.25'), []);
    assert.equal(theft().enabled, false);
    assert.equal(theft().enabledFrom, 'quiet-theft');
    assert.ok(existsSync(agent.file), 'saved for an offline restart');

    const back = agent.apply(set([]));
    assert.equal(back.detection, 1);
    assert.deepEqual(raised('docker.io/library/nginx:1.25'), ['user/password-theft']);
    assert.equal(theft().enabledFrom, 'default');
  });

  it("a policy applied to an image: scoped to the image's runtime forms; other images still raise", () => {
    agent.apply(set([row('nginx-quiet', { types: { 'user/password-theft': false } }, ['registry:docker.io/library/nginx:1.25'])]));
    assert.deepEqual(raised('nginx:1.25'), [], 'the short form a runtime reports');
    assert.deepEqual(raised('docker.io/library/nginx:1.25'), []);
    assert.deepEqual(raised('docker.io/library/redis:7'), ['user/password-theft']);
    assert.equal(theft().enabled, 'scoped');
  });

  it('allowlists and thresholds arrive too; a local policy of the same name wins', () => {
    const r = agent.apply(
      set([
        row('trust-ops', { allow: [{ name: 'ops', types: ['user/password-theft'], images: ['registry.test/ops/*'] }] }),
        row('bf', { thresholds: { 'brute-force': { attempts: 9 } } }),
        row('local-tuning', { types: { 'system/high-risk-command': false } }),
      ]),
    );
    assert.equal(r.error, undefined);
    assert.deepEqual(raised('registry.test/ops/backup:1'), []);
    assert.deepEqual(raised('registry.test/shop/web:1'), ['user/password-theft']);
    assert.equal(engine.engine!.thresholds['brute-force']!.attempts, 9);
    assert.ok(notices.some((n) => /local --policy file overrides pushed detection policies local-tuning/.test(n)));
    const hr = effective().types.find((t) => t.type === 'system/high-risk-command')!;
    assert.equal(hr.enabled, true, 'the local policy (severity only) kept, the pushed one of its name ignored');
  });

  it('an invalid pushed detection policy refuses the whole set; the previous one stays', () => {
    const before = engine.engine;
    const bad = JSON.parse(set([])) as Record<string, unknown>;
    bad.detection = [{ name: 'broken', types: { 'user/brute-forse': false } }];
    const r = agent.apply(JSON.stringify(bad));
    assert.match(r.error ?? '', /pushed detection policies\[0\]\.types\.user\/brute-forse: unknown alert type/);
    assert.equal(engine.engine, before, 'the engine was not rebuilt');
    assert.deepEqual(raised('registry.test/ops/backup:1'), []);
  });

  it('an unchanged detection list does not rebuild the engine (its aggregation windows stay)', () => {
    const same = set([row('trust-ops', { allow: [{ name: 'ops', types: ['user/password-theft'], images: ['registry.test/ops/*'] }] })]);
    agent.apply(same);
    const en = engine.engine;
    const s2 = JSON.parse(same) as Record<string, unknown>;
    s2.protected = true;
    agent.apply(JSON.stringify(s2));
    assert.equal(engine.engine, en);
  });
});
