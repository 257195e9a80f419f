// npm packages: installed truth from `node_modules/<name>/package.json`
// (and `node_modules/@scope/<name>/package.json`), plus packages a
// `package-lock.json` (v1, v2, v3) declares but that are not installed
// (`declared: true`). Only the package.json directly under a node_modules
// entry is claimed: tests, fixtures and examples inside packages are not.
// One package per name@version: every path it was found at is in `files`.
import type { Package } from '../inventory/types.js';
import { layerRef } from './layer-attribution.js';
import type { Analyzer, AnalyzerFile, AnalyzerInput } from './types.js';

const NM = '/node_modules/';
const MAX_PACKAGE_JSON = 4 * 1024 * 1024;
const MAX_LOCKFILE = 128 * 1024 * 1024;

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

function isLockfile(path: string): boolean {
  // Lockfiles shipped inside published packages describe their authors' trees, not this image.
  return path.endsWith('/package-lock.json') && !path.includes(NM);
}

type Json = Record<string, unknown>;
const isObj = (x: unknown): x is Json => typeof x === 'object' && x !== null && !Array.isArray(x);

function parseJson(buf: Buffer): unknown {
  try {
    return JSON.parse(buf.toString('utf8').replace(/^\uFEFF/, ''));
  } catch {
    return undefined;
  }
}

function licensesOf(doc: Json): string[] | undefined {
  const l = doc.license ?? doc.licenses;
  const one = (x: unknown): string | undefined => (typeof x === 'string' ? x : isObj(x) && typeof x.type === 'string' ? x.type : undefined);
  const out = (Array.isArray(l) ? l.map(one) : [one(l)]).filter((x): x is string => !!x);
  return out.length ? out : undefined;
}

/** A plausible registry version (not a git URL, tarball path or alias). */
function isVersion(v: unknown): v is string {
  return typeof v === 'string' && v.length > 0 && v.length < 256 && !/[:/\s]/.test(v);
}

function dirOf(path: string): string {
  return path.slice(0, path.lastIndexOf('/')) || '/';
}

function fromPackageJson(f: AnalyzerFile, input: AnalyzerInput): Package | undefined {
  const doc = parseJson(f.content);
  if (!isObj(doc) || typeof doc.name !== 'string' || !doc.name || !isVersion(doc.version)) return undefined;
  const licenses = licensesOf(doc);
  return {
    type: 'npm',
    name: doc.name,
    version: doc.version,
    ...(licenses ? { licenses } : {}),
    filePath: f.path,
    layer: layerRef(f.entry.layer, input.layers),
  };
}

interface LockEntry {
  rel: string;
  name: string;
  version: string;
  dev?: boolean;
  optional?: boolean;
}

/** The lockfile's `dev` / `optional` flags (`devOptional`: needed by either, so neither alone). */
function flagsOf(v: Json): { dev?: boolean; optional?: boolean } {
  return { ...(v.dev === true ? { dev: true } : {}), ...(v.optional === true ? { optional: true } : {}) };
}

/** Lockfile entries as (install path relative to the lockfile's directory, name, version, flags). */
function lockEntries(doc: Json): LockEntry[] {
  const out: LockEntry[] = [];
  if (isObj(doc.packages)) {
    // lockfileVersion 2 and 3: flat map keyed by install path.
    for (const [key, v] of Object.entries(doc.packages)) {
      if (!key.includes('node_modules/') || !isObj(v) || v.link === true) continue;
      const name = typeof v.name === 'string' ? v.name : key.slice(key.lastIndexOf('node_modules/') + 'node_modules/'.length);
      if (isVersion(v.version) && name) out.push({ rel: key, name, version: v.version, ...flagsOf(v) });
    }
    return out;
  }
  // lockfileVersion 1: nested `dependencies`.
  const walk = (deps: unknown, prefix: string, depth: number): void => {
    if (!isObj(deps) || depth > 64) return;
    for (const [name, v] of Object.entries(deps)) {
      if (!isObj(v)) continue;
      const rel = `${prefix}node_modules/${name}`;
      if (isVersion(v.version)) out.push({ rel, name, version: v.version, ...flagsOf(v) });
      walk(v.dependencies, `${rel}/`, depth + 1);
    }
  };
  walk(doc.dependencies, '', 0);
  return out;
}

export const npmAnalyzer: Analyzer = {
  id: 'npm',
  version: 1,
  kind: 'package',
  required(path, entry) {
    if (isInstalledPackageJson(path)) return entry.size <= MAX_PACKAGE_JSON;
    if (isLockfile(path)) return entry.size <= MAX_LOCKFILE;
    return false;
  },
  analyze(input) {
    const packages: Package[] = [];
    const installed = new Set<string>();
    const installedAt = new Map<string, Package>();
    for (const f of input.files) {
      if (!isInstalledPackageJson(f.path)) continue;
      const p = fromPackageJson(f, input);
      if (!p) continue;
      packages.push(p);
      installed.add(dirOf(f.path));
      installedAt.set(dirOf(f.path), p);
    }
    for (const f of input.files) {
      if (!isLockfile(f.path)) continue;
      const doc = parseJson(f.content);
      if (!isObj(doc)) continue;
      const base = dirOf(f.path);
      for (const e of lockEntries(doc)) {
        const dir = `${base === '/' ? '' : base}/${e.rel}`;
        const flags = { ...(e.dev ? { dev: true } : {}), ...(e.optional ? { optional: true } : {}) };
        const inst = installedAt.get(dir);
        if (inst) {
          // The installed copy takes the lockfile's flags when it is the version the lockfile names.
          if (inst.version === e.version) Object.assign(inst, flags);
          continue;
        }
        if (installed.has(dir) || input.tree.get(`${dir}/package.json`)) continue;
        installed.add(dir);
        packages.push({
          type: 'npm',
          name: e.name,
          version: e.version,
          declared: true,
          ...flags,
          filePath: f.path,
          layer: layerRef(f.entry.layer, input.layers),
        });
      }
    }
    return { packages: dedupe(packages) };
  },
};

/**
 * One component per name@version (installed and declared apart): a package
 * installed, or declared, at several paths is one package whose `filePath` is
 * the shallowest path and whose `files` lists every path it was found at.
 */
function dedupe(packages: Package[]): Package[] {
  const byKey = new Map<string, Package>();
  const layerOf = new Map<string, Package['layer']>();
  for (const p of packages) {
    const key = `${p.name}\u0000${p.version}\u0000${p.declared ? 'd' : 'i'}`;
    if (!layerOf.has(p.filePath!)) layerOf.set(p.filePath!, p.layer);
    const seen = byKey.get(key);
    if (!seen) byKey.set(key, { ...p, files: [p.filePath!] });
    else {
      if (!seen.files!.includes(p.filePath!)) seen.files!.push(p.filePath!);
      // dev / optional only when every copy is.
      if (!p.dev) delete seen.dev;
      if (!p.optional) delete seen.optional;
    }
  }
  // Deterministic whatever the file order: the shallowest path first (the hoisted copy), then by name.
  const order = (a: string, b: string): number => a.split('/').length - b.split('/').length || (a < b ? -1 : a > b ? 1 : 0);
  return [...byKey.values()].map((p) => {
    const files = p.files!.sort(order);
    return { ...p, filePath: files[0]!, files, layer: layerOf.get(files[0]!) };
  });
}
