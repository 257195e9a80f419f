import { test } from 'node:test';
import { ruleTester, exec, makeEvent } from '../../src/core/rules/index.js';
import { builtinFilesSync } from '../../src/node/rules/load.js';

const files = builtinFilesSync('privilege-escalation.yaml');
const F = 'system/file-privilege-escalation';
const P = 'system/process-privilege-escalation';
const user = { uid: 1000, user: 'alice' };

test('privilege-escalation rules', () => {
  ruleTester(files, {
    fires: [
      { type: F, rule: 'Setuid or setgid bit set on a file', event: exec('chmod u+s /tmp/bash') },
      { type: F, rule: 'Setuid or setgid bit set on a file', event: exec('chmod 4755 /tmp/rootshell') },
      {
        type: F,
        rule: 'Setuid or setgid bit set on a file',
        event: makeEvent({ type: 'fchmodat', res: 0, args: { filename: '/tmp/x', mode: 0o4755 }, proc: { name: 'python3' } }),
      },
      { type: F, rule: 'SUID program abused to spawn a root shell', event: exec('/tmp/bash -p', { proc: user }) },
      {
        type: F,
        rule: 'SUID program abused to spawn a root shell',
        event: exec(['find', '.', '-exec', '/bin/sh', '-p', ';', '-quit'], { proc: { ...user, uid: 0 } }),
      },
      {
        type: P,
        rule: 'Non-root process switched to root',
        event: makeEvent({ type: 'setuid', res: 0, args: { uid: 0 }, proc: { name: 'exploit', uid: 1000 } }),
      },
      {
        type: P,
        rule: 'Non-root process tried to switch to root',
        event: makeEvent({ type: 'setuid', res: -1, args: { uid: 0 }, proc: { name: 'python3', uid: 65534 } }),
      },
      { type: F, rule: 'Setuid or setgid bit set on a file', event: exec('chmod 6755 /tmp/x') },
      { type: F, rule: 'Setuid or setgid bit set on a file', event: exec('chmod 02755 /srv/shared') },
      { type: F, rule: 'Setuid or setgid bit set on a file', event: exec('chmod -R 4711 /tmp/x') },
      { type: F, rule: 'Setuid or setgid bit set on a file', event: exec('chmod g+s /srv/shared') },
      { type: F, rule: 'Setuid or setgid bit set on a file', event: exec('chmod u+xs /tmp/x') },
      { type: F, rule: 'Setuid or setgid bit set on a file', event: exec('chmod u=rws /tmp/x') },
      {
        type: P,
        rule: 'Non-root process switched to root',
        event: makeEvent({ type: 'setresuid', res: 0, args: { ruid: 0, euid: 0, suid: 0 }, proc: { name: 'pwn', uid: 33 } }),
      },
      {
        type: P,
        rule: 'Capabilities raised by a non-root process',
        event: makeEvent({ type: 'capset', res: 0, proc: { name: 'pwn', uid: 1000, capEffective: ['CAP_SYS_ADMIN', 'CAP_NET_RAW'] } }),
      },
    ],
    silent: [
      { event: exec('chmod 755 /usr/local/bin/app') },
      { event: exec('chmod u+s /usr/bin/newtool', { parents: ['dpkg'] }) },
      { event: makeEvent({ type: 'fchmodat', res: 0, args: { filename: '/tmp/x', mode: 0o755 }, proc: { name: 'python3' } }) },
      // The chmod command's own system call: its exec already raised the alert (one alert per command, not per file).
      { event: makeEvent({ type: 'fchmodat', res: 0, args: { filename: '/tmp/x', mode: 0o4755 }, proc: { name: 'chmod' } }) },
      { event: exec('/bin/bash -c ls') },
      { event: exec('find . -name "*.log"') },
      { event: makeEvent({ type: 'setuid', res: 0, args: { uid: 0 }, proc: { name: 'sudo', uid: 1000 } }) },
      { event: makeEvent({ type: 'setuid', res: -1, args: { uid: 0 }, proc: { name: 'sudo', uid: 1000 } }) },
      // Regression: chmod 644 raised file-privilege-escalation (`proc.args startswith "6"`): only the setuid/setgid bits count.
      { event: exec('chmod 644 /etc/app.conf') },
      { event: exec('chmod 600 /root/.ssh/id_rsa') },
      { event: exec('chmod -R 755 /srv/www') },
      { event: exec('chmod 1777 /tmp/shared') }, // sticky only
      { event: exec('chmod 0644 /etc/app.conf') },
      { event: exec('chmod u+x /tmp/build.sh') },
      // Regression: a non-root setuid(0) was classified by the text os.setuid(0) in argv; the syscall decides now.
      { event: exec(['python3', '-c', 'import os; os.setuid(0)'], { proc: user }) },
      { event: makeEvent({ type: 'setuid', res: 0, args: { uid: 1000 }, proc: { name: 'nginx', uid: 0 } }) },
      { event: makeEvent({ type: 'capset', res: 0, proc: { name: 'app', uid: 1000, capEffective: ['CAP_NET_BIND_SERVICE'] } }) },
    ],
  });
});
