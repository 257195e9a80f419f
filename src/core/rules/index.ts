// Public API of the detection engine (issue 5). Stable: names are added, never renamed.
//
//   import { loadRuleset, Engine } from '../core/rules/index.js';
//
//   const { ruleset, diagnostics } = loadRuleset(
//     [{ name: 'rules/builtin/reverse-shell.yaml', text }],   // files in order; later ones append/override
//     { builtin: true, source: 'syscall' });                  // builtin: rules carry catalog `type`s
//   // diagnostics: [{ code, severity: 'warning'|'error', file, line, column, rule?, field?, message }]
//   const engine = new Engine(ruleset /* or [builtin, user] */, {
//     host: 'node-1', clock?: () => ms, newId?: () => string,
//     threatIps?: ['203.0.113.0/24'] | CidrSet,             // network/abnormal-outbound
//     policies?: (container, event) => ({ processWhitelist?, protectedPaths?, mode? }) | undefined,
//     policyDecision?: (event) => Violation[],             // the runtime policies' one decision (PolicyStage)
//   });
//   const alerts: Alert[] = engine.process(event);          // EngineEvent: SyscallEvent | K8sAuditEvent (event.ts)
//   engine.flush(nowMs);                                     // evict expired aggregation windows (event time)
//
// Events are immutable inputs: build a new object per event (the engine
// memoises macro results on the event's identity and caches derived strings
// such as proc.cmdline on its proc object); sharing ContainerInfo objects
// between events is fine.
// Alert `type`: the rule's catalog `type` for built-in loads; `custom/<rule name>`
// for every other file (a user file can never raise a catalog type).
//
// Events: src/core/events/event.ts (SyscallEvent is post-syscall: `evt.dir` is
// always `<`; non-syscall event types `filechange`, `auth`, `passwd`,
// `procstat`, `container` are documented there and in docs/rules.md).
// Fields: one module per family in src/core/rules/fields/, registered in
// fields/index.ts (add a family: one import + one array entry).
// Tests of rule files: ruleTester(files, { fires: [{ event, type }], silent: [{ event }] }, opts)
// from rule-tester.ts; event builders (makeEvent, exec, open, connect, symlink, rename) in event-builders.ts.
// Node side: src/node/rules/load.ts has loadBuiltinRules() and loadRuleFiles(paths).

export type { EngineEvent, SyscallEvent, K8sAuditEvent, FieldDef, FieldFamily, EventSource, ProcessInfo, FdInfo, ContainerInfo } from '../events/event.js';
export type { Diagnostic, DiagnosticSeverity } from './diagnostics.js';
export { DIAGNOSTIC_CODES } from './diagnostics.js';
export { loadRuleset, ENGINE_VERSION, LOAD_LIMITS, parseDuration } from './loader.js';
export type { RuleFile, LoadOptions, LoadResult, Rule, Ruleset, SkippedRule, AggregateSpec } from './loader.js';
export { Engine } from './engine.js';
export type { EngineOptions, EngineStats } from './engine.js';
export { FIELD_FAMILIES, fieldsOf, resolveField } from './fields/index.js';
export { cidrSet, parseCidr } from './cidr.js';
export type { CidrSet } from './cidr.js';
export { parsePriority, severityOfPriority, PRIORITIES } from './priority.js';
export type { Priority } from './priority.js';
export { BUILTIN_DETECTORS, POLICY_DETECTORS, detectorIndex } from './detectors/index.js';
export type { Detector, DetectorHit, DetectorContext, ContainerPolicy, PolicyLookup, PolicyDecision } from './detectors/types.js';
export { ruleTester, runRuleCases } from './rule-tester.js';
export type { FiresCase, SilentCase, RuleTesterOptions, RuleTestReport, CaseResult } from './rule-tester.js';
export { makeEvent, exec, open, connect, symlink, rename, TEST_CONTAINER, TEST_TIME } from './event-builders.js';
export type { PartialEvent } from './event-builders.js';
export { parseThreatIpList, DEFAULT_THREAT_IPS } from './threat-ips.js';
