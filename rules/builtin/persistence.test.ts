import { test } from 'node:test';
import { ruleTester, exec, open, makeEvent, symlink, rename } from '../../src/core/rules/index.js';
import { builtinFilesSync } from '../../src/node/rules/load.js';

const files = builtinFilesSync('persistence.yaml');
const K = 'system/key-file-change';
const C = 'system/high-risk-command';

test('persistence and tampering rules', () => {
  ruleTester(files, {
    fires: [
      { type: K, rule: 'Write below binary directories', event: open('/usr/bin/sshd-helper', 'w', { proc: { name: 'curl' } }) },
      { type: K, rule: 'Write below binary directories', event: open('/lib/x86_64-linux-gnu/libevil.so', 'w', { proc: { name: 'sh' }, container: {} }) },
      {
        type: K,
        rule: 'Write below binary directories',
        event: rename('/tmp/x', '/bin/ls'),
      },
      // Regressions (found by the rtexplore checks): `install`, an interpreter and the toolchain were exempt by name alone.
      { type: K, rule: 'Write below binary directories', event: open('/usr/bin/vigil-inst', 'w', { proc: { name: 'install' }, parents: ['sh'] }) },
      { type: K, rule: 'Write below binary directories', event: open('/usr/sbin/backdoor', 'w', { proc: { name: 'python3' }, parents: ['bash'] }) },
      { type: K, rule: 'Write below binary directories', event: open('/usr/bin/x', 'w', { proc: { name: 'gcc' }, parents: ['sh'] }) },
      // A PATH hijack: a symlink in a binary directory pointing into a staging location.
      {
        type: K,
        rule: 'Write below binary directories',
        event: symlink('/var/tmp/x', '/usr/bin/vigil-ln'),
      },
      { type: K, rule: 'SSH authorized_keys changed', event: open('/root/.ssh/authorized_keys', 0o2101, { proc: { name: 'bash' } }) },
      { type: K, rule: 'SSH authorized_keys changed', event: open('/home/alice/.ssh/authorized_keys', 'w', { proc: { name: 'python3' } }) },
      // Regressions (found by the rtexplore checks): an authorized_keys symlinked into place, ld.so.preload and sudoers writes raised nothing.
      {
        type: K,
        rule: 'SSH authorized_keys changed',
        event: symlink('/var/tmp/k', '/root/.ssh/authorized_keys'),
      },
      { type: K, rule: 'Preload or sudoers file changed', event: open('/etc/ld.so.preload', 'w', { proc: { name: 'sh' }, container: {} }) },
      { type: K, rule: 'Preload or sudoers file changed', event: open('/etc/sudoers.d/vigil', 'w', { proc: { name: 'tee' } }) },
      {
        type: K,
        rule: 'Preload or sudoers file changed',
        event: rename('/tmp/s', '/etc/sudoers'),
      },
      { type: K, rule: 'Shell startup file changed', event: open('/home/alice/.bashrc', 0o2101, { proc: { name: 'bash' } }) },
      { type: K, rule: 'Shell startup file changed', event: open('/etc/profile.d/zz.sh', 'w', { proc: { name: 'sh' } }) },
      { type: C, rule: 'Log file cleared', event: open('/var/log/auth.log', 'w', { proc: { name: 'bash' } }) },
      {
        type: C,
        rule: 'Log file cleared',
        event: open('/var/log/auth.log', 'w', { proc: { name: 'sh' }, fd: { type: 'file', name: '/var/log/auth.log', created: false } }),
      },
      { type: C, rule: 'Log file cleared', event: exec(['shred', '-u', '/var/log/wtmp']) },
      { type: C, rule: 'Log file cleared', event: exec(['truncate', '-s', '0', '/var/log/syslog']) },
      { type: 'user/password-theft', rule: "Another process's environment read", event: open('/proc/1/environ', 'r', { proc: { name: 'cat' } }) },
      { type: 'exploit/escape-file', rule: 'Debugfs launched in container', event: exec(['debugfs', '-w', '/dev/sda1'], { container: {} }) },
      {
        type: 'user/password-theft',
        rule: 'Symlink or hard link to a sensitive file',
        event: makeEvent({ type: 'symlinkat', proc: { name: 'ln' }, args: { target: '/etc/shadow', linkpath: '/tmp/s' } }),
      },
      {
        type: 'user/password-theft',
        rule: 'Symlink or hard link to a sensitive file',
        event: makeEvent({ type: 'linkat', proc: { name: 'ln' }, args: { oldpath: '/etc/sudoers', newpath: '/tmp/h' } }),
      },
    ],
    silent: [
      { event: open('/usr/bin/curl', 'w', { proc: { name: 'dpkg' } }) },
      { event: open('/usr/bin/sshd-helper', 'r', { proc: { name: 'cat' } }) },
      { event: open('/usr/local/bin/app', 'w', { proc: { name: 'cp' } }) },
      { event: open('/usr/bin/tool', 'w', { proc: { name: 'install' }, parents: ['make', 'bash'] }) }, // make install
      { event: open('/usr/lib/python3/dist-packages/__pycache__/six.cpython-311.pyc', 'w', { proc: { name: 'python3' } }) },
      {
        event: symlink('/opt/tool/bin/tool', '/usr/local/bin/tool'),
      },
      { event: open('/root/.ssh/authorized_keys', 'r', { proc: { name: 'sshd' } }) },
      { event: open('/etc/ld.so.preload', 'r', { proc: { name: 'ls' } }) },
      { event: open('/etc/sudoers', 'r', { proc: { name: 'sudo' } }) },
      { event: open('/etc/sudoers.tmp', 'w', { proc: { name: 'visudo' } }) },
      {
        event: rename('/etc/sudoers.tmp', '/etc/sudoers', { proc: { name: 'visudo' } }),
      },
      { event: open('/etc/sudoers.d/README', 'w', { proc: { name: 'dpkg' } }) },
      { event: open('/home/alice/.bashrc', 'r', { proc: { name: 'bash' } }) },
      { event: open('/etc/skel/.bashrc', 'w', { proc: { name: 'apt-get' } }) },
      { event: open('/var/log/auth.log', 0o2101, { proc: { name: 'rsyslogd' } }) }, // append
      { event: open('/var/log/nginx/access.log', 'w', { proc: { name: 'gzip' }, parents: ['logrotate'] }) },
      // A shell creating a new log (`cmd > /var/log/job.log`): O_TRUNC, but the open created the file.
      { event: open('/var/log/job.log', 'w', { proc: { name: 'sh' }, parents: ['cron'], fd: { type: 'file', name: '/var/log/job.log', created: true } }) },
      { event: exec(['truncate', '-s', '10M', '/tmp/disk.img']) },
      { event: open('/proc/self/environ', 'r', { proc: { name: 'cat' } }) },
      { event: open('/proc/1/environ', 'r', { proc: { name: 'ps' } }) },
      { event: exec(['debugfs', '-R', 'stats', '/dev/sda1']) }, // on the host
      { event: makeEvent({ type: 'symlinkat', proc: { name: 'ln' }, args: { target: '/usr/bin/python3.11', linkpath: '/usr/bin/python3' } }) },
      { event: makeEvent({ type: 'linkat', proc: { name: 'ln' }, args: { oldpath: '/srv/a', newpath: '/srv/b' } }) },
    ],
  });
});
