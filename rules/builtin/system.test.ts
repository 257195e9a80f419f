import { test } from 'node:test';
import { ruleTester, exec, open, connect, makeEvent } from '../../src/core/rules/index.js';
import { builtinFilesSync } from '../../src/node/rules/load.js';

const files = builtinFilesSync('system.yaml');
const K = 'system/key-file-change';
const A = 'system/abnormal-process-behavior';
const C = 'system/high-risk-command';
const change = (path: string, over: Parameters<typeof makeEvent>[0] = {}) =>
  makeEvent({ type: 'filechange', proc: { name: 'cp' }, args: { path, oldSha256: 'a'.repeat(64), newSha256: 'b'.repeat(64) }, ...over });

test('system rules', () => {
  // The CPU sampler's events: one per sustained episode, with the miner traits it found.
  const cpu = (traits: string, name = 'kworker') =>
    makeEvent({ type: 'procstat', args: { cpu_percent: 99, seconds: 60, traits, dports: traits.includes('port') ? '3333' : '' }, proc: { name, pid: 31 } });
  const conns = (n: number, name = 'scanner') =>
    Array.from({ length: n }, (_, i) => connect(`10.1.${i >> 8}.${i & 255}`, 22, { time: 1000 + i, proc: { name, pid: 32 } }));
  ruleTester(files, {
    fires: [
      { type: K, rule: 'Key system binary content changed', event: change('/usr/bin/ps') },
      { type: K, rule: 'Key system binary content changed', event: change('/bin/login') },
      { type: K, rule: 'Key system binary opened for writing', event: open('/usr/bin/curl', 'w', { proc: { name: 'python3' } }) },
      { type: A, rule: 'Sustained high CPU use', event: cpu('new-executable,unusual-port,kernel-thread-name', '[kworker/0:1]') },
      { type: A, rule: 'Sustained high CPU use', event: cpu('unusual-port') },
      { type: A, rule: 'Abnormal number of outbound connections', events: conns(200) },
      { type: C, event: exec(['rm', '-rf', '/']) },
      { type: C, event: exec(['rm', '-rf', '--no-preserve-root', '/']) },
      { type: C, event: exec(['chmod', '-R', '777', '/']) },
      { type: C, event: exec(['bash', '-c', 'history -c']) },
      { type: C, event: exec(['sh', '-c', 'export HISTFILE=/dev/null; curl x']) },
      { type: C, event: exec(['setenforce', '0']) },
      { type: C, event: exec(['systemctl', 'stop', 'auditd']) },
      { type: C, event: exec(['iptables', '-F']) },
      { type: C, rule: 'Shell history truncated', event: open('/root/.bash_history', 'w') },
    ],
    silent: [
      { event: change('/usr/bin/ps', { proc: { name: 'dpkg' } }) },
      { event: change('/usr/local/bin/app') },
      { event: change('/usr/bin/ps', { args: { path: '/usr/bin/ps', oldSha256: '', newSha256: 'b'.repeat(64) } }) },
      { event: open('/usr/bin/curl', 'r') },
      { event: open('/usr/bin/curl', 'w', { proc: { name: 'apt-get' } }) },
      { event: cpu('', 'gzip') },
      { event: makeEvent({ type: 'procstat', args: { cpu_percent: 99 }, proc: { name: 'cc1' } }) },
      { events: conns(199) },
      { events: conns(300, 'nginx') },
      { event: exec(['rm', '-rf', '/tmp/build']) },
      { event: exec(['chmod', '777', '/tmp/shared']) },
      { event: exec(['systemctl', 'restart', 'nginx']) },
      { event: exec(['iptables', '-L']) },
      { event: open('/root/.bash_history', 'r') },
      { event: open('/root/.bash_history', 0o2101) },
    ],
  });
});
