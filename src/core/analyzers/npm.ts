// npm packages: installed truth from `node_modules/<name>/package.json`
// (and `node_modules/@scope/<name>/package.json`), plus packages a
// `package-lock.json` (v1, v2, v3) declares but that are not installed
// (`declared: true`). Only the package.json directly under a node_modules
// entry is claimed: tests, fixtures and examples inside packages are not.
// One package per name@version: every path it was found at is in `files`.
// The lockfile (./npm-lock.ts) gives each copy its relationship (direct,
// indirect, workspace), dev and optional flags and dependency edges;
// workspace members whose package.json is in the image are packages too.
import type { Notice, Package } from '../inventory/types.js';
import {
  type LockPackage,
  LockfileError,
  MAX_JS_LOCKFILE,
  MAX_PACKAGE_JSON,
  declaredPackage,
  dirOf,
  fromPackageJson,
  isInstalledPackageJson,
  isVersion,
  lockFacts,
  mergeNpmPackages,
  parseJson,
} from './js-lock.js';
import { layerRef } from './layer-attribution.js';
import { parseNpmLock } from './npm-lock.js';
import type { Analyzer } from './types.js';

export { isInstalledPackageJson };

function isLockfile(path: string): boolean {
  // Lockfiles shipped inside published packages describe their authors' trees, not this image.
  return path.endsWith('/package-lock.json') && !path.includes('/node_modules/');
}

export const npmAnalyzer: Analyzer = {
  id: 'npm',
  version: 2,
  kind: 'package',
  claims: { names: ['package.json', 'package-lock.json'] },
  required(path, entry) {
    if (isInstalledPackageJson(path)) return entry.size <= MAX_PACKAGE_JSON;
    if (isLockfile(path)) return entry.size <= MAX_JS_LOCKFILE;
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
    const notices: Notice[] = [];
    for (const f of input.files) {
      if (!isLockfile(f.path)) continue;
      let lock: LockPackage[];
      try {
        lock = parseNpmLock(parseJson(f.content));
      } catch (e) {
        if (!(e instanceof LockfileError)) throw e;
        notices.push({ kind: 'package-db-unreadable', message: `package-lock.json ${f.path} skipped: ${e.message}`, path: f.path });
        continue;
      }
      const base = dirOf(f.path);
      const layer = layerRef(f.entry.layer, input.layers);
      for (const e of lock) {
        if (!isVersion(e.version)) continue;
        for (const rel of e.paths ?? []) {
          const dir = `${base === '/' ? '' : base}/${rel}`;
          const inst = installedAt.get(dir);
          if (inst) {
            // The installed copy takes the lockfile's facts when it is the version the lockfile names.
            if (inst.version === e.version) Object.assign(inst, lockFacts(e));
            continue;
          }
          if (installed.has(dir)) continue;
          installed.add(dir);
          const manifest = input.tree.get(`${dir}/package.json`);
          if (manifest && e.workspace) {
            // A workspace member is the project's own source: present when its package.json is.
            const { declared: _d, ...member } = declaredPackage(e, manifest.path, layerRef(manifest.layer, input.layers));
            packages.push(member);
            continue;
          }
          if (manifest) continue;
          packages.push(declaredPackage(e, f.path, layer));
        }
      }
    }
    return { packages: mergeNpmPackages(packages), notices };
  },
};
