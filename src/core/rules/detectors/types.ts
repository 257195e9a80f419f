// Detectors: built-in detections that are code, not rule conditions
// (threat-IP lookups, policy-driven whitelist and file protection, passwd
// content analysis, container start checks). Each is one module with an id,
// a version and the catalog type it raises, registered in detectors/index.ts.
import type { Severity } from '../../alerts/types.js';
import type { ContainerInfo, EngineEvent, EventSource, SyscallEvent } from '../../events/event.js';
import type { CidrSet } from '../cidr.js';
import type { PolicyDecision } from '../../policy/evaluate.js';
import type { ThresholdValues } from '../../policy/thresholds.js';

/** A container's policies (product.md section 4), looked up per container by the runtime. */
export interface ContainerPolicy {
  /** Executables allowed in the container: absolute paths or bare process names; `*` globs allowed (matched as runtime policies' whitelists, src/core/policy/evaluate.ts). Undefined = no whitelist. */
  processWhitelist?: string[];
  /** Paths (directories or files) the container must not change (decided as runtime policies' file protection). Undefined = no file protection. */
  protectedPaths?: string[];
  /** `enforce`: the runtime kills the offending process; the alert says so in `action`. */
  mode?: 'alert' | 'enforce';
}

/** Finds the policy that applies to a container (by image, namespace, ...). */
export type PolicyLookup = (container: ContainerInfo, e: SyscallEvent) => ContainerPolicy | undefined;

/** The runtime policies' decision for an event; defined in src/core/policy/evaluate.ts (policy is below rules). */
export type { PolicyDecision } from '../../policy/evaluate.js';

export interface DetectorContext {
  host: string;
  threatIps?: CidrSet;
  policies?: PolicyLookup;
  policyDecision?: PolicyDecision;
  /** The thresholds in force (src/core/policy/thresholds.ts; durations in ms), e.g. `thresholds.cpu.percent`. */
  thresholds?: ThresholdValues;
}

export interface DetectorHit {
  message: string;
  severity?: Severity;
  /** Sub-rule name shown in the alert's `rule` (defaults to the detector id). */
  rule?: string;
  fields?: Record<string, unknown>;
  /** For policies in enforce mode: the runtime acts on it. */
  action?: { kind: 'alert' | 'killed' | 'denied'; detail?: string };
}

export type DetectorFn = (e: EngineEvent) => DetectorHit | DetectorHit[] | undefined;

export interface Detector {
  id: string;
  version: number;
  /** The catalog type its alerts carry. */
  type: string;
  source: EventSource;
  /** evt.types it looks at; null = all of its source. */
  evtTypes: string[] | null;
  severity: Severity;
  desc: string;
  remedy: string;
  /** Build the per-engine function; undefined when not configured (no threat list, no policies). */
  create(ctx: DetectorContext): DetectorFn | undefined;
}
