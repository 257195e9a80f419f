// Process measurements from /proc for the benchmarks (Linux): CPU time and
// resident memory of a process, its children and descendants. A process
// that is gone reads as 0 (CPU, RSS) or is left out (trees).
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

/** Clock ticks per second of /proc/PID/stat's times (USER_HZ). */
export const TICK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout?.trim() || 100);

/** The fields of /proc/PID/stat after the command name (field 3, state, is index 0). */
function statFields(pid: number | 'self'): { comm: string; f: string[] } | undefined {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return { comm: s.slice(s.indexOf('(') + 1, s.lastIndexOf(')')), f: s.slice(s.lastIndexOf(')') + 2).split(' ') };
  } catch {
    return undefined;
  }
}

/** User + system CPU of a process in clock ticks. */
export function cpuTicks(pid: number): number {
  const s = statFields(pid);
  return s ? Number(s.f[11]) + Number(s.f[12]) : 0;
}

/** Major page faults of a process (pages read back from their file: what a reclaimed page costs when used again). */
export function majorFaults(pid: number): number {
  return Number(statFields(pid)?.f[9] ?? 0);
}

/** User + system CPU of a process in seconds. */
export const cpuSeconds = (pid: number): number => cpuTicks(pid) / TICK;

/** CPU seconds of this process's reaped children (cutime + cstime). */
export function reapedChildCpuSeconds(): number {
  const s = statFields('self')!;
  return (Number(s.f[13]) + Number(s.f[14])) / TICK;
}

/** Resident set size in KiB. */
export function rssKiB(pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** Every process as pid -> {parent, command name}. */
function processes(): Map<number, { ppid: number; comm: string }> {
  const out = new Map<number, { ppid: number; comm: string }>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    const s = statFields(Number(d));
    if (s) out.set(Number(d), { ppid: Number(s.f[1]), comm: s.comm });
  }
  return out;
}

/** A process and all its descendants, the process first. */
export function processTree(pid: number): number[] {
  const kids = new Map<number, number[]>();
  for (const [p, { ppid }] of processes()) (kids.get(ppid) ?? kids.set(ppid, []).get(ppid)!).push(p);
  const out = [pid];
  for (let i = 0; i < out.length; i++) out.push(...(kids.get(out[i]!) ?? []));
  return out;
}

/** The direct child of `ppid` named `comm`, if any. */
export function childOf(ppid: number, comm: string): number | undefined {
  for (const [p, s] of processes()) if (s.ppid === ppid && s.comm === comm) return p;
  return undefined;
}

/** Command name of a process ('' once gone). */
export const commOf = (pid: number): string => statFields(pid)?.comm ?? '';

/** Resident memory in KiB: all, anonymous (heaps, stacks) and file-backed (mapped binaries and libraries). */
export function memoryKiB(pid: number): { rss: number; anon: number; file: number; pss: number; pssAnon: number } {
  try {
    const s = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(s)?.[1] ?? 0);
    // Proportional set size: shared pages (the binaries' file-backed ones) divided among the processes that map them.
    let r = '';
    try {
      r = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    } catch {
      r = '';
    }
    const rk = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(r)?.[1] ?? 0);
    return { rss: kib('VmRSS'), anon: kib('RssAnon'), file: kib('RssFile'), pss: rk('Pss'), pssAnon: rk('Pss_Anon') };
  } catch {
    return { rss: 0, anon: 0, file: 0, pss: 0, pssAnon: 0 };
  }
}

/** Every `Key: N kB` field of /proc/PID/smaps_rollup in KiB (Rss, Pss, Pss_Anon, Pss_File, Private_Clean, ...); {} once gone. */
export function smapsRollupKiB(pid: number): Record<string, number> {
  const out: Record<string, number> = {};
  try {
    for (const m of readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8').matchAll(/^(\w+):\s+(\d+) kB$/gm)) out[m[1]!] = Number(m[2]);
  } catch {
    // gone
  }
  return out;
}

/** Resident KiB per mapped file (and `[anon]`, `[heap]`, `[stack]`) from /proc/PID/smaps, largest first. */
export function residentByMapping(pid: number, top = 6): Array<{ name: string; rssKiB: number; pssKiB: number }> {
  const by = new Map<string, { rssKiB: number; pssKiB: number }>();
  let name = '';
  try {
    for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
      const head = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
      if (head) {
        name = head[1]!.trim() || '[anon]';
        name = name.replace(/^.*\//, '');
        continue;
      }
      const f = /^(Rss|Pss):\s+(\d+) kB/.exec(line);
      if (!f) continue;
      const e = by.get(name) ?? by.set(name, { rssKiB: 0, pssKiB: 0 }).get(name)!;
      if (f[1] === 'Rss') e.rssKiB += Number(f[2]);
      else e.pssKiB += Number(f[2]);
    }
  } catch {
    return [];
  }
  return [...by]
    .map(([n, v]) => ({ name: n, ...v }))
    .sort((a, b) => b.rssKiB - a.rssKiB)
    .slice(0, top);
}

/** Voluntary + involuntary context switches of every thread of a process (its wake-ups): /proc/PID/task/TID/status. */
export function contextSwitches(pid: number): { threads: number; voluntary: number; involuntary: number } {
  let voluntary = 0;
  let involuntary = 0;
  let threads = 0;
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        const s = readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8');
        voluntary += Number(/^voluntary_ctxt_switches:\s+(\d+)/m.exec(s)?.[1] ?? 0);
        involuntary += Number(/^nonvoluntary_ctxt_switches:\s+(\d+)/m.exec(s)?.[1] ?? 0);
        threads++;
      } catch {
        // thread gone
      }
    }
  } catch {
    // process gone
  }
  return { threads, voluntary, involuntary };
}
