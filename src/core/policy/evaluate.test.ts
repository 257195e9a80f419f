import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { SyscallEvent } from '../rules/event.js';
import { validatePolicyDocument, parseDuration, protectedPaths } from './model.js';
import { evaluate, emptyLearnState, startLearning, isUnder, isReverseShell, selectorMatches } from './evaluate.js';
import { violationAlert, lostEventsAlert } from './alert.js';
import { InputError } from '../errors.js';

const CID = 'c'.repeat(64);
function ev(type: string, over: Partial<SyscallEvent> = {}): SyscallEvent {
  return {
    source: 'syscall', type, time: 1_700_000_000_000, args: {},
    proc: { pid: 42, ppid: 1, name: 'sh', uid: 0, exepath: '/bin/sh', args: ['sh'] },
    container: { id: CID, name: 'web-1', image: 'docker.io/library/nginx:1.25', imageRepository: 'docker.io/library/nginx', imageTag: '1.25' },
    ...over,
  };
}
const exec = (exe: string, id = CID) => ev('execve', { res: 0, proc: { pid: 7, ppid: 1, name: exe.split('/').pop()!, uid: 0, exepath: exe }, container: { id } });

describe('policy model', () => {
  it('accepts a full document and the shorthands', () => {
    const doc = validatePolicyDocument({
      apiVersion: 'vigil.dev/v1', kind: 'RuntimePolicy',
      policies: [{ name: 'web', selector: { images: ['nginx:*'] }, mode: 'enforce', processWhitelist: { executables: ['/usr/sbin/nginx'], learn: '10m' }, fileProtection: { paths: ['/usr/bin'] }, reverseShell: 'off' }],
    });
    assert.equal(doc.policies[0]!.mode, 'enforce');
    assert.deepEqual(protectedPaths(doc), ['/usr/bin']);
    assert.equal(validatePolicyDocument([{ name: 'a', selector: { containers: ['*'] } }]).policies.length, 1);
    assert.equal(validatePolicyDocument({ name: 'a', selector: { containers: ['*'] } }).policies.length, 1);
    // The model is plain data: it survives a JSON round trip unchanged.
    assert.deepEqual(JSON.parse(JSON.stringify(doc)), doc);
  });

  it('rejects broken documents with a code and the offending field', () => {
    const cases: Array<[unknown, RegExp]> = [
      [42, /p\.yaml: must be a mapping/],
      [{ policies: 'x' }, /policies: must be a list/],
      [{ policies: [{ name: 'a' }] }, /policies\[0\]\.selector/],
      [{ policies: [{ name: 'a', selector: {} }] }, /needs at least one image or container/],
      [{ policies: [{ name: 'a', selector: { images: ['x'] }, mode: 'kill' }] }, /policies\[0\]\.mode: must be alert or enforce/],
      [{ policies: [{ name: 'a', selector: { images: ['x'] }, fileProtection: { paths: ['relative'] } }] }, /paths\[0\]: must be an absolute path/],
      [{ policies: [{ name: 'a', selector: { images: ['x'] }, processWhitelist: { learn: 'soon' } }] }, /not a duration/],
      [{ policies: [{ name: 'a', selector: { images: ['x'] } }, { name: 'a', selector: { images: ['y'] } }] }, /duplicate policy name/],
      [{ policies: [{ name: 'a', selector: { images: ['x'] }, typo: 1 }] }, /policies\[0\]\.typo: unknown field/],
      [{ apiVersion: 'v2', policies: [] }, /apiVersion/],
    ];
    for (const [raw, re] of cases) {
      assert.throws(() => validatePolicyDocument(raw, 'p.yaml'), (e: unknown) => e instanceof InputError && e.code === 'POLICY_INVALID' && re.test(e.message), String(re));
    }
  });

  it('parses durations', () => {
    assert.equal(parseDuration('90s', 'x'), 90_000);
    assert.equal(parseDuration('10m', 'x'), 600_000);
    assert.equal(parseDuration(2, 'x'), 2000);
    assert.equal(parseDuration('250ms', 'x'), 250);
    assert.throws(() => parseDuration('31d', 'x'), InputError);
  });
});

describe('policy evaluation', () => {
  const doc = validatePolicyDocument({
    policies: [
      { name: 'wl', selector: { containers: [CID.slice(0, 12)] }, processWhitelist: { executables: ['/bin/sh', '/usr/lib/app/*'] } },
      { name: 'fp', selector: { images: ['docker.io/library/nginx:*'] }, mode: 'enforce', fileProtection: { paths: ['/usr/bin', '/etc/nginx/'] } },
    ],
  });

  it('matches selectors by id prefix, name glob and image', () => {
    assert.equal(selectorMatches(doc.policies[0]!, { id: CID }), true);
    assert.equal(selectorMatches(doc.policies[0]!, { id: 'd'.repeat(64) }), false);
    assert.equal(selectorMatches(doc.policies[1]!, { id: 'd'.repeat(64), image: 'docker.io/library/nginx:1.25' }), true);
    assert.equal(selectorMatches(doc.policies[1]!, { id: 'host' }), false);
  });

  it('raises container/abnormal-process outside the whitelist, not inside', () => {
    const st = emptyLearnState();
    assert.deepEqual(evaluate(doc, exec('/bin/sh'), st, 0).violations, []);
    assert.deepEqual(evaluate(doc, exec('/usr/lib/app/bin/worker'), st, 0).violations, []);
    const v = evaluate(doc, exec('/usr/bin/nc'), st, 0).violations;
    assert.equal(v.length, 1);
    assert.equal(v[0]!.type, 'container/abnormal-process');
    assert.equal(v[0]!.enforce, false);
    // Host processes and other containers are not this policy's business.
    assert.deepEqual(evaluate(doc, exec('/usr/bin/nc', 'host'), st, 0).violations, []);
  });

  it('learns for the set time, then locks', () => {
    const learnDoc = validatePolicyDocument({ policies: [{ name: 'l', selector: { containers: ['*'] }, processWhitelist: { learn: '60s' } }] });
    const st = emptyLearnState();
    assert.equal(startLearning(learnDoc, st, 1000), true);
    const r1 = evaluate(learnDoc, exec('/usr/bin/python3'), st, 2000);
    assert.equal(r1.learned, true);
    assert.deepEqual(r1.violations, []);
    assert.deepEqual(evaluate(learnDoc, exec('/usr/bin/curl'), st, 30_000).violations, []);
    // Locked after 60 s: learned programs pass, new ones do not.
    assert.deepEqual(evaluate(learnDoc, exec('/usr/bin/python3'), st, 62_000).violations, []);
    assert.equal(evaluate(learnDoc, exec('/usr/bin/nc'), st, 62_000).violations[0]?.type, 'container/abnormal-process');
    assert.deepEqual(st.policies.l!.executables, ['/usr/bin/python3', '/usr/bin/curl']);
    // A restart keeps the window's start.
    assert.equal(startLearning(learnDoc, st, 100_000), false);
  });

  it('protects paths against changes (enforce), not against reads or neighbours', () => {
    const st = emptyLearnState();
    const open = (path: string, flags: number) => ev('openat', { res: 3, args: { flags }, fd: { type: 'file', name: path } });
    const w = evaluate(doc, open('/usr/bin/ls', 0o1101), st, 0).violations;
    assert.equal(w[0]?.type, 'container/sensitive-file-access');
    assert.equal(w[0]?.enforce, true);
    assert.deepEqual(evaluate(doc, open('/usr/bin/ls', 0), st, 0).violations, []);
    assert.deepEqual(evaluate(doc, open('/usr/binary', 1), st, 0).violations, []);
    assert.equal(evaluate(doc, ev('unlinkat', { fd: { type: 'file', name: '/etc/nginx/nginx.conf' } }), st, 0).violations.length, 1);
    assert.equal(evaluate(doc, ev('renameat2', { fd: { type: 'file', name: '/etc/nginx' } }), st, 0).violations.length, 1);
    // A failed open changed nothing.
    assert.deepEqual(evaluate(doc, ev('openat', { res: -13, args: { flags: 1 }, fd: { type: 'file', name: '/usr/bin/ls' } }), st, 0).violations, []);
    assert.equal(isUnder('/usr/bin', '/usr/bin/'), true);
    assert.equal(isUnder('/anything', '/'), true);
  });

  it('sees reverse shells on exec and on dup2, and follows the mode', () => {
    const rs = ev('execve', { res: 0, proc: { pid: 9, ppid: 1, name: 'bash', uid: 0, stdin: 'ipv4', stdout: 'ipv4' } });
    assert.equal(isReverseShell(rs), true);
    assert.equal(isReverseShell(ev('execve', { proc: { pid: 9, ppid: 1, name: 'bash', uid: 0, stdin: 'pipe', stdout: 'ipv4' } })), false);
    assert.equal(isReverseShell(ev('dup2', { args: { newfd: 0 }, fd: { type: 'ipv4', name: 'x' } })), true);
    assert.equal(isReverseShell(ev('dup2', { args: { newfd: 5 }, fd: { type: 'ipv4', name: 'x' } })), false);
    const v = evaluate(doc, rs, emptyLearnState(), 0).violations;
    assert.equal(v.find((x) => x.type === 'system/reverse-shell' && x.policy === 'fp')?.enforce, true);
    assert.equal(v.find((x) => x.type === 'system/reverse-shell' && x.policy === 'wl')?.enforce, false);
  });

  it('builds alerts in the one Alert shape', () => {
    const v = evaluate(doc, exec('/usr/bin/nc'), emptyLearnState(), 0).violations[0]!;
    const a = violationAlert(v, exec('/usr/bin/nc'), 'id-1', 'node-1');
    assert.equal(a.type, 'container/abnormal-process');
    assert.equal(a.container?.id, CID);
    assert.equal(a.process?.exepath, '/usr/bin/nc');
    assert.equal(a.rule, 'policy:wl');
    const l = lostEventsAlert(5, 12, 'id-2', 'node-1', 0);
    assert.equal(l.type, 'sensor/lost-events');
    assert.match(l.message, /lost 5 kernel events \(12 since start\)/);
  });
});
