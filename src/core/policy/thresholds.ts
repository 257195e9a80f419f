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

/** A rule that counts `param` events within a window: `count` and `window` bind to its aggregate. */
function burst<P extends string>(
  type: string,
  rule: string,
  source: EventSource,
  summary: string,
  [param, n, doc]: readonly [P, number, string],
  windowMs = 60_000,
) {
  const params = { [param]: count(n, doc), window: window(windowMs, 'within this time') } as Record<P | 'window', ThresholdParam>;
  return { type, rule, source, summary, params, bind: { count: param, window: 'window' } } satisfies ThresholdDef;
}

const LOGINS = 'failed logins that make an alert';

export const THRESHOLDS = {
  'brute-force': burst('user/brute-force', 'Login brute force', 'syscall', 'failed logins for one user from one address', ['attempts', 5, LOGINS]),
  'password-spraying': burst('user/brute-force', 'Password spraying from one address', 'syscall', 'failed logins from one address across users', [
    'attempts',
    20,
    LOGINS,
  ]),
  connections: burst(
    'system/abnormal-process-behavior',
    'Abnormal number of outbound connections',
    'syscall',
    'outbound connections of one process (connection bursts)',
    ['connections', 200, 'connections that make an alert'],
    10_000,
  ),
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
  'forbidden-burst': burst('cluster/user-enumeration', 'K8s Forbidden Request Burst', 'k8s_audit', 'forbidden (403) answers to one Kubernetes user', [
    'requests',
    10,
    'forbidden answers that make an alert',
  ]),
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
