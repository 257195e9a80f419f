import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ruleTester, connect, exec, open, makeEvent, loadRuleset, Engine, DEFAULT_THREAT_IPS, parseThreatIpList, TEST_CONTAINER } from '../index.js';
import { plainContainerSpec, type ContainerSpec } from '../../checks/spec.js';
import type { ContainerPolicy } from './types.js';
import { findIllegalAccounts } from './passwd.js';

// An empty built-in ruleset: only the detectors run.
const empty = loadRuleset([{ name: 'empty.yaml', text: '[]' }], { builtin: true }).ruleset;

test('threat-ip-outbound: network/abnormal-outbound on a listed destination', () => {
  ruleTester(
    empty,
    {
      fires: [
        { type: 'network/abnormal-outbound', event: connect('203.0.113.77', 443, { container: {} }) },
        { type: 'network/abnormal-outbound', event: connect('192.0.2.1', 8080) },
        { type: 'network/abnormal-outbound', event: connect('2001:db8::1', 443) },
        { type: 'network/abnormal-outbound', event: connect('203.0.113.5', 80, { res: -115 }) }, // EINPROGRESS: non-blocking connect
      ],
      silent: [{ event: connect('8.8.8.8', 443) }, { event: connect('203.0.114.1', 443) }, { event: connect('203.0.113.77', 443, { res: -111 }) }],
    },
    { engine: { threatIps: [...DEFAULT_THREAT_IPS, '192.0.2.0/24', '2001:db8::/32'] } },
  );
  // Without a list, the detector is off.
  assert.equal(new Engine(empty, { host: 'h' }).process(connect('203.0.113.77', 443)).length, 0);
});

test('threat-ip list parsing: comments, blanks, bad line names the line', () => {
  const s = parseThreatIpList('# feed\n\n198.51.100.0/24  # c2\n2001:db8::/48\n10.1.2.3\n');
  assert.equal(s.size, 3);
  assert.ok(s.has('198.51.100.200') && s.has('10.1.2.3') && s.has('2001:db8:0:ffff::1') && !s.has('10.1.2.4'));
  assert.throws(
    () => parseThreatIpList('1.2.3.0/24\nnot-an-ip\n', 'feed.txt'),
    (e: Error & { code?: string }) => e.code === 'THREAT_IP_INVALID' && /feed\.txt: line 2/.test(e.message),
  );
  assert.throws(() => parseThreatIpList('1.2.3.4/33'), /line 1/);
});

const policy: ContainerPolicy = {
  processWhitelist: ['/usr/sbin/nginx', '/docker-entrypoint.sh', 'sh', '/usr/bin/env*'],
  protectedPaths: ['/usr/bin', '/etc/nginx/'],
};
const policies = (c: { image?: string }) => (c.image === TEST_CONTAINER.image ? policy : undefined);

test('process-whitelist: container/abnormal-process outside the whitelist', () => {
  ruleTester(
    empty,
    {
      fires: [
        { type: 'container/abnormal-process', event: exec('/usr/bin/curl http://x', { container: {} }) },
        { type: 'container/abnormal-process', event: exec('/tmp/xmrig', { container: {} }) },
      ],
      silent: [
        { event: exec('/usr/sbin/nginx -g daemon off;', { container: {} }) },
        { event: exec('/bin/sh -c true', { container: {} }) },
        { event: exec('/usr/bin/envsubst', { container: {} }) },
        { event: exec('/usr/bin/curl', {}) }, // host process
        { event: exec('/usr/bin/curl', { container: { image: 'docker.io/library/redis:7' } }) }, // no policy
        { event: exec('/usr/bin/curl', { container: {}, res: -2 }) }, // exec failed
      ],
    },
    { engine: { policies } },
  );
  const en = new Engine(empty, { host: 'h', policies: () => ({ ...policy, mode: 'enforce' }) });
  assert.equal(en.process(exec('/usr/bin/curl', { container: {} }))[0]!.action?.kind, 'killed');
});

test('file-protection: container/sensitive-file-access on a change under a protected path', () => {
  ruleTester(
    empty,
    {
      fires: [
        { type: 'container/sensitive-file-access', event: open('/usr/bin/ls', 'w', { container: {} }) },
        { type: 'container/sensitive-file-access', event: open('/etc/nginx/nginx.conf', 'rw', { container: {} }) },
        { type: 'container/sensitive-file-access', event: makeEvent({ type: 'unlinkat', container: {}, args: { path: '/usr/bin/ps' } }) },
        {
          type: 'container/sensitive-file-access',
          event: makeEvent({ type: 'renameat2', container: {}, args: { oldpath: '/tmp/x', newpath: '/usr/bin/top' } }),
        },
        {
          type: 'container/sensitive-file-access',
          event: makeEvent({ type: 'filechange', container: {}, args: { path: '/etc/nginx/conf.d/x.conf', oldSha256: '', newSha256: 'ab' } }),
        },
      ],
      silent: [
        { event: open('/usr/bin/ls', 'r', { container: {} }) },
        { event: open('/usr/binx/ls', 'w', { container: {} }) },
        { event: open('/tmp/cache', 'w', { container: {} }) },
        { event: open('/usr/bin/ls', 'w') },
        { event: open('/usr/bin/ls', 'w', { container: {}, res: -13 }) },
      ],
    },
    { engine: { policies } },
  );
});

test('illegal-account: uid-0 clones and duplicate uids in passwd content', () => {
  const passwd = (extra: string) =>
    makeEvent({
      type: 'passwd',
      args: {
        path: '/etc/passwd',
        content: `root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1::/usr/sbin:/usr/sbin/nologin\nalice:x:1000:1000::/home/alice:/bin/bash\n${extra}`,
      },
    });
  ruleTester(empty, {
    fires: [
      { type: 'user/illegal-account', rule: 'illegal-account/uid0-clone', event: passwd('toor:x:0:0::/root:/bin/bash\n') },
      { type: 'user/illegal-account', rule: 'illegal-account/duplicate-uid', event: passwd('shadow:x:1000:1000::/:/bin/sh\n') },
    ],
    silent: [
      { event: passwd('bob:x:1001:1001::/home/bob:/bin/bash\n') },
      { event: passwd('') },
      { event: makeEvent({ type: 'passwd', args: { path: '/etc/passwd' } }) },
    ],
  });
  assert.deepEqual(
    findIllegalAccounts('root:x:0:0\nbroken\n#c:x:0:0\nx:x:0:0\n:\n').map((a) => [a.name, a.reason, a.line]),
    [['x', 'uid0-clone', 4]],
  );
});

const spec = (over: Partial<ContainerSpec>): ContainerSpec =>
  plainContainerSpec({
    kind: 'DockerContainer',
    name: 'web',
    container: 'web',
    ...over,
  });

test('startup-checks: container/abnormal-startup on a container start event', () => {
  ruleTester(empty, {
    fires: [
      {
        type: 'container/abnormal-startup',
        rule: 'startup/privileged',
        event: makeEvent({ type: 'container', container: { spec: spec({ privileged: true }) } }),
      },
      {
        type: 'container/abnormal-startup',
        rule: 'startup/host-mounts',
        event: makeEvent({
          type: 'container',
          container: { spec: spec({ mounts: [{ source: '/var/run/docker.sock', destination: '/var/run/docker.sock', type: 'bind' }] }) },
        }),
      },
    ],
    silent: [
      { event: makeEvent({ type: 'container', container: { spec: spec({ mounts: [{ source: '/etc/hosts', destination: '/etc/hosts', type: 'bind' }] }) } }) },
      { event: makeEvent({ type: 'container', container: {} }) },
    ],
  });
});

test('brute-force-success: a success after 5 recent failures from the same address', () => {
  const auth = (t: number, result: string, sip = '198.51.100.23') =>
    makeEvent({ type: 'auth', time: t, proc: { name: 'sshd' }, args: { service: 'sshd', result, user: 'root', sip } });
  const fails = [0, 1, 2, 3, 4].map((i) => auth(i * 1000, 'failure'));
  ruleTester(empty, {
    fires: [{ type: 'user/brute-force', rule: 'brute-force-success', events: [...fails, auth(10_000, 'success')] }],
    silent: [
      { events: [...fails.slice(0, 4), auth(10_000, 'success')] },
      { events: [...fails, auth(10_000, 'success', '198.51.100.24')] },
      { events: [...fails, auth(11 * 60_000, 'success')] },
      { events: [auth(0, 'success')] },
    ],
  });
});
