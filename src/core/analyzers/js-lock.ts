// What the JavaScript lockfile readers (npm-lock.ts, yarn-lock.ts,
// pnpm-lock.ts) have in common: the package a lockfile names (with Trivy's
// package ID, relationship, dev flag and dependency edges), their limits, and
// the one merge that turns every npm-type package of a scan into one component
// per name@version (an installed copy wins over lockfile-only declarations of
// the same name@version, and takes their flags and edges).
import type { LayerRef, Notice, Package } from '../inventory/types.js';
import { layerRef } from './layer-attribution.js';
import type { Analyzer, AnalyzerFile, AnalyzerInput, AnalyzerResult } from './types.js';

/** The largest package.json read (installed packages, project manifests). */
export const MAX_PACKAGE_JSON = 4 * 1024 * 1024;
/** The largest lockfile read (package-lock.json, yarn.lock, pnpm-lock.yaml); a bigger one is a notice. */
export const MAX_JS_LOCKFILE = 64 * 1024 * 1024;
/** The most packages one lockfile may name; more is a notice, not unbounded memory. */
export const MAX_JS_LOCK_PACKAGES = 200_000;
/** The most dependency edges one lockfile may hold (all packages together). */
export const MAX_JS_LOCK_EDGES = 2_000_000;

/** One package a lockfile names, as Trivy's Node.js parsers report it. */
export interface LockPackage {
  /** Trivy's package ID: `name@version` (`name` when there is no version; pnpm 9: the snapshot key with its peers). */
  id: string;
  name: string;
  /** "" when the lockfile gives none (a workspace member without a version, a tarball or git dependency). */
  version: string;
  /** Whether the project's own manifest names it; undefined when the lockfile cannot say (npm v1, yarn without package.json). */
  relationship?: 'direct' | 'indirect';
  /** A workspace member of the project (npm `workspaces`, yarn `workspace:`, pnpm importers). */
  workspace?: boolean;
  dev?: boolean;
  optional?: boolean;
  licenses?: string[];
  /** IDs of the packages it depends on, sorted, unique. */
  dependsOn: string[];
  /** Install paths relative to the lockfile's directory, when the lockfile says (npm). */
  paths?: string[];
}

/** A lockfile that cannot be read, in one line (the analyzers turn it into a notice). */
export class LockfileError extends Error {}

export const lockId = (name: string, version: string): string => (version ? `${name}@${version}` : name);

/** Counts packages and edges against the limits while a reader builds its result. */
export class LockBudget {
  private packages = 0;
  private edges = 0;
  package(): void {
    if (++this.packages > MAX_JS_LOCK_PACKAGES) throw new LockfileError(`more than ${MAX_JS_LOCK_PACKAGES} packages`);
  }
  edge(n = 1): void {
    this.edges += n;
    if (this.edges > MAX_JS_LOCK_EDGES) throw new LockfileError(`more than ${MAX_JS_LOCK_EDGES} dependency edges`);
  }
}

/** Sorted, unique. */
export const sortedUnique = (xs: Iterable<string>): string[] => [...new Set(xs)].sort();

type Json = Record<string, unknown>;
export const isObj = (x: unknown): x is Json => typeof x === 'object' && x !== null && !Array.isArray(x);

const NM = '/node_modules/';

/** Whether `path` is `.../node_modules/<name>/package.json` or `.../node_modules/@scope/<name>/package.json`. */
export function isInstalledPackageJson(path: string): boolean {
  if (!path.endsWith('/package.json')) return false;
  const i = path.lastIndexOf(NM);
  if (i < 0) return false;
  const parts = path.slice(i + NM.length).split('/');
  if (parts.length === 2) return !parts[0]!.startsWith('@') && !parts[0]!.startsWith('.') && parts[0] !== '';
  if (parts.length === 3) return parts[0]!.startsWith('@') && parts[0]!.length > 1 && parts[1] !== '';
  return false;
}

/** A project manifest: a package.json outside every node_modules (the root of an application or a workspace member). */
export const isProjectManifest = (path: string): boolean => path.endsWith('/package.json') && !path.includes(NM);

/** A lockfile of the application (not one shipped inside a published package). */
export const isAppLockfile = (path: string, base: string): boolean => path.endsWith(`/${base}`) && !path.includes(NM);

export function parseJson(buf: Buffer): unknown {
  try {
    return JSON.parse(buf.toString('utf8').replace(/^\uFEFF/, ''));
  } catch {
    return undefined;
  }
}

/** A plausible registry version (not a git URL, tarball path or alias). */
export function isVersion(v: unknown): v is string {
  return typeof v === 'string' && v.length > 0 && v.length < 256 && !/[:/\s]/.test(v);
}

export const dirOf = (path: string): string => path.slice(0, path.lastIndexOf('/')) || '/';

/** Licences of a package.json or lockfile entry: a string, `{type}`, or an array of those (npm's legacy `licenses`). */
export function lockLicenses(v: Json): string[] | undefined {
  const l = v.license ?? v.licenses;
  const one = (x: unknown): string | undefined => (typeof x === 'string' && x ? x : isObj(x) && typeof x.type === 'string' ? x.type : undefined);
  const out = (Array.isArray(l) ? l.map(one) : [one(l)]).filter((x): x is string => !!x);
  return out.length ? out : undefined;
}

/** The package an installed `node_modules/.../package.json` describes. */
export function fromPackageJson(f: AnalyzerFile, input: AnalyzerInput): Package | undefined {
  const doc = parseJson(f.content);
  if (!isObj(doc) || typeof doc.name !== 'string' || !doc.name || !isVersion(doc.version)) return undefined;
  const licenses = lockLicenses(doc);
  return {
    type: 'npm',
    name: doc.name,
    version: doc.version,
    ...(licenses ? { licenses } : {}),
    filePath: f.path,
    layer: layerRef(f.entry.layer, input.layers),
  };
}

/** A registry version as npm writes it (not a git URL, tarball path, `file:` or `link:` spec). */
export function isRegistryVersion(v: unknown): v is string {
  return typeof v === 'string' && v.length > 0 && v.length < 256 && /^v?\d/.test(v) && !/[:/\s]/.test(v);
}

/**
 * Merges the relationship, flags and edges of lockfile packages that are one
 * component (the same ID at several paths or in several lockfiles): direct
 * when any copy is, dev and optional only when every copy is.
 */
export function mergeLockPackage(into: LockPackage, p: LockPackage): void {
  if (p.relationship === 'direct' || (p.relationship && !into.relationship)) into.relationship = p.relationship;
  if (p.workspace) into.workspace = true;
  if (!p.dev) delete into.dev;
  if (!p.optional) delete into.optional;
  if (!into.licenses?.length && p.licenses?.length) into.licenses = p.licenses;
  if (p.dependsOn.length) into.dependsOn = sortedUnique([...into.dependsOn, ...p.dependsOn]);
  if (p.paths) into.paths = [...(into.paths ?? []), ...p.paths];
}

/** A lockfile package as a Vigil package declared by the lockfile at `filePath` (not seen installed). */
export function declaredPackage(p: LockPackage, filePath: string, layer: LayerRef): Package {
  return {
    type: 'npm',
    name: p.name,
    version: p.version,
    declared: true,
    ...lockFacts(p),
    ...(p.licenses?.length ? { licenses: p.licenses } : {}),
    filePath,
    layer,
  };
}

/** The relationship, flags and edges a lockfile gives a package (for a Package, installed or declared). */
export function lockFacts(p: LockPackage): Pick<Package, 'relationship' | 'dev' | 'optional' | 'dependsOn'> {
  return {
    ...(p.workspace ? { relationship: 'workspace' as const } : p.relationship ? { relationship: p.relationship } : {}),
    ...(p.dev ? { dev: true } : {}),
    ...(p.optional ? { optional: true } : {}),
    dependsOn: p.dependsOn,
  };
}

const RANK = { workspace: 3, direct: 2, indirect: 1 } as const;

/**
 * One component per npm name@version across every analyzer of a scan (npm,
 * yarn, pnpm): installed copies (a package.json under node_modules) are one
 * package whose `files` lists every path, shallowest first; a lockfile-only
 * declaration of the same name@version folds into it (the package is in the
 * image) and gives it the lockfile's relationship, flags and edges. Packages
 * only lockfiles name stay `declared`, one per name@version. A copy carries
 * lockfile facts when it has `dependsOn`; dev and optional hold when every
 * such copy says so and no installed copy lies at a path no lockfile speaks
 * for. Other package types pass through in order.
 */
export function mergeNpmPackages(packages: Package[]): Package[] {
  const groups = new Map<string, Package[]>();
  const out: Array<Package | string> = [];
  for (const p of packages) {
    if (p.type !== 'npm') {
      out.push(p);
      continue;
    }
    const key = `${p.name}\u0000${p.version}`;
    const g = groups.get(key);
    if (g) g.push(p);
    else {
      groups.set(key, [p]);
      out.push(key);
    }
  }
  return out.map((x) => (typeof x === 'string' ? mergeGroup(groups.get(x)!) : x));
}

const byDepth = (a: string, b: string): number => a.split('/').length - b.split('/').length || (a < b ? -1 : a > b ? 1 : 0);

function mergeGroup(copies: Package[]): Package {
  if (copies.length === 1 && !copies[0]!.files) return { ...copies[0]!, files: copies[0]!.filePath ? [copies[0]!.filePath] : [] };
  const installed = copies.filter((c) => !c.declared);
  const base = installed.length ? installed : copies;
  const annotated = copies.filter((c) => c.dependsOn !== undefined);
  const layerOf = new Map<string, LayerRef | undefined>();
  for (const c of base) for (const f of c.files ?? (c.filePath ? [c.filePath] : [])) if (!layerOf.has(f)) layerOf.set(f, c.layer);
  const files = [...layerOf.keys()].sort(byDepth);
  // An installed copy at a path no lockfile speaks for is a production install: it keeps the package from being dev-only.
  const spoken = new Set(annotated.filter((c) => !c.declared).flatMap((c) => c.files ?? [c.filePath ?? '']));
  const unannotatedInstalled = installed.some((c) => c.dependsOn === undefined && (c.files ?? [c.filePath ?? '']).some((f) => !spoken.has(f)));
  const all = (flag: 'dev' | 'optional'): boolean => annotated.length > 0 && annotated.every((c) => c[flag]) && !unannotatedInstalled;
  let relationship: Package['relationship'];
  for (const c of annotated) if (c.relationship && (!relationship || RANK[c.relationship] > RANK[relationship])) relationship = c.relationship;
  const licenses = [...installed, ...copies].find((c) => c.licenses?.length)?.licenses;
  const first = base.find((c) => c.filePath === files[0]) ?? base[0]!;
  const { dev: _d, optional: _o, relationship: _r, dependsOn: _deps, licenses: _l, ...rest } = first;
  return {
    ...rest,
    ...(licenses ? { licenses } : {}),
    ...(relationship ? { relationship } : {}),
    ...(all('dev') ? { dev: true } : {}),
    ...(all('optional') ? { optional: true } : {}),
    ...(annotated.length ? { dependsOn: sortedUnique(annotated.flatMap((c) => c.dependsOn!)) } : {}),
    filePath: files[0] ?? first.filePath,
    files,
    layer: files[0] !== undefined ? layerOf.get(files[0]) : first.layer,
  };
}

/** The project's package.json files under a lockfile's directory, by directory relative to it ('' = the root). */
export type Manifests = Map<string, Json>;

/** A lockfile reader of the yarn and pnpm modules. */
export interface JsLockReader {
  /** The lockfile's base name (`yarn.lock`, `pnpm-lock.yaml`). */
  file: string;
  parse(text: string, manifests: Manifests): LockPackage[];
  /** Loads what `parse` needs (the YAML library), called once a lockfile is found. */
  prepare?: () => Promise<unknown>;
  /** The ID a dependency edge should carry in the report (`name@version`, peers dropped). */
  canonicalId?: (id: string) => string;
}

/**
 * The analysis the yarn and pnpm modules share: each lockfile read against
 * the project's manifests beside it, and each package it names reported as
 * installed where a copy of that name@version is under the lockfile's
 * node_modules (one package per installed path), otherwise declared only.
 * Workspace members with their package.json in the image are present.
 */
export function analyzeJsLockfiles(input: AnalyzerInput, reader: JsLockReader): AnalyzerResult {
  const packages: Package[] = [];
  const notices: Notice[] = [];
  const installed = new Map<string, string[]>(); // name@version -> installed package.json paths
  const manifestsAt = new Map<string, Json>();
  for (const f of input.files) {
    if (isInstalledPackageJson(f.path)) {
      const p = fromPackageJson(f, input);
      if (p) installed.set(lockId(p.name, p.version), [...(installed.get(lockId(p.name, p.version)) ?? []), f.path]);
    } else if (isProjectManifest(f.path)) {
      const doc = parseJson(f.content);
      if (isObj(doc)) manifestsAt.set(dirOf(f.path), doc);
    }
  }
  const canon = reader.canonicalId ?? ((id: string) => id);
  for (const f of input.files) {
    if (!isAppLockfile(f.path, reader.file)) continue;
    const base = dirOf(f.path);
    const prefix = base === '/' ? '/' : `${base}/`;
    const manifests: Manifests = new Map();
    for (const [dir, doc] of manifestsAt) {
      if (dir === base) manifests.set('', doc);
      else if (dir.startsWith(prefix)) manifests.set(dir.slice(prefix.length), doc);
    }
    let lock: LockPackage[];
    try {
      if (f.content.length > MAX_JS_LOCKFILE) throw new LockfileError(`larger than ${MAX_JS_LOCKFILE} bytes`);
      lock = reader.parse(f.content.toString('utf8').replace(/^\uFEFF/, ''), manifests);
    } catch (e) {
      if (!(e instanceof LockfileError)) throw e;
      notices.push({ kind: 'package-db-unreadable', message: `${reader.file} ${f.path} skipped: ${e.message}`, path: f.path });
      continue;
    }
    const layer = layerRef(f.entry.layer, input.layers);
    for (const e of lock) {
      if (!isVersion(e.version)) continue;
      const facts = { ...lockFacts(e), dependsOn: sortedUnique(e.dependsOn.map(canon)) };
      if (e.workspace && e.paths?.[0] !== undefined) {
        const manifest = input.tree.get(`${prefix}${e.paths[0]}/package.json`);
        if (manifest) {
          packages.push({ type: 'npm', name: e.name, version: e.version, ...facts, filePath: manifest.path, layer: layerRef(manifest.layer, input.layers) });
          continue;
        }
      }
      const copies = (installed.get(lockId(e.name, e.version)) ?? []).filter((p) => p.startsWith(`${prefix}node_modules/`));
      if (!copies.length) {
        packages.push({ ...declaredPackage(e, f.path, layer), ...facts });
        continue;
      }
      for (const path of copies) {
        const entry = input.tree.get(path);
        packages.push({
          type: 'npm',
          name: e.name,
          version: e.version,
          ...facts,
          filePath: path,
          layer: layerRef(entry?.layer ?? f.entry.layer, input.layers),
        });
      }
    }
  }
  return { packages: mergeNpmPackages(packages), notices };
}

/** The yarn and pnpm analyzer modules: the lockfile, the project's manifests and the installed package.json files. */
export function jsLockfileAnalyzer(id: string, version: number, reader: JsLockReader): Analyzer {
  return {
    id,
    version,
    kind: 'package',
    claims: { names: [reader.file, 'package.json'] },
    required(path, entry) {
      if (entry.kind !== 'file') return false;
      if (isAppLockfile(path, reader.file)) return entry.size <= MAX_JS_LOCKFILE;
      return (isInstalledPackageJson(path) || isProjectManifest(path)) && entry.size <= MAX_PACKAGE_JSON;
    },
    async analyze(input) {
      if (!input.files.some((f) => isAppLockfile(f.path, reader.file))) return {};
      await reader.prepare?.();
      return analyzeJsLockfiles(input, reader);
    },
  };
}
