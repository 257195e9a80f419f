// PHP packages: what Composer installed (`vendor/composer/installed.json`,
// Composer 1's array or Composer 2's `{"packages": [...]}`) and what a
// `composer.lock` pins (`packages` and `packages-dev`). Lockfile packages that
// no installed.json beside it (`<dir>/vendor/composer/installed.json`) lists
// at the same version are reported as declared (`declared: true`).
import { PackageCollector } from '../package-files.js';
import type { Analyzer, AnalyzerInput } from '../types.js';

/** Largest composer.lock / installed.json read (big applications stay under a few MiB). */
export const MAX_COMPOSER_FILE = 32 * 1024 * 1024;
/** Packages read from one file. */
export const MAX_COMPOSER_PACKAGES = 100_000;
const MAX_FIELD = 256;
const INSTALLED = '/vendor/composer/installed.json';

export function isComposerLock(path: string): boolean {
  // Lockfiles shipped inside installed packages describe their authors' trees, not this image.
  return path.endsWith('/composer.lock') && !path.includes('/vendor/');
}

export function isInstalledJson(path: string): boolean {
  return path.endsWith(INSTALLED);
}

export interface ComposerPackage {
  name: string;
  version: string;
  licenses?: string[];
}

type Json = Record<string, unknown>;
const isObj = (x: unknown): x is Json => typeof x === 'object' && x !== null && !Array.isArray(x);

function licensesOf(l: unknown): string[] | undefined {
  // A string licence may name several: "MIT or BSD-2-Clause".
  const list = Array.isArray(l) ? l : typeof l === 'string' ? l.split(/\s+or\s+|\s*,\s*/i) : [];
  const out = list.filter((x): x is string => typeof x === 'string' && x.trim().length > 0 && x.length <= MAX_FIELD).map((x) => x.trim());
  return out.length ? out : undefined;
}

function packagesOf(list: unknown, out: ComposerPackage[]): void {
  if (!Array.isArray(list)) return;
  for (const p of list) {
    if (out.length >= MAX_COMPOSER_PACKAGES) return;
    if (!isObj(p) || typeof p.name !== 'string' || typeof p.version !== 'string') continue;
    if (!p.name || p.name.length > MAX_FIELD || /\s/.test(p.name) || !p.version || p.version.length > MAX_FIELD || /\s/.test(p.version)) continue;
    const licenses = licensesOf(p.license);
    out.push({ name: p.name, version: p.version, ...(licenses ? { licenses } : {}) });
  }
}

function parse(buf: Buffer): unknown | string {
  if (buf.length > MAX_COMPOSER_FILE) return `larger than ${MAX_COMPOSER_FILE} bytes`;
  try {
    return JSON.parse(buf.toString('utf8').replace(/^\uFEFF/, '')) as unknown;
  } catch (e) {
    return `not JSON (${(e as Error).message.split('\n')[0]})`;
  }
}

/** The packages of a composer.lock, or why it was skipped. */
export function parseComposerLock(buf: Buffer): ComposerPackage[] | string {
  const doc = parse(buf);
  if (typeof doc === 'string') return doc;
  if (!isObj(doc) || (!Array.isArray(doc.packages) && !Array.isArray(doc['packages-dev']))) return 'no packages list';
  const out: ComposerPackage[] = [];
  packagesOf(doc.packages, out);
  packagesOf(doc['packages-dev'], out);
  return out;
}

/** The packages of a vendor/composer/installed.json (Composer 1 or 2), or why it was skipped. */
export function parseInstalledJson(buf: Buffer): ComposerPackage[] | string {
  const doc = parse(buf);
  if (typeof doc === 'string') return doc;
  const list = Array.isArray(doc) ? doc : isObj(doc) ? doc.packages : undefined;
  if (!Array.isArray(list)) return 'no packages list';
  const out: ComposerPackage[] = [];
  packagesOf(list, out);
  return out;
}

const php: Analyzer = {
  id: 'php',
  version: 1,
  kind: 'package',
  claims: { names: ['composer.lock', 'installed.json'] },
  required(path, entry) {
    return entry.kind === 'file' && (isComposerLock(path) || isInstalledJson(path)) && entry.size <= MAX_COMPOSER_FILE * 2;
  },
  analyze(input: AnalyzerInput) {
    const out = new PackageCollector(input.layers);
    /** Project directory -> name@version installed there. */
    const installed = new Map<string, Set<string>>();
    for (const f of input.files) {
      const list = isInstalledJson(f.path) ? out.parsed(f, 'Composer file', parseInstalledJson(f.content)) : undefined;
      if (!list) continue;
      const dir = f.path.slice(0, -INSTALLED.length) || '/';
      installed.set(dir, new Set(list.map((p) => `${p.name}@${p.version}`)));
      for (const p of list) out.add(f, { type: 'composer', ...p });
    }
    for (const f of input.files) {
      const list = isComposerLock(f.path) ? out.parsed(f, 'Composer file', parseComposerLock(f.content)) : undefined;
      if (!list) continue;
      const here = installed.get(f.path.slice(0, f.path.lastIndexOf('/')) || '/');
      for (const p of list) if (!here?.has(`${p.name}@${p.version}`)) out.add(f, { type: 'composer', ...p, declared: true });
    }
    return out.result();
  },
};

export default php;
