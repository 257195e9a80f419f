import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { SyscallEvent } from '../events/event.js';
import { validatePolicyDocument, parseDuration, protectedPaths } from './model.js';
import {
  evaluate,
  emptyLearnState,
  startLearning,
  isUnder,
  isReverseShell,
  selectorMatches,
  fileTouch,
  protectingPath,
  processViolation,
  whitelistAllows,
  VIOLATION_ALERTS,
} from './evaluate.js';
import { violationAlert, lostEventsAlert } from './alert.js';
import { InputError } from '../errors.js';
import { Engine, loadRuleset, makeEvent, exec as execOf, open as openOf, TEST_CONTAINER, type ContainerPolicy } from '../rules/index.js';

const CID = 'c'.repeat(64);
function ev(type: string, over: Partial<SyscallEvent> = {}): SyscallEvent {
  return {
    source: 'syscall',
    type,
    time: 1_700_000_000_000,
    args: {},
    proc: { pid: 42, ppid: 1, name: 'sh', uid: 0, exepath: '/bin/sh', args: ['sh'] },
    container: { id: CID, name: 'web-1', image: 'docker.io/library/nginx:1.25', imageRepository: 'docker.io/library/nginx', imageTag: '1.25' },
    ...over,
  };
}
const exec = (exe: string, id = CID) =>
  ev('execve', { res: 0, proc: { pid: 7, ppid: 1, name: exe.split('/').pop()!, uid: 0, exepath: exe }, container: { id } });

describe('policy model', () => {
  it('accepts a full document and the shorthands', () => {
    const doc = validatePolicyDocument({
      apiVersion: 'vigil.dev/v1',
      kind: 'RuntimePolicy',
      policies: [
        {
          name: 'web',
          selector: { images: ['nginx:*'] },
          mode: 'enforce',
          processWhitelist: { executables: ['/usr/sbin/nginx'], learn: '10m' },
          fileProtection: { paths: ['/usr/bin'] },
          reverseShell: 'off',
        },
      ],
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
      [
        {
          policies: [
            { name: 'a', selector: { images: ['x'] } },
            { name: 'a', selector: { images: ['y'] } },
          ],
        },
        /duplicate policy name/,
      ],
      [{ policies: [{ name: 'a', selector: { images: ['x'] }, typo: 1 }] }, /policies\[0\]\.typo: unknown field/],
      [{ apiVersion: 'v2', policies: [] }, /apiVersion/],
    ];
    for (const [raw, re] of cases) {
      assert.throws(
        () => validatePolicyDocument(raw, 'p.yaml'),
        (e: unknown) => e instanceof InputError && e.code === 'POLICY_INVALID' && re.test(e.message),
        String(re),
      );
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
    // Unix sockets (a child's stdio socketpair) and sockets the sensor could not classify are no network.
    assert.equal(isReverseShell(ev('dup2', { args: { newfd: 1 }, fd: { type: 'unix', name: 'socket:[1]' } })), false);
    assert.equal(isReverseShell(ev('dup2', { args: { newfd: 1 }, fd: { type: 'socket', name: 'socket:[1]' } })), false);
    assert.equal(isReverseShell(ev('execve', { res: 0, proc: { pid: 9, ppid: 1, name: 'bash', uid: 0, stdin: 'socket', stdout: 'socket' } })), false);
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

  it('decides file touches for every sensor shape: creates, removals, chowns, content changes, rendered flags', () => {
    assert.deepEqual(fileTouch(ev('openat', { res: 3, args: { flags: 0o100 }, fd: { type: 'file', name: '/etc/x' } })), { path: '/etc/x', change: true }); // O_CREAT, read-only
    assert.deepEqual(fileTouch(ev('openat', { res: 3, args: { flags: 'O_RDONLY|O_TRUNC' }, fd: { type: 'file', name: '/etc/x' } })), {
      path: '/etc/x',
      change: true,
    });
    assert.deepEqual(fileTouch(ev('openat', { res: 3, args: { flags: 'O_RDONLY', name: '/etc/x' } })), { path: '/etc/x', change: false });
    assert.deepEqual(fileTouch(ev('renameat2', { args: { oldpath: '/tmp/a', newpath: '/usr/bin/a' } })), { path: '/usr/bin/a', from: '/tmp/a', change: true });
    // Moving a protected file away is a change of the protected path.
    const away = fileTouch(ev('renameat2', { args: { oldpath: '/etc/shadow', newpath: '/tmp/x' }, fd: { type: 'file', name: '/tmp/x' } }))!;
    assert.deepEqual(protectingPath(away, ['/etc/']), { path: '/etc/shadow', dir: '/etc/' });
    assert.deepEqual(protectingPath(away, ['/tmp']), { path: '/tmp/x', dir: '/tmp' });
    assert.equal(protectingPath(away, ['/usr']), undefined);
    assert.deepEqual(fileTouch(ev('creat', { args: { name: '/usr/bin/a' } })), { path: '/usr/bin/a', change: true });
    // A hard link is a change of its new name; the file it names is not touched.
    const link = fileTouch(ev('linkat', { args: { oldpath: '/var/tmp/job', newpath: '/etc/cron.d/job' }, fd: { type: 'file', name: '/etc/cron.d/job' } }))!;
    assert.deepEqual(link, { path: '/etc/cron.d/job', change: true });
    assert.deepEqual(protectingPath(link, ['/etc/cron.d']), { path: '/etc/cron.d/job', dir: '/etc/cron.d' });
    assert.equal(protectingPath(link, ['/var/tmp']), undefined);
    for (const type of ['rmdir', 'chown', 'fchownat'])
      assert.deepEqual(fileTouch(ev(type, { args: { path: '/usr/bin/a' } })), { path: '/usr/bin/a', change: true }, type);
    assert.deepEqual(fileTouch(ev('filechange', { args: { path: '/etc/nginx/nginx.conf' } })), { path: '/etc/nginx/nginx.conf', change: true });
    // A failed call, a relative path or another event type touches nothing.
    assert.equal(fileTouch(ev('unlinkat', { res: -2, args: { path: '/usr/bin/a' } })), undefined);
    assert.equal(fileTouch(ev('unlinkat', { args: { path: 'usr/bin/a' } })), undefined);
    assert.equal(fileTouch(ev('connect', { fd: { type: 'ipv4', name: '/x' } })), undefined);
  });

  it('matches whitelist entries against the path, bare entries also against the process name', () => {
    assert.equal(whitelistAllows(['sh'], '/bin/sh', { name: 'sh' }), true);
    assert.equal(whitelistAllows(['python3.*'], '/usr/bin/python3.11', { name: 'python3.11' }), true);
    assert.equal(whitelistAllows(['/usr/sbin/nginx'], '/tmp/nginx', { name: 'nginx' }), false);
    // A name that looks like a path is not a path.
    assert.equal(whitelistAllows(['/usr/sbin/nginx'], '/tmp/x', { name: '/usr/sbin/nginx' }), false);
    assert.equal(processViolation(exec('/usr/bin/nc'), ['/bin/*']), '/usr/bin/nc');
    assert.equal(processViolation(exec('/usr/bin/nc'), [], ['/usr/bin/nc']), undefined);
    assert.equal(processViolation(ev('execve', { res: -2 }), []), undefined);
    assert.equal(processViolation(ev('openat'), []), undefined);
  });

  it('gives the same verdicts, alert types and severities as the engine detectors (one decision)', () => {
    const executables = ['/usr/sbin/nginx', 'sh', '/usr/lib/app/*'];
    const paths = ['/usr/bin', '/etc/nginx/'];
    const pdoc = validatePolicyDocument({
      policies: [{ name: 'p', selector: { images: [TEST_CONTAINER.image!] }, processWhitelist: { executables }, fileProtection: { paths } }],
    });
    const cpol: ContainerPolicy = { processWhitelist: executables, protectedPaths: paths };
    const empty = loadRuleset([{ name: 'empty.yaml', text: '[]' }], { builtin: true }).ruleset;
    const engine = new Engine(empty, { host: 'h', policies: () => cpol });
    const events: SyscallEvent[] = [
      execOf('/usr/sbin/nginx', { container: {} }),
      execOf('/bin/sh -c x', { container: {} }),
      execOf('/usr/lib/app/bin/w', { container: {} }),
      execOf('/usr/bin/curl', { container: {} }),
      execOf('/tmp/sh', { container: {} }) /* a bare entry allows the name */,
      execOf('/usr/bin/curl', { container: {}, res: -2 }),
      openOf('/usr/bin/ls', 'w', { container: {} }),
      openOf('/usr/bin/ls', 'r', { container: {} }),
      openOf('/usr/bin/ls', 0o100, { container: {} }),
      openOf('/usr/binx', 'w', { container: {} }),
      openOf('/etc/nginx', 'rw', { container: {} }),
      openOf('/usr/bin/ls', 'w', { container: {}, res: -13 }),
      makeEvent({ type: 'renameat2', container: {}, args: { oldpath: '/tmp/x', newpath: '/usr/bin/top' }, fd: { name: '/usr/bin/top' } }),
      makeEvent({ type: 'unlinkat', container: {}, args: { name: '/etc/nginx/conf.d/a' }, fd: { name: '/etc/nginx/conf.d/a' } }),
      makeEvent({ type: 'filechange', container: {}, args: { path: '/usr/bin/ps' } }),
    ];
    const verdict = (xs: Array<{ type: string; severity: string }>) => xs.map((x) => `${x.type}/${x.severity}`).sort();
    let fired = 0;
    for (const e of events) {
      const fromPolicy = verdict(evaluate(pdoc, e, emptyLearnState(), 0).violations);
      assert.deepEqual(fromPolicy, verdict(engine.process(e)), `${e.type} ${e.proc.exepath} ${e.fd?.name ?? ''}`);
      fired += fromPolicy.length;
    }
    assert.equal(fired, 7);
    assert.deepEqual(verdict([VIOLATION_ALERTS.process, VIOLATION_ALERTS.file]), ['container/abnormal-process/medium', 'container/sensitive-file-access/high']);
  });
});
