import { test } from 'node:test';
import { ruleTester, exec, makeEvent } from '../../src/core/rules/index.js';
import { builtinFilesSync } from '../../src/node/rules/load.js';

const files = builtinFilesSync('high-risk-syscall.yaml');
const T = 'system/high-risk-syscall';
const sc = (type: string, over: Parameters<typeof makeEvent>[0] = {}) => makeEvent({ type, proc: { name: 'exploit', args: ['./exploit'] }, container: {}, ...over });

test('high-risk-syscall rules', () => {
  ruleTester(files, {
    fires: [
      ...['open_by_handle_at', 'setns', 'unshare', 'reboot', 'mount', 'bpf', 'init_module', 'finit_module', 'kexec_load'].map((t) => ({ type: T, rule: 'High-risk system call in container', event: sc(t) })),
      { type: T, rule: 'High-risk system call in container', event: sc('mount', { res: -1 }) },
      { type: T, rule: 'Ptrace attach or injection in container', event: sc('ptrace', { args: { request: 16, pid: 1 } }) },
      { type: T, rule: 'Ptrace attach or injection in container', event: sc('ptrace', { args: { request: 'PTRACE_POKETEXT', pid: 1 } }) },
      { type: T, rule: 'Fileless execution in container', event: exec('/proc/self/fd/3', { proc: { name: '3', exeFromMemfd: true, exepath: 'memfd:x (deleted)' }, container: {} }) },
    ],
    silent: [
      { event: sc('mount', { container: 'host' }) },
      { event: sc('unshare', { proc: { name: 'runc:[2:INIT]' } }) },
      { event: sc('setns', { proc: { name: 'sh', parents: [{ pid: 1, name: 'runc' }] } }) },
      { event: sc('ptrace', { args: { request: 'PTRACE_PEEKDATA', pid: 1 } }) },
      { event: sc('openat') },
      { event: exec('/usr/bin/ls', { container: {} }) },
      { event: exec('/proc/self/fd/3', { proc: { name: '3', exeFromMemfd: true }, container: 'host' }) },
    ],
  });
});
