// The runtime policy model: what a user (or, later, the server) tells the
// agent about the containers of an image: which executables they may run
// (a process whitelist, learnable), which paths they must not change (file
// protection), whether reverse shells are killed, and whether violations
// only alert or are enforced (SIGKILL). Owns: the plain-object shape (JSON
// and YAML serialisable, as the server will push the same documents) and its
// validation. Evaluation lives in ./evaluate.ts. docs/runtime.md documents it.
import { onlyKeys as only, policyInvalid as bad, stringList } from './doc-check.js';

export type PolicyMode = 'alert' | 'enforce';

export interface PolicySelector {
  /** Image references or globs (`nginx:*`, `docker.io/library/nginx*`, `*`). */
  images?: string[];
  /** Container ids (full, or a prefix of at least 12 hex) or container names (globs). */
  containers?: string[];
}

export interface ProcessWhitelist {
  /** Allowed executables: absolute paths or globs (`/usr/sbin/nginx`, `/usr/lib/php/*`). */
  executables?: string[];
  /** Learn for this long (`90s`, `10m`, `2h`, or seconds) from the first time the agent applies the policy, then lock. */
  learn?: string | number;
}

export interface FileProtection {
  /** Protected directories or files: a write, create, truncate, rename or unlink below them is a violation. */
  paths: string[];
  /** Also report reads of these paths (default: only changes). */
  reads?: boolean;
}

export interface RuntimePolicy {
  name: string;
  selector: PolicySelector;
  mode?: PolicyMode;
  processWhitelist?: ProcessWhitelist;
  fileProtection?: FileProtection;
  /** Reverse shells in matching containers: `alert` (the rules already alert), `enforce` (kill), `off`. Default: the policy mode. */
  reverseShell?: PolicyMode | 'off';
}

export interface PolicyDocument {
  apiVersion?: string;
  kind?: string;
  policies: RuntimePolicy[];
}

export const POLICY_API_VERSION = 'vigil.dev/v1';
export const POLICY_LIMITS = { policies: 1000, listEntries: 10_000, stringBytes: 4096, learnMaxMs: 30 * 24 * 3600 * 1000 };

function isObj(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

function strings(v: unknown, where: string): string[] | undefined {
  return stringList(v, where, POLICY_LIMITS.listEntries, POLICY_LIMITS.stringBytes);
}

/** Parse a duration: `500ms`, `90s`, `10m`, `2h`, `1d`, or a number of seconds. */
export function parseDuration(v: string | number, where: string): number {
  let ms: number;
  if (typeof v === 'number') ms = v * 1000;
  else {
    const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/.exec(v);
    if (!m) bad(where, `not a duration: ${JSON.stringify(v.slice(0, 40))} (use e.g. 90s, 10m, 2h)`);
    const unit = m[2] ?? 's';
    ms = Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[unit]!;
  }
  if (!Number.isFinite(ms) || ms < 0 || ms > POLICY_LIMITS.learnMaxMs) bad(where, 'duration must be between 0 and 30 days');
  return ms;
}

function mode(v: unknown, where: string, allowOff = false): PolicyMode | 'off' | undefined {
  if (v === undefined) return undefined;
  if (v === 'alert' || v === 'enforce' || (allowOff && v === 'off')) return v;
  return bad(where, `must be ${allowOff ? 'alert, enforce or off' : 'alert or enforce'}`);
}

/** Validate a parsed policy document (from YAML or JSON); `file` names it in errors. */
export function validatePolicyDocument(raw: unknown, file = 'policy'): PolicyDocument {
  // A bare list of policies, or a single policy, is accepted as shorthand.
  let doc: unknown = raw;
  if (Array.isArray(raw)) doc = { policies: raw };
  else if (isObj(raw) && !('policies' in raw) && 'name' in raw) doc = { policies: [raw] };
  if (!isObj(doc)) bad(file, 'must be a mapping with a "policies" list');
  only(doc, ['apiVersion', 'kind', 'policies'], file);
  if (doc.apiVersion !== undefined && doc.apiVersion !== POLICY_API_VERSION) bad(`${file}: apiVersion`, `unsupported (expected ${POLICY_API_VERSION})`);
  if (doc.kind !== undefined && doc.kind !== 'RuntimePolicy') bad(`${file}: kind`, 'must be RuntimePolicy');
  if (!Array.isArray(doc.policies)) bad(`${file}: policies`, 'must be a list');
  if (doc.policies.length > POLICY_LIMITS.policies) bad(`${file}: policies`, `more than ${POLICY_LIMITS.policies} policies`);
  const names = new Set<string>();
  const policies = doc.policies.map((p, i): RuntimePolicy => {
    const w = `${file}: policies[${i}]`;
    if (!isObj(p)) bad(w, 'must be a mapping');
    only(p, ['name', 'selector', 'mode', 'processWhitelist', 'fileProtection', 'reverseShell'], w);
    if (typeof p.name !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(p.name))
      bad(`${w}.name`, 'must be a name of letters, digits, . _ - (at most 128)');
    if (names.has(p.name)) bad(`${w}.name`, `duplicate policy name ${p.name}`);
    names.add(p.name);
    if (!isObj(p.selector)) bad(`${w}.selector`, 'must be a mapping with images and/or containers');
    only(p.selector, ['images', 'containers'], `${w}.selector`);
    const selector: PolicySelector = {};
    const images = strings(p.selector.images, `${w}.selector.images`);
    const containers = strings(p.selector.containers, `${w}.selector.containers`);
    if (images) selector.images = images;
    if (containers) selector.containers = containers;
    if (!images?.length && !containers?.length) bad(`${w}.selector`, 'needs at least one image or container');
    const out: RuntimePolicy = { name: p.name, selector };
    const m = mode(p.mode, `${w}.mode`);
    if (m) out.mode = m as PolicyMode;
    if (p.processWhitelist !== undefined) {
      const pw = p.processWhitelist;
      if (!isObj(pw)) bad(`${w}.processWhitelist`, 'must be a mapping');
      only(pw, ['executables', 'learn'], `${w}.processWhitelist`);
      const ex = strings(pw.executables, `${w}.processWhitelist.executables`);
      const wl: ProcessWhitelist = {};
      if (ex) wl.executables = ex;
      if (pw.learn !== undefined) {
        if (typeof pw.learn !== 'string' && typeof pw.learn !== 'number') bad(`${w}.processWhitelist.learn`, 'must be a duration');
        parseDuration(pw.learn, `${w}.processWhitelist.learn`);
        wl.learn = pw.learn;
      }
      if (!wl.executables && wl.learn === undefined) bad(`${w}.processWhitelist`, 'needs executables or learn');
      out.processWhitelist = wl;
    }
    if (p.fileProtection !== undefined) {
      const fp = p.fileProtection;
      if (!isObj(fp)) bad(`${w}.fileProtection`, 'must be a mapping');
      only(fp, ['paths', 'reads'], `${w}.fileProtection`);
      const paths = strings(fp.paths, `${w}.fileProtection.paths`);
      if (!paths?.length) bad(`${w}.fileProtection.paths`, 'needs at least one path');
      paths.forEach((x, j) => {
        if (!x.startsWith('/')) bad(`${w}.fileProtection.paths[${j}]`, 'must be an absolute path');
      });
      if (fp.reads !== undefined && typeof fp.reads !== 'boolean') bad(`${w}.fileProtection.reads`, 'must be true or false');
      out.fileProtection = { paths, ...(fp.reads !== undefined ? { reads: fp.reads as boolean } : {}) };
    }
    const rs = mode(p.reverseShell, `${w}.reverseShell`, true);
    if (rs) out.reverseShell = rs;
    return out;
  });
  const res: PolicyDocument = { policies };
  if (typeof doc.apiVersion === 'string') res.apiVersion = doc.apiVersion;
  if (typeof doc.kind === 'string') res.kind = doc.kind;
  return res;
}

/** Every protected path of every policy (the sensor reports writes below them). */
export function protectedPaths(doc: PolicyDocument): string[] {
  return [...new Set(doc.policies.flatMap((p) => p.fileProtection?.paths ?? []))].sort();
}
