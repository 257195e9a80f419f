// The admission decision: (policies, image facts, container specs) ->
// allow / deny with reasons, warnings and audit-only findings. One pure
// function shared by the Kubernetes webhook, the Docker authorization plugin
// and the server's "what would happen" endpoint. Image facts come from scans
// (the server, or scan reports given to the CLI); an image without facts is
// "not scanned". Container rules reuse the environment checks of
// src/core/checks so `vigil check`, the runtime and admission agree.
import type { ContainerSpec } from '../checks/spec.js';
import type { Severity } from '../alerts/types.js';
import { privilegedCheck } from '../checks/privileged.js';
import { capabilitiesCheck, normaliseCap } from '../checks/capabilities.js';
import { seccompCheck } from '../checks/seccomp.js';
import { noNewPrivilegesCheck } from '../checks/no-new-privileges.js';
import { hostMountsCheck, normalisePath, ALLOWED_HOST_PATHS } from '../checks/host-mounts.js';
import { globMatch, isGlob } from '../policy/glob.js';
import { tryParseImageRef, type ImageRef } from './image-ref.js';
import type { AdmissionException, AdmissionMode, AdmissionPolicy, AdmissionRuleId, AdmissionTarget } from './policy.js';

export interface ImageFacts {
  /** A finished scan exists. */
  scanned: boolean;
  /** ISO time of the last finished scan. */
  scannedAt?: string;
  digest?: string;
  /** Not ignored findings; `*Fixable` count those with a fixed version. */
  vulnerabilities?: { critical: number; high: number; criticalFixable: number; highFixable: number };
  /** Malware / secret findings of the last scan (undefined: that scanner did not run). */
  malware?: number;
  secrets?: number;
}

export interface AdmissionSubject {
  target: AdmissionTarget;
  /** One per container (init and ephemeral included), with image, namespace and labels. */
  specs: ContainerSpec[];
}

export type FactsLookup = (image: ImageRef) => ImageFacts | undefined;

export const IMAGE_BLOCKED_ALERT = 'container/image-blocked';
export const ABNORMAL_STARTUP_ALERT = 'container/abnormal-startup';

export interface AdmissionReason {
  policy: string;
  mode: AdmissionMode;
  rule: AdmissionRuleId;
  /** Container name in the pod (or the Docker container name). */
  container: string;
  image: string;
  digest?: string;
  message: string;
  severity: Severity;
  alertType: typeof IMAGE_BLOCKED_ALERT | typeof ABNORMAL_STARTUP_ALERT;
}

export interface AdmissionDecision {
  allowed: boolean;
  /** Every violation, any mode. */
  reasons: AdmissionReason[];
  /** Refusals (enforce). */
  denied: AdmissionReason[];
  /** Shown to the user (warn). */
  warnings: AdmissionReason[];
  /** Recorded only (audit). */
  audited: AdmissionReason[];
  /** Policies that applied (in scope) to at least one container. */
  policies: string[];
}

function labelsMatch(want: Record<string, string> | undefined, have: Record<string, string> | undefined): boolean {
  if (!want) return true;
  for (const [k, v] of Object.entries(want)) {
    const got = have?.[k];
    if (got === undefined || !globMatch(v, got)) return false;
  }
  return true;
}

const anyGlob = (globs: string[] | undefined, value: string): boolean => !!globs?.some((g) => globMatch(g, value));

function imageMatches(globs: string[], raw: string, ref: ImageRef | undefined): boolean {
  const forms = ref ? [raw, ref.name, ref.full, `${ref.name}:${ref.tag}`, ref.digest ? `${ref.name}@${ref.digest}` : ''] : [raw];
  return globs.some((g) => forms.some((f) => f && globMatch(g, f)));
}

function inScope(p: AdmissionPolicy, target: AdmissionTarget, s: ContainerSpec): boolean {
  const sc = p.scope;
  if (sc.targets && !sc.targets.includes(target)) return false;
  const ns = s.namespace ?? '';
  if (sc.namespaces && (!ns || !anyGlob(sc.namespaces, ns))) return false;
  if (ns && anyGlob(sc.excludeNamespaces, ns)) return false;
  return labelsMatch(sc.labels, s.labels);
}

function excused(exc: AdmissionException[], rule: AdmissionRuleId, s: ContainerSpec, ref: ImageRef | undefined): boolean {
  return exc.some(
    (e) =>
      (!e.rules || e.rules.includes(rule)) &&
      (!e.images || (!!s.image && imageMatches(e.images, s.image, ref))) &&
      (!e.namespaces || (!!s.namespace && anyGlob(e.namespaces, s.namespace))) &&
      labelsMatch(e.labels, s.labels),
  );
}

function registryMatches(entry: string, ref: ImageRef): boolean {
  if (isGlob(entry)) return globMatch(entry, ref.registry) || globMatch(entry, ref.name);
  const e = entry.replace(/\/+$/, '');
  return ref.registry === e || ref.name === e || ref.name.startsWith(`${e}/`);
}

function underPath(path: string, root: string): boolean {
  return root === '/' ? path === '/' : path === root || path.startsWith(`${root}/`);
}

const DAY = 86_400_000;

interface Violation {
  rule: AdmissionRuleId;
  message: string;
  severity: Severity;
}

function imageViolations(p: AdmissionPolicy, s: ContainerSpec, ref: ImageRef | undefined, facts: ImageFacts | undefined, now: number): Violation[] {
  const r = p.rules;
  const out: Violation[] = [];
  const raw = s.image;
  if (!raw) return out;
  const hasImageRules = !!(r.registries || r.images || r.scan || r.vulnerabilities || r.malware || r.secrets);
  if (!ref) {
    if (hasImageRules) out.push({ rule: 'images.deny', message: `image reference ${JSON.stringify(raw.slice(0, 200))} does not parse`, severity: 'high' });
    return out;
  }
  if (r.registries?.deny?.some((e) => registryMatches(e, ref)))
    out.push({ rule: 'registries.deny', message: `registry ${ref.registry} of ${raw} is on the deny list`, severity: 'high' });
  if (r.registries?.allow && !r.registries.allow.some((e) => registryMatches(e, ref)))
    out.push({
      rule: 'registries.allow',
      message: `${raw} is not from an allowed registry (${r.registries.allow.slice(0, 5).join(', ')}${r.registries.allow.length > 5 ? ', ...' : ''})`,
      severity: 'high',
    });
  if (r.images?.deny && imageMatches(r.images.deny, raw, ref)) out.push({ rule: 'images.deny', message: `${raw} is on the image deny list`, severity: 'high' });
  if (r.images?.disallowLatest && ref.tag === 'latest' && !ref.digest)
    out.push({ rule: 'images.latest', message: `${raw} uses the tag latest (pin a version or a digest)`, severity: 'medium' });
  if (r.images?.requireDigest && !ref.digest) out.push({ rule: 'images.digest', message: `${raw} is not pinned by digest (@sha256:...)`, severity: 'medium' });
  const scanned = !!facts?.scanned;
  if (r.scan?.required && !scanned) out.push({ rule: 'scan.required', message: `${raw} has not been scanned`, severity: 'high' });
  if (scanned && r.scan?.maxAgeDays !== undefined) {
    const at = facts!.scannedAt ? Date.parse(facts!.scannedAt) : NaN;
    if (!Number.isFinite(at) || now - at > r.scan.maxAgeDays * DAY) {
      out.push({
        rule: 'scan.maxAge',
        message: `the last scan of ${raw} is older than ${r.scan.maxAgeDays} days${Number.isFinite(at) ? ` (${new Date(at).toISOString().slice(0, 10)})` : ''}`,
        severity: 'medium',
      });
    }
  }
  const v = facts?.vulnerabilities;
  if (scanned && v && r.vulnerabilities) {
    const fixable = !!r.vulnerabilities.fixableOnly;
    const crit = fixable ? v.criticalFixable : v.critical;
    const high = fixable ? v.highFixable : v.high;
    const what = fixable ? ' fixable' : '';
    if (r.vulnerabilities.maxCritical !== undefined && crit > r.vulnerabilities.maxCritical)
      out.push({
        rule: 'vulnerabilities.critical',
        message: `${raw} has ${crit}${what} critical vulnerabilities (at most ${r.vulnerabilities.maxCritical} allowed)`,
        severity: 'high',
      });
    if (r.vulnerabilities.maxHigh !== undefined && high > r.vulnerabilities.maxHigh)
      out.push({
        rule: 'vulnerabilities.high',
        message: `${raw} has ${high}${what} high vulnerabilities (at most ${r.vulnerabilities.maxHigh} allowed)`,
        severity: 'high',
      });
  }
  if (r.malware && (facts?.malware ?? 0) > 0)
    out.push({ rule: 'malware', message: `${raw} contains malware (${facts!.malware} findings)`, severity: 'critical' });
  if (r.secrets && (facts?.secrets ?? 0) > 0) out.push({ rule: 'secrets', message: `${raw} contains secrets (${facts!.secrets} findings)`, severity: 'high' });
  return out;
}

function containerViolations(p: AdmissionPolicy, s: ContainerSpec): Violation[] {
  const c = p.rules.container;
  if (!c) return [];
  const out: Violation[] = [];
  const fromCheck = (rule: AdmissionRuleId, fs: Array<{ detail: string; severity: Severity }>) => {
    for (const f of fs) out.push({ rule, message: f.detail, severity: f.severity });
  };
  if (c.privileged) fromCheck('container.privileged', privilegedCheck.run(s));
  if (c.capabilities === 'beyond-default') fromCheck('container.capabilities', capabilitiesCheck.run(s));
  else if (c.capabilities?.length) {
    const added = [...new Set(s.capAdd.map(normaliseCap))];
    const hit = added.filter((cap) => c.capabilities!.includes(cap) || cap === 'ALL');
    if (hit.length) out.push({ rule: 'container.capabilities', message: `adds capabilities ${hit.sort().join(', ')}`, severity: 'high' });
  }
  for (const ns of c.hostNamespaces ?? []) {
    const on = ns === 'pid' ? s.hostPID : ns === 'network' ? s.hostNetwork : s.hostIPC;
    if (on)
      out.push({
        rule: 'container.hostNamespaces',
        message: `shares the host ${ns === 'pid' ? 'PID' : ns === 'ipc' ? 'IPC' : 'network'} namespace`,
        severity: ns === 'pid' ? 'high' : 'medium',
      });
  }
  if (c.hostMounts === 'dangerous') fromCheck('container.hostMounts', hostMountsCheck.run(s));
  else if (c.hostMounts?.length) {
    for (const m of s.mounts) {
      if (m.type !== 'bind' && m.type !== 'hostPath') continue;
      const src = normalisePath(m.source);
      if (ALLOWED_HOST_PATHS.includes(src)) continue;
      const root = c.hostMounts.find((h) => underPath(src, h));
      if (root)
        out.push({ rule: 'container.hostMounts', message: `mounts host path ${src} at ${m.destination}${m.readOnly ? ' (read-only)' : ''}`, severity: 'high' });
    }
  }
  if (c.seccompUnconfined) fromCheck('container.seccomp', seccompCheck.run(s));
  if (c.privilegeEscalation) fromCheck('container.privilegeEscalation', noNewPrivilegesCheck.run(s));
  return out;
}

/** Decide one admission: every in-scope policy over every container. `now` is the clock (ms). */
export function decideAdmission(policies: readonly AdmissionPolicy[], subject: AdmissionSubject, facts: FactsLookup, now: number): AdmissionDecision {
  const d: AdmissionDecision = { allowed: true, reasons: [], denied: [], warnings: [], audited: [], policies: [] };
  const refs = new Map<string, ImageRef | undefined>();
  const factsOf = new Map<string, ImageFacts | undefined>();
  const applied = new Set<string>();
  for (const s of subject.specs) {
    let ref: ImageRef | undefined;
    let f: ImageFacts | undefined;
    if (s.image) {
      if (!refs.has(s.image)) refs.set(s.image, tryParseImageRef(s.image));
      ref = refs.get(s.image);
      if (ref && !factsOf.has(ref.full)) factsOf.set(ref.full, facts(ref));
      f = ref ? factsOf.get(ref.full) : undefined;
    }
    for (const p of policies) {
      if (!inScope(p, subject.target, s)) continue;
      applied.add(p.name);
      for (const v of [...imageViolations(p, s, ref, f, now), ...containerViolations(p, s)]) {
        if (excused(p.exceptions, v.rule, s, ref)) continue;
        const reason: AdmissionReason = {
          policy: p.name,
          mode: p.mode,
          rule: v.rule,
          container: s.container,
          image: s.image ?? '',
          message: v.message,
          severity: v.severity,
          alertType: v.rule.startsWith('container.') ? ABNORMAL_STARTUP_ALERT : IMAGE_BLOCKED_ALERT,
        };
        const digest = ref?.digest || f?.digest;
        if (digest) reason.digest = digest;
        d.reasons.push(reason);
        (p.mode === 'enforce' ? d.denied : p.mode === 'warn' ? d.warnings : d.audited).push(reason);
      }
    }
  }
  d.allowed = d.denied.length === 0;
  d.policies = [...applied].sort();
  return d;
}

/** One line per reason: `policy/rule: container: message`. */
export function reasonText(r: AdmissionReason): string {
  return `${r.policy}/${r.rule}: container ${r.container}: ${r.message}`;
}

/** The refusal message (Kubernetes status message, Docker error): bounded. */
export function denialMessage(d: AdmissionDecision, max = 2000): string {
  const lines = d.denied.map(reasonText);
  let msg = `Vigil admission: denied: ${lines.join('; ')}`;
  if (msg.length > max) msg = `${msg.slice(0, max - 20)}... (${lines.length} reasons)`;
  return msg;
}
