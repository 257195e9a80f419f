// The image admission policy (product.md policy.image-admission, section
// 3.1): which images and container settings may start, where (namespaces,
// pod labels, Kubernetes and/or Docker), with exceptions, in one of three
// modes: `enforce` (refuse), `warn` (admit with a warning and an alert),
// `audit` (admit, alert only). Owns the document shape (YAML/JSON, the same
// in `--policy FILE` and in the server's `image-admission` policies) and its
// validation; every error names the field and the reason. docs/admission.md
// documents it; ./decide.ts evaluates it.
import { onlyKeys as only, policyInvalid as bad, stringList } from '../policy/doc-check.js';
import { normaliseCap } from '../checks/capabilities.js';
import { DANGEROUS_HOST_PATHS, normalisePath } from '../checks/host-mounts.js';

export type AdmissionMode = 'enforce' | 'warn' | 'audit';
export const ADMISSION_MODES: readonly AdmissionMode[] = ['enforce', 'warn', 'audit'];
export type AdmissionTarget = 'kubernetes' | 'docker';

export interface AdmissionScope {
  /** Namespace globs the policy applies to (default: all). */
  namespaces?: string[];
  excludeNamespaces?: string[];
  /** Pod (or Docker container) labels that must all match; values are globs. */
  labels?: Record<string, string>;
  /** Default: both. */
  targets?: AdmissionTarget[];
}

export interface AdmissionRules {
  scan?: { required?: boolean; maxAgeDays?: number };
  vulnerabilities?: { maxCritical?: number; maxHigh?: number; fixableOnly?: boolean };
  /** Refuse images in which the scan found malware / secrets. */
  malware?: boolean;
  secrets?: boolean;
  /** Registry host or host/path-prefix globs (`registry.example.com`, `ghcr.io/acme`). */
  registries?: { allow?: string[]; deny?: string[] };
  images?: {
    /** Globs over the normalised `registry/repository:tag` (e.g. `docker.io/library/<any>:latest`). */
    deny?: string[];
    /** Refuse the tag `latest` (or no tag and no digest, which means latest). */
    disallowLatest?: boolean;
    /** Refuse references without `@sha256:` digest. */
    requireDigest?: boolean;
  };
  container?: {
    privileged?: boolean;
    /** Capabilities whose addition is refused (`SYS_ADMIN`, `ALL`), or `beyond-default` for any outside the runtime default set. */
    capabilities?: string[] | 'beyond-default';
    /** Host namespaces refused: pid, network, ipc. */
    hostNamespaces?: Array<'pid' | 'network' | 'ipc'>;
    /** Host paths refused as mounts (a subpath of one counts; `/` only as itself), or `dangerous` for the list of docs/checks.md. */
    hostMounts?: string[] | 'dangerous';
    seccompUnconfined?: boolean;
    /** allowPrivilegeEscalation: true / no-new-privileges:false. */
    privilegeEscalation?: boolean;
  };
}

export interface AdmissionException {
  /** Why (shown in the decision log). */
  reason?: string;
  images?: string[];
  namespaces?: string[];
  labels?: Record<string, string>;
  /** Rule ids excused (default: all). */
  rules?: string[];
}

export interface AdmissionPolicy {
  name: string;
  mode: AdmissionMode;
  scope: AdmissionScope;
  rules: AdmissionRules;
  exceptions: AdmissionException[];
}

/** Every rule id a decision reason (and an exception) can name. */
export const ADMISSION_RULE_IDS = [
  'scan.required',
  'scan.maxAge',
  'vulnerabilities.critical',
  'vulnerabilities.high',
  'malware',
  'secrets',
  'registries.allow',
  'registries.deny',
  'images.deny',
  'images.latest',
  'images.digest',
  'container.privileged',
  'container.capabilities',
  'container.hostNamespaces',
  'container.hostMounts',
  'container.seccomp',
  'container.privilegeEscalation',
] as const;
export type AdmissionRuleId = (typeof ADMISSION_RULE_IDS)[number];

export const ADMISSION_API_VERSION = 'vigil.dev/v1';
export const ADMISSION_KIND = 'ImageAdmissionPolicy';
export const ADMISSION_LIMITS = { policies: 200, listEntries: 1000, stringChars: 500, exceptions: 500, labels: 50 };

/** The flat keys the server accepted before the full model; still read, mapped into `rules`. */
const LEGACY_KEYS = ['maxCritical', 'maxHigh', 'requireScan', 'blockMalware', 'allowedRegistries', 'denyImages'];

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

function mapping(v: unknown, where: string): Obj {
  if (!isObj(v)) bad(where, 'must be a mapping');
  return v;
}

function strings(v: unknown, where: string): string[] | undefined {
  return stringList(v, where, ADMISSION_LIMITS.listEntries, ADMISSION_LIMITS.stringChars);
}

function bool(v: unknown, where: string): boolean | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'boolean') bad(where, 'must be true or false');
  return v;
}

function count(v: unknown, where: string, max = 1_000_000): number | undefined {
  if (v === undefined) return undefined;
  if (!Number.isInteger(v) || (v as number) < 0 || (v as number) > max) bad(where, `must be a whole number from 0 to ${max}`);
  return v as number;
}

function labels(v: unknown, where: string): Record<string, string> | undefined {
  if (v === undefined || v === null) return undefined;
  const o = mapping(v, where);
  const keys = Object.keys(o);
  if (keys.length > ADMISSION_LIMITS.labels) bad(where, `more than ${ADMISSION_LIMITS.labels} labels`);
  const out: Record<string, string> = {};
  for (const k of keys) {
    const val = o[k];
    if (typeof val !== 'string' || val.length > ADMISSION_LIMITS.stringChars || k.length > 317) bad(`${where}.${k}`, 'must be a string (a value or a glob)');
    out[k] = val;
  }
  return out;
}

function setIf<T extends object, K extends keyof T>(o: T, k: K, v: T[K] | undefined): void {
  if (v !== undefined) o[k] = v;
}

type Reader<T> = (v: unknown, where: string) => T | undefined;

/** A mapping of the fields `readers` names (others refused), each read by its reader; absent ones left out. */
function section<T extends object>(v: unknown, where: string, readers: { [K in keyof T]-?: Reader<T[K]> }): T {
  const o = mapping(v, where);
  const keys = Object.keys(readers) as Array<keyof T & string>;
  only(o, keys, where);
  const out = {} as T;
  for (const k of keys) setIf(out, k, readers[k](o[k], `${where}.${k}`));
  return out;
}

const lowerCaseStrings: Reader<string[]> = (v, where) => strings(v, where)?.map((x) => x.toLowerCase());

/** A list of strings each of which passes `ok` (else `message` names the entry). */
function checkedStrings(v: unknown, where: string, ok: (x: string) => boolean, message: (x: string) => string): string[] | undefined {
  const list = strings(v, where);
  list?.forEach((x, i) => {
    if (!ok(x)) bad(`${where}[${i}]`, message(x));
  });
  return list;
}

const targets: Reader<AdmissionTarget[]> = (v, where) =>
  checkedStrings(
    v,
    where,
    (x) => x === 'kubernetes' || x === 'docker',
    () => 'must be kubernetes or docker',
  ) as AdmissionTarget[] | undefined;

function parseScope(v: unknown, where: string): AdmissionScope {
  if (v === undefined || v === null) return {};
  return section<AdmissionScope>(v, where, { namespaces: strings, excludeNamespaces: strings, labels, targets });
}

function parseRules(v: unknown, where: string): AdmissionRules {
  if (v === undefined || v === null) return {};
  const o = mapping(v, where);
  only(o, ['scan', 'vulnerabilities', 'malware', 'secrets', 'registries', 'images', 'container'], where);
  const r: AdmissionRules = {};
  if (o.scan !== undefined) r.scan = section(o.scan, `${where}.scan`, { required: bool, maxAgeDays: (x, w) => count(x, w, 3650) });
  if (o.vulnerabilities !== undefined)
    r.vulnerabilities = section(o.vulnerabilities, `${where}.vulnerabilities`, { maxCritical: count, maxHigh: count, fixableOnly: bool });
  setIf(r, 'malware', bool(o.malware, `${where}.malware`));
  setIf(r, 'secrets', bool(o.secrets, `${where}.secrets`));
  if (o.registries !== undefined) r.registries = section(o.registries, `${where}.registries`, { allow: lowerCaseStrings, deny: lowerCaseStrings });
  if (o.images !== undefined) r.images = section(o.images, `${where}.images`, { deny: strings, disallowLatest: bool, requireDigest: bool });
  if (o.container !== undefined) {
    const w = `${where}.container`;
    const s = mapping(o.container, w);
    only(s, ['privileged', 'capabilities', 'hostNamespaces', 'hostMounts', 'seccompUnconfined', 'privilegeEscalation'], w);
    const c: NonNullable<AdmissionRules['container']> = {};
    setIf(c, 'privileged', bool(s.privileged, `${w}.privileged`));
    if (s.capabilities === 'beyond-default') c.capabilities = 'beyond-default';
    else if (s.capabilities !== undefined) {
      const caps = checkedStrings(
        s.capabilities,
        `${w}.capabilities`,
        (x) => /^[A-Za-z_]{2,40}$/.test(x),
        () => 'must be a capability name (SYS_ADMIN, NET_ADMIN, ALL) or the word beyond-default instead of the list',
      )!;
      c.capabilities = caps.map(normaliseCap);
    }
    const ns = checkedStrings(
      s.hostNamespaces,
      `${w}.hostNamespaces`,
      (x) => ['pid', 'network', 'ipc'].includes(x),
      () => 'must be pid, network or ipc',
    );
    if (ns) c.hostNamespaces = ns as Array<'pid' | 'network' | 'ipc'>;
    if (s.hostMounts === 'dangerous') c.hostMounts = 'dangerous';
    else if (s.hostMounts !== undefined) {
      const ps = checkedStrings(
        s.hostMounts,
        `${w}.hostMounts`,
        (x) => x.startsWith('/'),
        () => 'must be an absolute host path (or the word dangerous instead of the list)',
      )!;
      c.hostMounts = ps.map(normalisePath);
    }
    setIf(c, 'seccompUnconfined', bool(s.seccompUnconfined, `${w}.seccompUnconfined`));
    setIf(c, 'privilegeEscalation', bool(s.privilegeEscalation, `${w}.privilegeEscalation`));
    r.container = c;
  }
  return r;
}

function applyLegacy(o: Obj, r: AdmissionRules, where: string): void {
  const maxCritical = count(o.maxCritical, `${where}.maxCritical`);
  const maxHigh = count(o.maxHigh, `${where}.maxHigh`);
  if (maxCritical !== undefined || maxHigh !== undefined) {
    r.vulnerabilities = { ...r.vulnerabilities };
    setIf(r.vulnerabilities, 'maxCritical', maxCritical);
    setIf(r.vulnerabilities, 'maxHigh', maxHigh);
  }
  const requireScan = bool(o.requireScan, `${where}.requireScan`);
  if (requireScan !== undefined) r.scan = { ...r.scan, required: requireScan };
  setIf(r, 'malware', bool(o.blockMalware, `${where}.blockMalware`));
  const allow = strings(o.allowedRegistries, `${where}.allowedRegistries`);
  if (allow) r.registries = { ...r.registries, allow: allow.map((x) => x.toLowerCase()) };
  const deny = strings(o.denyImages, `${where}.denyImages`);
  if (deny) r.images = { ...r.images, deny };
}

function parseException(v: unknown, where: string): AdmissionException {
  const reason: Reader<string> = (x, w) => {
    if (x === undefined) return undefined;
    if (typeof x !== 'string' || x.length > 1000) bad(w, 'must be a string of at most 1000 characters');
    return x;
  };
  const rules: Reader<string[]> = (x, w) =>
    checkedStrings(
      x,
      w,
      (id) => (ADMISSION_RULE_IDS as readonly string[]).includes(id),
      (id) => `unknown rule ${JSON.stringify(id)} (expected one of ${ADMISSION_RULE_IDS.join(', ')})`,
    );
  const e = section<AdmissionException>(v, where, { reason, images: strings, namespaces: strings, labels, rules });
  if (!e.images && !e.namespaces && !e.labels) bad(where, 'needs images, namespaces or labels (an exception for everything is no policy)');
  return e;
}

/** Validate one policy object (`name`, `mode`, `scope`, `rules`, `exceptions`; the server's flat keys also read). */
export function validateAdmissionPolicy(raw: unknown, where = 'policy'): AdmissionPolicy {
  const o = mapping(raw, where);
  only(o, ['apiVersion', 'kind', 'name', 'mode', 'scope', 'rules', 'exceptions', ...LEGACY_KEYS], where);
  if (o.apiVersion !== undefined && o.apiVersion !== ADMISSION_API_VERSION) bad(`${where}.apiVersion`, `unsupported (expected ${ADMISSION_API_VERSION})`);
  if (o.kind !== undefined && o.kind !== ADMISSION_KIND) bad(`${where}.kind`, `must be ${ADMISSION_KIND}`);
  if (typeof o.name !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(o.name))
    bad(`${where}.name`, 'must be a name of letters, digits, . _ - (at most 128)');
  // The server's generic policy mode `alert` means: alert only.
  const mode = o.mode === undefined ? 'enforce' : o.mode === 'alert' ? 'audit' : o.mode;
  if (!ADMISSION_MODES.includes(mode as AdmissionMode)) bad(`${where}.mode`, 'must be enforce, warn or audit');
  const rules = parseRules(o.rules, `${where}.rules`);
  applyLegacy(o, rules, where);
  if (o.exceptions !== undefined && !Array.isArray(o.exceptions)) bad(`${where}.exceptions`, 'must be a list');
  const exc = (o.exceptions as unknown[] | undefined) ?? [];
  if (exc.length > ADMISSION_LIMITS.exceptions) bad(`${where}.exceptions`, `more than ${ADMISSION_LIMITS.exceptions} exceptions`);
  const p: AdmissionPolicy = {
    name: o.name,
    mode: mode as AdmissionMode,
    scope: parseScope(o.scope, `${where}.scope`),
    rules,
    exceptions: exc.map((e, i) => parseException(e, `${where}.exceptions[${i}]`)),
  };
  if (!hasRules(p.rules))
    bad(`${where}.rules`, 'the policy has no rule (give at least one of scan, vulnerabilities, malware, secrets, registries, images, container)');
  return p;
}

function hasRules(r: AdmissionRules): boolean {
  const c = r.container ?? {};
  return !!(
    r.scan?.required ||
    r.scan?.maxAgeDays !== undefined ||
    r.vulnerabilities?.maxCritical !== undefined ||
    r.vulnerabilities?.maxHigh !== undefined ||
    r.malware ||
    r.secrets ||
    r.registries?.allow ||
    r.registries?.deny?.length ||
    r.images?.deny?.length ||
    r.images?.disallowLatest ||
    r.images?.requireDigest ||
    c.privileged ||
    c.capabilities?.length ||
    c.hostNamespaces?.length ||
    c.hostMounts?.length ||
    c.seccompUnconfined ||
    c.privilegeEscalation
  );
}

/**
 * A policy file: one policy, a list, `{policies: [...]}`, or (from YAML) several documents
 * already parsed into an array by the caller. Names must be unique.
 */
export function validateAdmissionPolicies(raw: unknown, file = 'policy'): AdmissionPolicy[] {
  let list: unknown[];
  if (Array.isArray(raw)) list = raw;
  else if (isObj(raw) && 'policies' in raw) {
    only(raw, ['apiVersion', 'kind', 'policies'], file);
    if (!Array.isArray(raw.policies)) bad(`${file}.policies`, 'must be a list');
    list = raw.policies;
  } else list = [raw];
  if (list.length === 0) bad(file, 'no policy');
  if (list.length > ADMISSION_LIMITS.policies) bad(file, `more than ${ADMISSION_LIMITS.policies} policies`);
  const names = new Set<string>();
  return list.map((p, i) => {
    const pol = validateAdmissionPolicy(
      p,
      list.length === 1 && !Array.isArray(raw) && !(isObj(raw) && 'policies' in raw) ? `${file}: policy` : `${file}: policies[${i}]`,
    );
    if (names.has(pol.name)) bad(`${file}: policies[${i}].name`, `duplicate policy name ${pol.name}`);
    names.add(pol.name);
    return pol;
  });
}

export { DANGEROUS_HOST_PATHS };
