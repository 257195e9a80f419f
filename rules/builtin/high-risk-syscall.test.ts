import { test } from 'node:test';
import { ruleTester, exec, makeEvent } from '../../src/core/rules/index.js';
import { builtinFilesSync } from '../../src/node/rules/load.js';

const files = builtinFilesSync('high-risk-syscall.yaml');
const T = 'system/high-risk-syscall';
const sc = (type: string, over: Parameters<typeof makeEvent>[0] = {}) =>
  makeEvent({ type, proc: { name: 'exploit', args: ['./exploit'] }, container: {}, ...over });

test('high-risk-syscall rules', () => {
  ruleTester(files, {
    fires: [
      ...['open_by_handle_at', 'setns', 'unshare', 'reboot', 'mount', 'bpf', 'init_module', 'finit_module', 'kexec_load'].map((t) => ({
        type: T,
        rule: 'High-risk system call in container',
        event: sc(t),
      })),
      { type: T, rule: 'High-risk system call in container', event: sc('mount', { res: -1 }) },
      { type: T, rule: 'Ptrace attach or injection in container', event: sc('ptrace', { args: { request: 16, pid: 1 } }) },
      { type: T, rule: 'Ptrace attach or injection in container', event: sc('ptrace', { args: { request: 'PTRACE_POKETEXT', pid: 1 } }) },
      {
        type: T,
        rule: 'Fileless execution in container',
        event: exec('/proc/self/fd/3', { proc: { name: '3', exeFromMemfd: true, exepath: 'memfd:x (deleted)' }, container: {} }),
      },
      // Host variants.
      { type: T, rule: 'Kernel module loaded or removed on host', event: sc('finit_module', { container: 'host', proc: { name: 'insmod-evil' } }) },
      ...['open_by_handle_at', 'setns', 'bpf', 'mount', 'pivot_root', 'userfaultfd'].map((t) => ({
        type: T,
        rule: 'High-risk system call on host',
        event: sc(t, { container: 'host' }),
      })),
      { type: T, rule: 'Ptrace attach or injection on host', event: sc('ptrace', { container: 'host', args: { request: 16, pid: 1 } }) },
      { type: T, rule: 'Ptrace anti-debugging (PTRACE_TRACEME)', event: sc('ptrace', { container: 'host', args: { request: 0, pid: 0 } }) },
      {
        type: T,
        rule: 'Fileless execution on host',
        event: exec('/proc/self/fd/3', { proc: { name: '3', exeFromMemfd: true, exepath: 'memfd:x (deleted)' }, container: 'host' }),
      },
      { type: T, rule: 'Packet socket opened', event: sc('socket', { args: { domain: 'AF_PACKET', type: 3 } }) },
    ],
    silent: [
      { event: sc('mount', { container: 'host', proc: { name: 'snapd' } }) },
      { event: sc('unshare', { proc: { name: 'runc:[2:INIT]' } }) },
      { event: sc('setns', { proc: { name: 'sh', parents: [{ pid: 1, name: 'runc' }] } }) },
      { event: sc('ptrace', { args: { request: 'PTRACE_PEEKDATA', pid: 1 } }) },
      { event: sc('openat') },
      { event: exec('/usr/bin/ls', { container: {} }) },
      { event: exec('/proc/self/fd/3', { proc: { name: 'runc:[1:CHILD]', exeFromMemfd: true }, container: 'host' }) },
      { event: sc('finit_module', { container: 'host', proc: { name: 'modprobe' } }) },
      { event: sc('mount', { container: 'host', proc: { name: 'mount' } }) },
      { event: sc('setns', { container: 'host', proc: { name: 'runc' } }) },
      { event: sc('bpf', { container: 'host', proc: { name: 'systemd' } }) },
      { event: sc('ptrace', { container: 'host', args: { request: 16, pid: 1 }, proc: { name: 'gdb' } }) },
      { event: sc('ptrace', { container: 'host', args: { request: 0, pid: 0 }, proc: { name: 'a.out' }, parents: ['gdb'] }) },
      { event: sc('socket', { args: { domain: 'AF_PACKET', type: 3 }, proc: { name: 'dhclient' } }) },
      { event: sc('socket', { args: { domain: 2, type: 1 } }) },
    ],
  });
});
