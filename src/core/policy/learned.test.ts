import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InputError } from '../errors.js';
import { execIn } from './policy.test-helpers.js';
import { emptyLearnState } from './evaluate.js';
import { learnedReport, readLearnedDecisions, readLearnedReport, MAX_LEARNED_REPORT } from './learned.js';
import { validatePolicyDocument } from './model.js';
import { PolicyStage } from './stage.js';

const doc = validatePolicyDocument({ policies: [{ name: 'web', selector: { images: ['nginx:*'] }, processWhitelist: { learn: '60s' } }] });

const exec = (exe: string) => execIn('nginx:1.25', exe);

describe('learned entries', () => {
  it('the stage records image, first seen and count; the report reads back; decisions make it forget', () => {
    let now = 1_700_000_000_000;
    const stage = new PolicyStage(doc, emptyLearnState(), () => now);
    stage.takeLearned();
    stage.decide(exec('/usr/sbin/nginx'));
    now += 1000;
    stage.decide(exec('/usr/sbin/nginx'));
    stage.decide(exec('/bin/sh'));
    assert.equal(stage.takeLearned(), true);
    const report = learnedReport(stage.learn);
    assert.deepEqual(report.entries, [
      { policy: 'web', executable: '/usr/sbin/nginx', image: 'nginx:1.25', firstSeen: new Date(1_700_000_000_000).toISOString(), count: 2 },
      { policy: 'web', executable: '/bin/sh', image: 'nginx:1.25', firstSeen: new Date(1_700_000_001_000).toISOString(), count: 1 },
    ]);
    assert.deepEqual(readLearnedReport(JSON.stringify(report)), report.entries);

    // A count going up alone is a change to save (and report).
    stage.decide(exec('/bin/sh'));
    assert.equal(stage.takeLearned(), true);

    const decisions = readLearnedDecisions(JSON.stringify({ decisions: [{ policy: 'web', executable: '/bin/sh', decision: 'rejected' }] }));
    assert.equal(stage.forget(decisions), 1);
    assert.deepEqual(stage.learn.policies.web!.executables, ['/usr/sbin/nginx']);
    assert.equal(stage.learn.policies.web!.seen!['/bin/sh'], undefined);
    assert.equal(stage.forget(decisions), 0, 'forgetting twice changes nothing');
    assert.equal(stage.forget([{ policy: 'other', executable: '/bin/sh' }]), 0, 'an unknown policy is no change');
  });

  it('refuses broken reports and decisions with one line naming where', () => {
    const entry = { policy: 'web', executable: '/bin/sh', image: 'nginx', firstSeen: '2026-01-01T00:00:00Z', count: 1 };
    const bad: Array<[string, RegExp]> = [
      ['not json', /not JSON/],
      ['[]', /"entries" list/],
      [JSON.stringify({ entries: {} }), /"entries" list/],
      [JSON.stringify({ entries: [5] }), /entries\[0\].*not an object/],
      [JSON.stringify({ entries: [{ ...entry, policy: '../x' }] }), /policy: not a policy name/],
      [JSON.stringify({ entries: [{ ...entry, executable: '' }] }), /executable/],
      [JSON.stringify({ entries: [{ ...entry, executable: 'a\nb' }] }), /executable/],
      [JSON.stringify({ entries: [{ ...entry, executable: 'x'.repeat(5000) }] }), /executable/],
      [JSON.stringify({ entries: [{ ...entry, image: 7 }] }), /image/],
      [JSON.stringify({ entries: [{ ...entry, firstSeen: 'yesterday' }] }), /firstSeen/],
      [JSON.stringify({ entries: [{ ...entry, count: 0 }] }), /count/],
      [JSON.stringify({ entries: [{ ...entry, count: 1.5 }] }), /count/],
      [JSON.stringify({ entries: Array.from({ length: MAX_LEARNED_REPORT + 1 }, () => entry) }), /more than 20000 entries/],
    ];
    for (const [json, re] of bad) {
      assert.throws(
        () => readLearnedReport(json, 'report of n1'),
        (e: unknown) =>
          e instanceof InputError && e.code === 'LEARNED_INVALID' && re.test(e.message) && !e.message.includes('\n') && /report of n1/.test(e.message),
        json.slice(0, 80),
      );
    }
    assert.throws(() => readLearnedDecisions(JSON.stringify({ decisions: [{ policy: 'web', executable: '/bin/sh', decision: 'maybe' }] })), /decision/);
  });
});
