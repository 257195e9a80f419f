// package-lock.json (lockfileVersion 1, 2, 3) as Trivy's npm parser reads it:
// every package the lockfile installs, one per ID with all its install paths,
// direct when the root manifest (or the workspaces) names it, dev as the
// lockfile says, and dependency edges resolved the way Node resolves a
// require (the nearest node_modules upwards). Workspace members (the targets
// of `link: true` entries matched by the root's `workspaces` globs) are
// packages of the application too; their dependencies resolve from the
// member's own node_modules first. Broken links (no `resolved`) are dropped.
import { LockBudget, LockfileError, type LockPackage, isObj, lockId, lockLicenses, mergeLockPackage, sortedUnique } from './js-lock.js';

type Json = Record<string, unknown>;
const NM = 'node_modules';

const str = (x: unknown): string => (typeof x === 'string' ? x : '');
const depNames = (...maps: unknown[]): string[] => maps.flatMap((m) => (isObj(m) ? Object.keys(m) : []));

/** `workspaces` of a root manifest: an array of globs or `{packages: [...]}`. */
export function workspaceGlobs(ws: unknown): string[] {
  const list = Array.isArray(ws) ? ws : isObj(ws) && Array.isArray(ws.packages) ? ws.packages : [];
  return list.filter((g): g is string => typeof g === 'string' && g.length > 0 && g.length < 1024).slice(0, 1000);
}

/** A workspace glob (`*` within one segment, `**` across segments, `?`) as a matcher of relative paths. */
export function globMatcher(glob: string): (path: string) => boolean {
  const clean = glob.replace(/^\.\//, '').replace(/\/+$/, '');
  let re = '';
  for (let i = 0; i < clean.length; i++) {
    const c = clean[i]!;
    if (c === '*' && clean[i + 1] === '*') {
      re += '.*';
      i++;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  const rx = new RegExp(`^${re}$`);
  return (p) => rx.test(p);
}

/** The package name at an install path: what follows the last `node_modules/`. */
function nameFromPath(path: string): string {
  const i = path.lastIndexOf(`${NM}/`);
  return i < 0 ? path : path.slice(i + NM.length + 1);
}

export function parseNpmLock(doc: unknown): LockPackage[] {
  if (!isObj(doc)) throw new LockfileError('not a JSON object');
  const budget = new LockBudget();
  return doc.lockfileVersion === 1 || (!isObj(doc.packages) && isObj(doc.dependencies)) ? parseV1(doc, budget) : parseV2(doc, budget);
}

function parseV2(doc: Json, budget: LockBudget): LockPackage[] {
  if (!isObj(doc.packages)) throw new LockfileError('no "packages" object');
  const packages = new Map<string, Json>();
  for (const [k, v] of Object.entries(doc.packages)) if (isObj(v)) packages.set(k, v);
  const root = packages.get('') ?? {};
  const rootDeps = new Set(depNames(root.dependencies, root.optionalDependencies, root.devDependencies, root.peerDependencies));
  // Links: `node_modules/<name>` -> `resolved` (a directory relative to the lockfile). Their targets move under the link path.
  const globs = workspaceGlobs(root.workspaces).map(globMatcher);
  const original = new Map<string, string>(); // resolved path -> path in the lockfile
  const members = new Set<string>();
  const links = [...packages].filter(([, v]) => v.link === true);
  for (const [linkPath, link] of links) {
    packages.delete(linkPath);
    const target = str(link.resolved).replace(/\/+$/, '');
    if (!target) continue; // a broken link: Trivy drops it
    for (const [path, v] of [...packages]) {
      if (path !== target && !path.startsWith(`${target}/`)) continue;
      const moved = linkPath + path.slice(target.length);
      packages.delete(path);
      packages.set(moved, v);
      original.set(moved, path);
      if (path === target && globs.some((m) => m(target))) {
        members.add(moved);
        rootDeps.add(nameFromPath(linkPath));
      }
    }
  }
  const direct = new Set([...rootDeps].map((n) => `${NM}/${n}`).filter((p) => packages.has(p)));
  const byId = new Map<string, LockPackage>();
  for (const [path, v] of packages) {
    if (!path.startsWith(NM)) continue;
    budget.package();
    const name = str(v.name) || nameFromPath(path);
    if (!name) continue;
    const version = str(v.version);
    const dependsOn: string[] = [];
    for (const dep of depNames(v.dependencies, v.optionalDependencies, v.peerDependencies)) {
      const id = resolveFrom(path, dep, packages);
      if (id) dependsOn.push(id);
    }
    budget.edge(dependsOn.length);
    const licenses = lockLicenses(v);
    const p: LockPackage = {
      id: lockId(name, version),
      name,
      version,
      relationship: direct.has(path) ? 'direct' : 'indirect',
      ...(members.has(path) ? { workspace: true } : {}),
      ...(v.dev === true ? { dev: true } : {}),
      ...(v.optional === true ? { optional: true } : {}),
      ...(licenses ? { licenses } : {}),
      dependsOn: sortedUnique(dependsOn),
      paths: [original.get(path) ?? path],
    };
    const seen = byId.get(p.id);
    if (seen) mergeLockPackage(seen, p);
    else byId.set(p.id, p);
  }
  return [...byId.values()];
}

/** The ID `dep` resolves to from the package at `path`: the nearest `.../node_modules/<dep>` upwards. */
function resolveFrom(path: string, dep: string, packages: Map<string, Json>): string | undefined {
  const parts = `${path}/${NM}`.split('/');
  for (let i = parts.length - 1; i >= 0; i--) {
    if (parts[i] !== NM) continue;
    const candidate = `${parts.slice(0, i + 1).join('/')}/${dep}`;
    const v = packages.get(candidate);
    if (v) return lockId(str(v.name) || dep, str(v.version));
  }
  return undefined;
}

function parseV1(doc: Json, budget: LockBudget): LockPackage[] {
  const byId = new Map<string, LockPackage>();
  // `scope`: the versions visible at this level (this level's entries over its ancestors').
  const walk = (deps: Json, prefix: string, scope: Map<string, string>, depth: number): void => {
    if (depth > 128) throw new LockfileError('dependencies nested deeper than 128 levels');
    const here = new Map(scope);
    for (const [name, v] of Object.entries(deps)) if (isObj(v)) here.set(name, str(v.version));
    for (const [name, v] of Object.entries(deps)) {
      if (!isObj(v)) continue;
      budget.package();
      const version = str(v.version);
      const nested = isObj(v.dependencies) ? v.dependencies : undefined;
      const dependsOn: string[] = [];
      for (const req of isObj(v.requires) ? Object.keys(v.requires) : []) {
        const inner = nested?.[req];
        if (isObj(inner)) dependsOn.push(lockId(req, str(inner.version)));
        else if (here.has(req)) dependsOn.push(lockId(req, here.get(req)!));
      }
      budget.edge(dependsOn.length);
      const path = `${prefix}${NM}/${name}`;
      const p: LockPackage = {
        id: lockId(name, version),
        name,
        version,
        ...(v.dev === true ? { dev: true } : {}),
        ...(v.optional === true ? { optional: true } : {}),
        dependsOn: sortedUnique(dependsOn),
        paths: [path],
      };
      const seen = byId.get(p.id);
      if (seen) mergeLockPackage(seen, p);
      else byId.set(p.id, p);
      if (nested) walk(nested, `${path}/`, here, depth + 1);
    }
  };
  if (isObj(doc.dependencies)) walk(doc.dependencies, '', new Map(), 0);
  return [...byId.values()];
}
