import { test } from 'node:test';
import { ruleTester, exec, open, makeEvent } from '../../src/core/rules/index.js';
import { builtinFilesSync } from '../../src/node/rules/load.js';

const files = builtinFilesSync('user.yaml');
const auth = (i: number, result = 'failure', user = 'root', sip = '198.51.100.23') =>
  makeEvent({ type: 'auth', time: 1000 + i * 1000, proc: { name: 'sshd' }, args: { service: 'sshd', result, user, sip } });

test('user rules', () => {
  ruleTester(files, {
    fires: [
      { type: 'user/brute-force', rule: 'Login brute force', events: [0, 1, 2, 3, 4].map((i) => auth(i)) },
      { type: 'user/brute-force', rule: 'Password spraying from one address', events: Array.from({ length: 20 }, (_, i) => auth(i, 'failure', `user${i}`)) },
      { type: 'user/password-theft', event: open('/etc/shadow', 'r', { proc: { name: 'cat' } }) },
      { type: 'user/password-theft', event: open('/home/bob/.ssh/id_ed25519', 'r', { proc: { name: 'python3' }, container: {} }) },
      { type: 'user/password-theft', event: open('/root/.aws/credentials', 'r', { proc: { name: 'curl' } }) },
      { type: 'user/password-theft', event: open('/var/lib/app/.docker/config.json', 'r', { proc: { name: 'tar' } }) },
      { type: 'user/password-theft', rule: 'Credential dumping tool or search', event: exec(['grep', '-r', 'BEGIN OPENSSH PRIVATE KEY', '/home']) },
      { type: 'user/illegal-account', event: exec('useradd -o -u 0 -g 0 toor') },
      { type: 'user/illegal-account', event: exec('usermod -u 0 -o backup') },
      { type: 'user/illegal-account', rule: 'Passwd file edited directly', event: open('/etc/passwd', 0o2001, { proc: { name: 'bash' } }) },
    ],
    silent: [
      { events: [0, 1, 2, 3].map((i) => auth(i)) },
      { events: [0, 1, 2, 3, 4].map((i) => auth(i * 20)) }, // spread over 80s
      { events: [0, 1, 2, 3, 4].map((i) => auth(i, 'success')) },
      { events: [0, 1, 2, 3, 4].map((i) => auth(i, 'failure', 'root', `198.51.100.${i}`)) },
      { event: open('/etc/shadow', 'r', { proc: { name: 'unix_chkpwd' } }) },
      { event: open('/etc/passwd', 'r', { proc: { name: 'cat' } }) },
      { event: open('/home/bob/.ssh/id_ed25519.pub', 'r', { proc: { name: 'cat' } }) },
      { event: open('/home/bob/.ssh/id_ed25519', 'r', { proc: { name: 'ssh' } }) },
      { event: exec(['grep', '-r', 'TODO', '/src']) },
      { event: exec('useradd -m -s /bin/bash alice') },
      { event: open('/etc/passwd', 0o2001, { proc: { name: 'useradd' } }) },
    ],
  });
});
