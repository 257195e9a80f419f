// Test helper of the policy tests: a successful exec of `exe` in a container
// of `image` (the event the process-whitelist decision reads).
import type { SyscallEvent } from '../events/event.js';

export function execIn(image: string, exe: string): SyscallEvent {
  return {
    source: 'syscall',
    type: 'execve',
    time: 1,
    host: 'n1',
    proc: { pid: 4242, ppid: 1, name: exe.split('/').pop()!, exepath: exe, args: [exe], uid: 0 },
    container: { id: 'a'.repeat(64), name: 'web', image },
    args: {},
    res: 0,
  } as unknown as SyscallEvent;
}
