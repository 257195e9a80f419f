// Miner-like traits of a process that sustains high CPU: a compression or
// compiler job also burns CPU, so CPU alone is no verdict. A trait is one of:
//   new-executable     the executable is not from the image or a package: it
//                      lives in the container's writable layer, in a
//                      world-writable temporary directory, or was deleted
//                      (or is a memfd) after exec
//   unusual-port       an outbound connection to a remote port outside the
//                      usual ones (mining pools listen on 3333, 4444, 14444, ...)
//   kernel-thread-name a user process named like a kernel thread
//                      (`[kworker/0:1]`, `kswapd0`): real kernel threads
//                      have no executable
// Pure: the sampler gathers the facts from procfs.
import type { OutboundConnection } from './sockets.js';

export type MinerTrait = 'new-executable' | 'unusual-port' | 'kernel-thread-name';

export interface ProcessFacts {
  /** comm. */
  name: string;
  argv0?: string;
  /** /proc/PID/exe target; undefined for kernel threads (and when unreadable). */
  exepath?: string;
  /** The executable was unlinked after exec (` (deleted)`) or is a memfd. */
  exeDeleted?: boolean;
  /** The executable is a file of the container's writable (upper) layer: written after the image. */
  exeUpperLayer?: boolean;
  connections: readonly OutboundConnection[];
}

/** Kernel thread names (the part before `/` or `:`) that malware borrows. */
export const KERNEL_THREAD_NAMES: ReadonlySet<string> = new Set([
  'kworker',
  'kthreadd',
  'ksoftirqd',
  'kswapd',
  'kswapd0',
  'kdevtmpfs',
  'kblockd',
  'khugepaged',
  'kcompactd',
  'kcompactd0',
  'kauditd',
  'kintegrityd',
  'ksmd',
  'kthrotld',
  'migration',
  'rcu_sched',
  'rcu_bh',
  'rcu_preempt',
  'rcu_gp',
  'rcu_par_gp',
  'watchdog',
  'watchdogd',
  'jbd2',
  'writeback',
  'cpuhp',
  'oom_reaper',
  'netns',
  'scsi_eh',
  'irq',
  'idle_inject',
  'khungtaskd',
  'kstrp',
  'ipv6_addrconf',
]);

/** Directories anyone may write to: an executable there came from no package. */
export const TEMP_DIRS: readonly string[] = ['/tmp/', '/var/tmp/', '/dev/shm/', '/run/shm/', '/run/user/', '/var/run/user/', '/dev/mqueue/'];

/** Whether a process name reads as a kernel thread's: `[anything]`, or a known kernel thread name before `/` or `:`. */
export function looksLikeKernelThread(name: string | undefined): boolean {
  if (!name) return false;
  const n = name.trim();
  if (n.length > 2 && n.startsWith('[') && n.endsWith(']')) return true;
  const head = n.split(/[/:]/, 1)[0]!;
  return KERNEL_THREAD_NAMES.has(head) || /^kworker/.test(head);
}

export interface TraitResult {
  traits: MinerTrait[];
  /** The unusual remote ports (sorted, distinct). */
  unusualPorts: number[];
  /** The first unusual connection (for the alert's fd). */
  connection?: OutboundConnection;
}

export function minerTraits(f: ProcessFacts, usualPorts: readonly number[]): TraitResult {
  const traits: MinerTrait[] = [];
  const exe = f.exepath;
  if (exe !== undefined) {
    const fromTemp = TEMP_DIRS.some((d) => exe.startsWith(d));
    if (f.exeDeleted || exe.startsWith('/memfd:') || f.exeUpperLayer || fromTemp) traits.push('new-executable');
  }
  const usual = new Set(usualPorts);
  const odd = f.connections.filter((c) => !usual.has(c.remotePort));
  if (odd.length) traits.push('unusual-port');
  // A real kernel thread has no executable; a user process named like one is hiding.
  if (exe !== undefined && (looksLikeKernelThread(f.name) || looksLikeKernelThread(f.argv0))) traits.push('kernel-thread-name');
  return { traits, unusualPorts: [...new Set(odd.map((c) => c.remotePort))].sort((a, b) => a - b), ...(odd[0] ? { connection: odd[0] } : {}) };
}
