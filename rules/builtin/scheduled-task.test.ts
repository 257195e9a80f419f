import { test } from 'node:test';
import { ruleTester, exec, open, makeEvent, symlink } from '../../src/core/rules/index.js';
import { builtinFilesSync } from '../../src/node/rules/load.js';

const files = builtinFilesSync('scheduled-task.yaml');
const T = 'command/scheduled-task';

test('scheduled-task rules', () => {
  ruleTester(files, {
    fires: [
      { type: T, event: open('/etc/cron.d/backdoor', 'w', { proc: { name: 'bash' } }) },
      { type: T, event: open('/var/spool/cron/crontabs/root', 'w', { proc: { name: 'sh' } }) },
      { type: T, event: open('/etc/systemd/system/evil.service', 'w', { proc: { name: 'python3' } }) },
      { type: T, event: open('/etc/rc.local', 'w', { proc: { name: 'tee' } }) },
      { type: T, event: open('/etc/rc3.d/S99x', 'w', { proc: { name: 'ln' } }) },
      { type: T, event: makeEvent({ type: 'unlinkat', proc: { name: 'rm' }, args: { path: '/etc/cron.d/logrotate' } }) },
      { type: T, event: makeEvent({ type: 'renameat2', proc: { name: 'mv' }, args: { oldpath: '/tmp/x', newpath: '/etc/cron.daily/x' } }) },
      { type: T, rule: 'Crontab or timer edited by command', event: exec('crontab /tmp/jobs') },
      // Regression: `rm /etc/cron.d/x` as the eBPF sensor reports it (evt.arg.name and fd.name, no evt.arg.path) raised nothing.
      {
        type: T,
        rule: 'Scheduled task file changed',
        event: makeEvent({ type: 'unlinkat', proc: { name: 'rm' }, args: { flags: 0, name: '/etc/cron.d/x' }, fd: { type: 'file', name: '/etc/cron.d/x' } }),
      },
      // Regression (found by the rtexplore checks): a symlink into /etc/cron.d raised nothing.
      {
        type: T,
        rule: 'Scheduled task file changed',
        event: symlink('/var/tmp/j', '/etc/cron.d/x'),
      },
      { type: T, rule: 'Crontab or timer edited by command', event: exec('crontab -r') },
      { type: T, rule: 'Crontab or timer edited by command', event: exec('systemctl enable evil.service') },
    ],
    silent: [
      { event: open('/etc/cron.d/backdoor', 'r', { proc: { name: 'cat' } }) },
      { event: open('/etc/cron.d/php', 'w', { proc: { name: 'dpkg' } }) },
      { event: open('/lib/systemd/system/nginx.service', 'w', { proc: { name: 'cp' }, parents: ['dpkg', 'apt-get'] }) }, // by a package install
      { event: open('/etc/nginx/nginx.conf', 'w', { proc: { name: 'vim' } }) },
      { event: open('/var/spool/cron/crontabs/root', 'w', { proc: { name: 'crontab' } }) },
      { event: exec('crontab -l') },
      { event: makeEvent({ type: 'unlinkat', proc: { name: 'rm' }, args: { flags: 0, name: '/etc/nginx/x' }, fd: { type: 'file', name: '/etc/nginx/x' } }) },
      { event: exec('systemctl status nginx') },
      {
        event: symlink('/lib/systemd/system/nginx.service', '/etc/systemd/system/multi-user.target.wants/nginx.service', { proc: { name: 'systemctl' } }),
      },
      {
        event: symlink('/opt/app/conf', '/etc/app.conf'),
      },
    ],
  });
});
