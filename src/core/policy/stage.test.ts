import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { exec, open, TEST_TIME } from '../rules/event-builders.js';
import { emptyLearnState } from './evaluate.js';
import { validatePolicyDocument } from './model.js';
import { PolicyStage } from './stage.js';

const doc = () =>
  validatePolicyDocument(
    {
      policies: [
        {
          name: 'web',
          selector: { images: ['docker.io/library/nginx*'] },
          processWhitelist: { executables: ['/usr/sbin/nginx'], learn: '1m' },
          fileProtection: { paths: ['/etc/nginx'] },
        },
      ],
    },
    'test-policy',
  );
const web = { container: {} };

describe('PolicyStage: one decision per event, whatever the order of the questions', () => {
  it('interleaved events: each keeps its own decision, taken once at its own clock', () => {
    let now = TEST_TIME;
    let evaluations = 0;
    // The stage reads the clock once per evaluation: the count says how often an event was judged.
    const stage = new PolicyStage(doc(), emptyLearnState(), () => (evaluations++, now));
    evaluations = 0;
    const a = exec('/usr/bin/php-fpm', web);
    const b = open('/etc/nginx/nginx.conf', 'w', web);
    // The pipeline decides a (learned: inside the window), then b; the clock passes the learn window;
    // then the engine's detectors ask about a and b.
    assert.deepEqual(stage.decide(a).violations, []);
    assert.deepEqual(
      stage.decide(b).violations.map((v) => v.type),
      ['container/sensitive-file-access'],
    );
    now += 5 * 60_000;
    assert.deepEqual(stage.violations(a), [], 'a was learned when decided: no verdict at a later clock');
    assert.deepEqual(
      stage.violations(b).map((v) => [v.type, v.subject]),
      [['container/sensitive-file-access', '/etc/nginx/nginx.conf']],
    );
    assert.deepEqual(stage.learn.policies.web!.executables, ['/usr/bin/php-fpm']);
    assert.equal(evaluations, 2, 'a and b were each judged once');
    // A new event after the window is judged at its own clock.
    assert.deepEqual(
      stage.violations(exec('/usr/bin/curl', web)).map((v) => v.subject),
      ['/usr/bin/curl'],
    );
  });

  it('the same event asked twice is one learning step', () => {
    const stage = new PolicyStage(doc(), emptyLearnState(), () => TEST_TIME);
    assert.equal(stage.takeLearned(), true, 'the learn window started');
    const a = exec('/usr/bin/php-fpm', web);
    stage.decide(a);
    assert.equal(stage.takeLearned(), true);
    stage.violations(a);
    stage.decide(a);
    assert.equal(stage.takeLearned(), false, 'nothing new learned');
  });
});
