// pnpm-lock.yaml, lockfileVersion 5.x, 6.x and 9.x, as Trivy's pnpm parser
// reads it. Keys: `/name/version` (5.x, peers after `_`), `/name@version`
// (6.x, peers in `(...)`), `name@version` (9.x snapshots, peers in `(...)`);
// a registry host before the first `/` (5.x, 6.x) is dropped. 5.x/6.x:
// `packages` entries, direct when the top-level (or an importer's)
// dependencies name them at that version; entries marked `dev: true` are kept with the dev
// flag (Trivy leaves them out). 9.x: one package per snapshot (its ID is the
// snapshot key, peers included), direct when an importer names it, dev unless
// an importer's production dependency reaches it. Non-semver versions
// (tarballs, `file:`, git) become "". pnpm 11's env lockfile document (config
// and package-manager dependencies) is skipped.
import { yaml } from './yaml-lazy.js';
import semver from 'semver';
import { LockBudget, LockfileError, type LockPackage, type Manifests, isObj, lockId, sortedUnique } from './js-lock.js';

type Json = Record<string, unknown>;
const MAX_DOCUMENTS = 16;

const entriesOf = (x: unknown): Array<[string, Json]> => (isObj(x) ? Object.entries(x).filter((e): e is [string, Json] => isObj(e[1])) : []);
const stringsOf = (x: unknown): Array<[string, string]> => (isObj(x) ? Object.entries(x).filter((e): e is [string, string] => typeof e[1] === 'string') : []);

/** The version without its peer suffix (`_...` before 6.0, `(...)` from 6.0). */
export function trimPeers(version: string, lockVersion: number): string {
  const i = version.indexOf(lockVersion < 6 ? '_' : '(');
  return i < 0 ? version : version.slice(0, i);
}

/** Name and version of a package or snapshot key. */
export function parsePnpmKey(key: string, lockVersion: number): { name: string; version: string } {
  let rest = key;
  if (lockVersion < 9) rest = rest.slice(rest.indexOf('/') + 1); // "/x" or "registry.host/x"
  let scope = '';
  if (rest.startsWith('@')) {
    const i = rest.indexOf('/');
    scope = rest.slice(0, i < 0 ? rest.length : i);
    rest = i < 0 ? '' : rest.slice(i + 1);
  }
  const sep = rest.indexOf(lockVersion < 6 ? '/' : '@');
  const name = sep < 0 ? rest : rest.slice(0, sep);
  const version = sep < 0 ? '' : rest.slice(sep + 1);
  return { name: scope ? `${scope}/${name}` : name, version: trimPeers(version, lockVersion) };
}

const semverOrEmpty = (v: string): string => (semver.valid(v) ? v : '');

function lockVersionOf(doc: Json): number {
  const v = doc.lockfileVersion;
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number.parseFloat(v) : NaN;
  if (!Number.isFinite(n)) throw new LockfileError('no lockfileVersion');
  return n;
}

const isEnvDocument = (doc: Json): boolean =>
  entriesOf(doc.importers).some(([, imp]) => imp.configDependencies !== undefined || imp.packageManagerDependencies !== undefined);

/**
 * `manifests`: the project's package.json files by directory relative to the
 * lockfile; an importer other than `.` with a manifest is a workspace member.
 */
export function parsePnpmLock(text: string, manifests: Manifests = new Map()): LockPackage[] {
  let docs;
  try {
    docs = yaml().parseAllDocuments(text, { schema: 'failsafe', uniqueKeys: false });
  } catch (e) {
    throw new LockfileError(`YAML: ${String((e as Error).message).split('\n')[0]}`);
  }
  const list = Array.isArray(docs) ? docs : [docs];
  if (list.length > MAX_DOCUMENTS) throw new LockfileError(`more than ${MAX_DOCUMENTS} YAML documents`);
  for (const d of list) {
    if (d.errors.length) throw new LockfileError(`YAML: ${d.errors[0]!.message.split('\n')[0]}`);
    let doc: unknown;
    try {
      doc = d.toJS({ maxAliasCount: 100 });
    } catch (e) {
      throw new LockfileError(`YAML: ${String((e as Error).message).split('\n')[0]}`);
    }
    if (!isObj(doc) || isEnvDocument(doc)) continue;
    const budget = new LockBudget();
    const v = lockVersionOf(doc);
    return [...(v >= 9 ? parseV9(doc, budget) : parseV5(doc, v, budget)), ...members(doc, manifests, v)];
  }
  return [];
}

const str = (x: unknown): string => (typeof x === 'string' ? x : typeof x === 'number' ? String(x) : '');

function parseV5(doc: Json, lockVersion: number, budget: LockBudget): LockPackage[] {
  // Direct: name@version named by the project (top level) or an importer; 5.x writes `name: version`, 6.x `name: {specifier, version}`.
  const direct = new Set<string>();
  const roots = [doc, ...entriesOf(doc.importers).map(([, imp]) => imp)];
  for (const r of roots) {
    for (const f of ['dependencies', 'optionalDependencies', 'devDependencies']) {
      for (const [n, d] of Object.entries(isObj(r[f]) ? r[f] : {})) {
        const ver = trimPeers(isObj(d) ? str(d.version) : str(d), lockVersion);
        // A tarball, file or git dependency has no registry version to match: by name then.
        direct.add(semver.valid(ver) ? lockId(n, ver) : n);
      }
    }
  }
  const byId = new Map<string, LockPackage>();
  for (const [key, info] of entriesOf(doc.packages)) {
    budget.package();
    let name = str(info.name);
    let version = str(info.version);
    if (!name) {
      const k = parsePnpmKey(key, lockVersion);
      name = k.name;
      version = lockVersion < 9 && /^(file:|http)/.test(k.version) ? '' : semverOrEmpty(k.version);
    }
    if (!name) continue;
    const deps = stringsOf(info.dependencies).map(([n, ver]) => lockId(n, ver));
    budget.edge(deps.length);
    const p: LockPackage = {
      id: lockId(name, version),
      name,
      version,
      relationship: direct.has(lockId(name, version)) || direct.has(name) ? 'direct' : 'indirect',
      ...(info.dev === true || info.dev === 'true' ? { dev: true } : {}),
      ...(info.optional === true || info.optional === 'true' ? { optional: true } : {}),
      dependsOn: sortedUnique(deps),
    };
    const seen = byId.get(p.id);
    if (seen) seen.dependsOn = sortedUnique([...seen.dependsOn, ...p.dependsOn]);
    else byId.set(p.id, p);
  }
  return [...byId.values()];
}

function parseV9(doc: Json, budget: LockBudget): LockPackage[] {
  const V = 9;
  const prodDirect = new Set<string>();
  const devDirect = new Set<string>();
  for (const [, imp] of entriesOf(doc.importers)) {
    const add = (field: string, into: Set<string>): void => {
      for (const [n, d] of entriesOf(imp[field])) into.add(lockId(n, trimPeers(str(d.version), V)));
    };
    add('dependencies', prodDirect);
    add('optionalDependencies', prodDirect);
    add('devDependencies', devDirect);
  }
  const packages = isObj(doc.packages) ? doc.packages : {};
  const byId = new Map<string, LockPackage>();
  for (const [key, snap] of entriesOf(doc.snapshots)) {
    budget.package();
    const k = parsePnpmKey(key, V);
    const baseId = lockId(k.name, k.version);
    const info = packages[baseId];
    const version = isObj(info) && typeof info.version === 'string' && info.version ? info.version : semverOrEmpty(k.version);
    const deps: string[] = [];
    for (const [n, ver] of [...stringsOf(snap.optionalDependencies), ...stringsOf(snap.dependencies)]) {
      if (isObj(packages[lockId(n, trimPeers(ver, V))])) deps.push(lockId(n, ver));
    }
    budget.edge(deps.length);
    const isProd = prodDirect.has(baseId);
    byId.set(key, {
      id: key,
      name: k.name,
      version,
      relationship: isProd || devDirect.has(baseId) ? 'direct' : 'indirect',
      ...(isProd ? {} : { dev: true }),
      ...(snap.optional === true || snap.optional === 'true' ? { optional: true } : {}),
      dependsOn: sortedUnique(deps),
    });
  }
  // Production status flows down the graph: what a production package needs is production too.
  const stack = [...byId.values()].filter((p) => !p.dev).map((p) => p.id);
  const seen = new Set<string>();
  while (stack.length) {
    const id = stack.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    const p = byId.get(id);
    if (!p) continue;
    delete p.dev;
    for (const d of p.dependsOn) if (!seen.has(d)) stack.push(d);
  }
  return [...byId.values()];
}

/** Workspace members: importers (other than the root) whose package.json is known, with their dependencies as edges. */
function members(doc: Json, manifests: Manifests, lockVersion: number): LockPackage[] {
  const out: LockPackage[] = [];
  for (const [dir, imp] of entriesOf(doc.importers)) {
    const m = manifests.get(dir);
    if (dir === '.' || !m || typeof m.name !== 'string' || !m.name) continue;
    const version = typeof m.version === 'string' ? m.version : '';
    const deps: string[] = [];
    for (const f of ['dependencies', 'optionalDependencies', 'devDependencies']) {
      for (const [n, d] of Object.entries(isObj(imp[f]) ? imp[f] : {})) {
        // 5.x: `name: version`; 6.x and 9.x: `name: {specifier, version}`.
        const ver = trimPeers(isObj(d) ? str(d.version) : str(d), lockVersion);
        if (ver && !ver.includes(':')) deps.push(lockId(n, ver));
      }
    }
    out.push({ id: lockId(m.name, version), name: m.name, version, relationship: 'direct', workspace: true, dependsOn: sortedUnique(deps), paths: [dir] });
  }
  return out;
}
