// Sampling parameters of the behaviour sensors (CPU sampling, account files):
// the one place their numbers live; `behaviorThresholds` validates the
// overrides of a `runtime watch --thresholds` file field by field and names
// the field it refuses. The CPU threshold itself (percent, how long) is not
// here: its one home is the detection policy's `cpu` threshold
// (src/core/policy/thresholds.ts), which the rule and the sampler share. A
// thresholds file may still set `cpu.percent` and `cpu.sustainSeconds`
// (files written before): they are returned apart (`cpuThreshold`) and
// runtime watch applies them as its first detection policy.
import { InputError } from '../errors.js';

export interface CpuThresholds {
  /** Sampling interval (ms): every process's /proc/PID/stat and every container's cgroup CPU counter are read once per interval. */
  intervalMs: number;
  /** Remote TCP/UDP ports an outbound connection may use without being a miner trait (web, DNS, mail, databases, ...). */
  usualPorts: number[];
  /** Most processes read per sample: the sampler's cost bound on a crowded host (the rest waits for the next sample). */
  maxProcesses: number;
}

export interface AccountThresholds {
  /** How often (ms) the account files of the host and of each container are checked for a change (a stat each). */
  intervalMs: number;
  /** A package manager seen running in that root (or its package database changed) this many seconds before an account appeared: the package manager added it. */
  packageManagerSeconds: number;
  /** Largest account file read (bytes); a bigger one is reported, not read. */
  maxFileBytes: number;
  /** Most container roots watched at once. */
  maxRoots: number;
}

/**
 * The CPU threshold in force, as the detection policy's `cpu` threshold
 * resolves it (src/core/policy/thresholds.ts): a sample at or above `percent`
 * of one core counts as high; high samples for `duration` ms make the
 * process sustain high CPU.
 */
export interface CpuLevel {
  percent: number;
  duration: number;
}

export interface BehaviorThresholds {
  cpu: CpuThresholds;
  accounts: AccountThresholds;
  /** The CPU threshold a thresholds file sets (`cpu.percent`, `cpu.sustainSeconds` as `duration` in ms): a detection policy's `cpu`. */
  cpuThreshold?: Partial<CpuLevel>;
}

export const DEFAULT_BEHAVIOR_THRESHOLDS: Readonly<BehaviorThresholds> = Object.freeze({
  cpu: Object.freeze({
    intervalMs: 5000,
    usualPorts: Object.freeze([
      20, 21, 22, 25, 53, 80, 88, 110, 111, 123, 143, 389, 443, 445, 465, 587, 636, 853, 993, 995, 1433, 1521, 2049, 2181, 2379, 2380, 3268, 3306, 4222, 4317,
      4318, 5000, 5044, 5432, 5672, 6379, 6443, 8080, 8086, 8200, 8443, 8500, 9042, 9090, 9092, 9093, 9200, 9300, 10250, 11211, 15672, 27017,
    ]) as number[],
    maxProcesses: 10_000,
  }),
  accounts: Object.freeze({ intervalMs: 2000, packageManagerSeconds: 120, maxFileBytes: 1024 * 1024, maxRoots: 2000 }),
});

export type BehaviorThresholdOverrides = {
  cpu?: Partial<CpuThresholds> & { percent?: number; sustainSeconds?: number };
  accounts?: Partial<AccountThresholds>;
};

interface Range {
  min: number;
  max: number;
  integer?: boolean;
}

const RANGES: Record<string, Record<string, Range>> = {
  cpu: {
    intervalMs: { min: 100, max: 600_000, integer: true },
    // The CPU threshold (the detection policy's `cpu`: percent of one core; the duration in seconds here).
    percent: { min: 1, max: 100 },
    sustainSeconds: { min: 0, max: 86_400 },
    maxProcesses: { min: 1, max: 1_000_000, integer: true },
  },
  accounts: {
    intervalMs: { min: 100, max: 600_000, integer: true },
    packageManagerSeconds: { min: 0, max: 86_400 },
    maxFileBytes: { min: 1024, max: 64 * 1024 * 1024, integer: true },
    maxRoots: { min: 1, max: 100_000, integer: true },
  },
};

function bad(field: string, problem: string): never {
  throw new InputError('THRESHOLD_INVALID', `detection threshold: ${problem}`, field);
}

/** The defaults with `overrides` applied; an unknown field or a value out of range is an InputError naming the field. */
export function behaviorThresholds(overrides: unknown = {}, where = 'thresholds'): BehaviorThresholds {
  const out: BehaviorThresholds = {
    cpu: { ...DEFAULT_BEHAVIOR_THRESHOLDS.cpu, usualPorts: [...DEFAULT_BEHAVIOR_THRESHOLDS.cpu.usualPorts] },
    accounts: { ...DEFAULT_BEHAVIOR_THRESHOLDS.accounts },
  };
  if (overrides === undefined || overrides === null) return out;
  if (typeof overrides !== 'object' || Array.isArray(overrides)) bad(where, 'expected a mapping');
  for (const [group, value] of Object.entries(overrides as Record<string, unknown>)) {
    // Own keys only: `constructor` or `__proto__` must not reach Object's properties.
    const ranges = Object.hasOwn(RANGES, group) ? RANGES[group] : undefined;
    if (!ranges) bad(`${where}.${group}`, `unknown (known: ${Object.keys(RANGES).join(', ')})`);
    if (value === undefined || value === null) continue;
    if (typeof value !== 'object' || Array.isArray(value)) bad(`${where}.${group}`, 'expected a mapping');
    const target = out[group as keyof BehaviorThresholds] as unknown as Record<string, unknown>;
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      const field = `${where}.${group}.${k}`;
      if (group === 'cpu' && k === 'usualPorts') {
        if (!Array.isArray(v) || v.length > 65_536) bad(field, 'expected a list of ports');
        for (const p of v) if (!Number.isInteger(p) || (p as number) < 1 || (p as number) > 65_535) bad(field, `${JSON.stringify(p)} is not a port (1-65535)`);
        target[k] = [...new Set(v as number[])].sort((a, b) => a - b);
        continue;
      }
      const r = Object.hasOwn(ranges, k) ? ranges[k] : undefined;
      if (!r) bad(field, `unknown (known: ${[...Object.keys(ranges), ...(group === 'cpu' ? ['usualPorts'] : [])].join(', ')})`);
      if (typeof v !== 'number' || !Number.isFinite(v)) bad(field, `expected a number, got ${JSON.stringify(v)}`);
      if (r.integer && !Number.isInteger(v)) bad(field, `expected an integer, got ${v}`);
      if (v < r.min || v > r.max) bad(field, `${v} is out of range (${r.min}-${r.max})`);
      if (group === 'cpu' && k === 'percent') out.cpuThreshold = { ...out.cpuThreshold, percent: v };
      else if (group === 'cpu' && k === 'sustainSeconds') out.cpuThreshold = { ...out.cpuThreshold, duration: v * 1000 };
      else target[k] = v;
    }
  }
  return out;
}
