// The agent saves a pushed set before it says it applied it: when the engine
// logs "server rules and threat list applied", policies.json under the data
// dir already holds that set (so the line, and the PolicyApplied the agent
// then sends, mean the set survives a restart), and a fresh AgentPolicies on
// the same dir (a restarted agent) applies it again. Real engine, real
// pushed sets (the server's pushedPolicies).
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PolicyStage } from '../../core/policy/stage.js';
import { emptyLearnState } from '../../core/policy/evaluate.js';
import { pushedPolicies } from '../../core/policy/pushed.js';
import { liveDetection, loadEngine } from '../runtime/engine.js';
import { AgentPolicies } from './policies.js';
import { digest, TAC_RULE as RULE } from './saved-set.test-helpers.js';

async function boot(dir: string, notice: (l: string) => void): Promise<AgentPolicies> {
  const stage = new PolicyStage({ policies: [] }, emptyLearnState(), () => 1000);
  const engine = await loadEngine({ host: 'n1', policyDecision: stage.violations, detection: [] });
  const agent = new AgentPolicies(dir, notice);
  agent.bind(stage, { protectedPrefixes: undefined }, liveDetection(engine, []));
  return agent;
}

describe('agent: a pushed set is saved before it is reported applied', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-agent-save-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('policies.json holds the set when the applied line is logged; a restarted agent applies it', async () => {
    const seenAtNotice: Array<string | undefined> = [];
    const effectiveAtNotice: Array<number | undefined> = [];
    const agent = await boot(dir, (l) => {
      if (!l.startsWith('server rules and threat list applied')) return;
      seenAtNotice.push(existsSync(agent.file) ? readFileSync(agent.file, 'utf8') : undefined);
      // The engine runs with them by then: the effective configuration already shows the list.
      effectiveAtNotice.push((JSON.parse(readFileSync(agent.effectiveFile, 'utf8')) as { server?: { threatIps: number } }).server?.threatIps);
    });
    const json = JSON.stringify(
      pushedPolicies('p1', true, [], digest, { rules: [{ name: 'tac.yaml', content: RULE }], threatIps: ['203.0.113.0/24', '198.51.100.7/32'] }),
    );
    const r = agent.apply(json);
    assert.equal(r.error, undefined);
    assert.equal(seenAtNotice.length, 1, 'the engine took the server rules and threat list');
    assert.equal(seenAtNotice[0], json, 'the set was on disk when the agent said it applied it');
    assert.deepEqual(
      readdirSync(dir).filter((f) => f.endsWith('.tmp')),
      [],
      'no temporary file left',
    );

    // A second set: the log line again only once the new set is saved.
    const json2 = JSON.stringify(pushedPolicies('p1', true, [], digest, { rules: [], threatIps: ['203.0.113.0/24'] }));
    agent.apply(json2);
    assert.equal(seenAtNotice.length, 2);
    assert.equal(seenAtNotice[1], json2);
    assert.deepEqual(effectiveAtNotice, [2, 1], 'the effective configuration showed each list when the line was logged');

    // Restarted (a new process on the same data dir, no server): the saved set applies.
    const notices: string[] = [];
    await boot(dir, (l) => notices.push(l));
    assert.ok(
      notices.some((l) => /server rules and threat list applied: 0 rule files \(0 rules\), 1 threat-IP entries/.test(l)),
      notices.join('\n'),
    );
    const effective = JSON.parse(readFileSync(join(dir, 'detection-effective.json'), 'utf8')) as { server?: { threatIps: number } };
    assert.equal(effective.server?.threatIps, 1);
  });
});
