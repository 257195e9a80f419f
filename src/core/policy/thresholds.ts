// The thresholds a detection policy can tune (product.md policy.detection),
// in one place: each key names the aggregating built-in rule it drives, its
// parameters with their defaults and bounds, and how the engine applies
// them. The validation of detection policies (./detection.ts), the engine's
// tuning (src/core/rules/tuning.ts), `vigil rules effective` and the CPU
// sampler all read this table; docs/detection-policy.md documents it.
//
// How a parameter binds to its rule (`bind`):
// - `count` / `window`: the rule's `aggregate.threshold` / `aggregate.window`
//   (a policy that sets neither leaves the rule file's values);
// - `gate`: a numeric minimum on an event field, ANDed to the rule by the
//   engine (the rule text names no number, so the default applies always).
// Durations are written like `90s`, `10m` in documents and resolved to
// milliseconds (`ThresholdValues`).
import type { EventSource } from '../events/event.js';

export interface ThresholdParam {
  kind: 'count' | 'duration' | 'percent';
  /** Default (milliseconds for durations); for `count`/`window` bindings, the rule file's value (checked by a test). */
  default: number;
  min: number;
  max: number;
  doc: string;
}

export interface ThresholdDef {
  /** The catalog type the rule raises. */
  type: string;
  /** The built-in rule the parameters apply to. */
  rule: string;
  source: EventSource;
  summary: string;
  params: Readonly<Record<string, ThresholdParam>>;
  bind: { count?: string; window?: string; gate?: { param: string; field: string } };
}

const count = (d: number, doc: string, max = 100_000): ThresholdParam => ({ kind: 'count', default: d, min: 1, max, doc });
const window = (ms: number, doc: string): ThresholdParam => ({ kind: 'duration', default: ms, min: 1000, max: 24 * 3600_000, doc });

export const THRESHOLDS = {
  'brute-force': {
    type: 'user/brute-force',
    rule: 'Login brute force',
    source: 'syscall',
    summary: 'failed logins for one user from one address',
    params: { attempts: count(5, 'failed logins that make an alert'), window: window(60_000, 'within this time') },
    bind: { count: 'attempts', window: 'window' },
  },
  'password-spraying': {
    type: 'user/brute-force',
    rule: 'Password spraying from one address',
    source: 'syscall',
    summary: 'failed logins from one address across users',
    params: { attempts: count(20, 'failed logins that make an alert'), window: window(60_000, 'within this time') },
    bind: { count: 'attempts', window: 'window' },
  },
  connections: {
    type: 'system/abnormal-process-behavior',
    rule: 'Abnormal number of outbound connections',
    source: 'syscall',
    summary: 'outbound connections of one process (connection bursts)',
    params: { connections: count(200, 'connections that make an alert'), window: window(10_000, 'within this time') },
    bind: { count: 'connections', window: 'window' },
  },
  cpu: {
    type: 'system/abnormal-process-behavior',
    rule: 'Sustained high CPU use',
    source: 'syscall',
    summary: 'sustained CPU use of one process with miner traits (the CPU sampler: at or above `percent` for `duration`)',
    params: {
      percent: { kind: 'percent', default: 90, min: 1, max: 100, doc: 'CPU percent of one core a sample must reach' },
      duration: window(60_000, 'how long the process must stay at or above percent'),
    },
    bind: { window: 'duration', gate: { param: 'percent', field: 'evt.arg.cpu_percent' } },
  },
  'forbidden-burst': {
    type: 'cluster/user-enumeration',
    rule: 'K8s Forbidden Request Burst',
    source: 'k8s_audit',
    summary: 'forbidden (403) answers to one Kubernetes user',
    params: { requests: count(10, 'forbidden answers that make an alert'), window: window(60_000, 'within this time') },
    bind: { count: 'requests', window: 'window' },
  },
} as const satisfies Record<string, ThresholdDef>;

export type ThresholdKey = keyof typeof THRESHOLDS;
export const THRESHOLD_KEYS = Object.keys(THRESHOLDS).sort() as ThresholdKey[];

/** Resolved thresholds: every key, every parameter, durations in milliseconds (e.g. `cpu.percent`, `cpu.duration`). */
export type ThresholdValues = { [K in ThresholdKey]: { [P in keyof (typeof THRESHOLDS)[K]['params']]: number } };

export function isThresholdKey(k: string): k is ThresholdKey {
  return Object.prototype.hasOwnProperty.call(THRESHOLDS, k);
}

export function thresholdDef(k: ThresholdKey): ThresholdDef {
  return THRESHOLDS[k];
}

/** The defaults of every threshold (a fresh object). */
export function defaultThresholds(): ThresholdValues {
  const out: Record<string, Record<string, number>> = {};
  for (const k of THRESHOLD_KEYS) {
    const def: ThresholdDef = THRESHOLDS[k];
    out[k] = Object.fromEntries(Object.entries(def.params).map(([p, v]) => [p, v.default]));
  }
  return out as ThresholdValues;
}
