import { test } from 'node:test';
import { ruleTester, exec, open, makeEvent } from '../../src/core/rules/index.js';
import { builtinFilesSync } from '../../src/node/rules/load.js';

const files = builtinFilesSync('user.yaml');
const auth = (i: number, result = 'failure', user = 'root', sip = '198.51.100.23') =>
  makeEvent({ type: 'auth', time: 1000 + i * 1000, proc: { name: 'sshd' }, args: { service: 'sshd', result, user, sip } });

// The account-files sensor's events (src/node/sensors/account-files.ts).
const account = (finding: string, line: string, file = 'passwd') =>
  makeEvent({
    type: 'account',
    proc: { name: '', pid: 0 },
    args: { path: `/etc/${file}`, file, finding, account: line.split(':')[0], change: 'added', lineno: 20, line, detail: 'd' },
    fd: { type: 'file', name: `/etc/${file}` },
  });

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
      { type: 'user/illegal-account', rule: 'Clone account in the account files', event: account('uid0-clone', 'toor:x:0:0::/root:/bin/sh') },
      { type: 'user/illegal-account', rule: 'Clone account in the account files', event: account('duplicate-uid', 'svc:x:42:42::/:/bin/sh') },
      { type: 'user/illegal-account', rule: 'Clone account in the account files', event: account('gid0-clone', 'wheel2:x:0:', 'group') },
      {
        type: 'user/illegal-account',
        rule: 'Hidden account in the account files',
        event: account('hidden-account', 'ghost:<hash>:19675:0:99999:7:::', 'shadow'),
      },
      {
        type: 'user/illegal-account',
        rule: 'Account added outside the package manager',
        event: account('unmanaged-account', 'app:x:1001:1001::/home/app:/bin/sh'),
      },
      { type: 'user/illegal-account', rule: 'Account added outside the package manager', event: account('privileged-group-member', 'sudo:x:27:app', 'group') },
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
      { event: account('', 'app:x:1001:1001::/home/app:/bin/sh') },
      { event: makeEvent({ type: 'passwd', args: { path: '/etc/passwd', finding: 'uid0-clone' } }) },
    ],
  });
});
