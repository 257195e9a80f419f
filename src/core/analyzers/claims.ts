// Which analyzers may claim an entry, decided by its name before any
// analyzer is asked. An analyzer that declares `claims` (types.ts) promises
// that `required` is true only for entries the declaration covers; the scan
// then asks `required` of the few analyzers an entry's name, suffix,
// directory or execute bit points to (one Map lookup per entry) instead of
// every analyzer's `required` on every entry of the image. An analyzer
// without `claims` is asked about every entry, as before.
import type { FileEntry } from '../inventory/types.js';
import type { Analyzer, AnalyzerClaims, EntryFilter } from './types.js';

function push<K>(map: Map<K, Analyzer[]>, key: K, a: Analyzer): void {
  const list = map.get(key);
  if (!list) map.set(key, [a]);
  else if (!list.includes(a)) list.push(a);
}

/** The part of a suffix the index looks up: from its last dot, lower case (`.deps.json` -> `.json`). */
function extKey(suffix: string): string {
  const dot = suffix.lastIndexOf('.');
  if (dot < 0) throw new Error(`analyzer claim suffix ${suffix} has no dot`);
  return suffix.slice(dot).toLowerCase();
}

export class ClaimIndex {
  private readonly always: Analyzer[] = [];
  private readonly byPath = new Map<string, Analyzer[]>();
  private readonly byName = new Map<string, Analyzer[]>();
  private readonly byExt = new Map<string, Analyzer[]>();
  private readonly dirs = new Map<string, Analyzer[]>();
  private readonly executables: Analyzer[] = [];
  /** The analyzers in the caller's order, for claimers(). */
  private readonly order: Map<Analyzer, number>;

  constructor(readonly analyzers: readonly Analyzer[]) {
    this.order = new Map(analyzers.map((a, i) => [a, i]));
    for (const a of analyzers) {
      const c = a.claims;
      if (!c) {
        this.always.push(a);
        continue;
      }
      for (const p of c.paths ?? []) push(this.byPath, p, a);
      for (const n of c.names ?? []) push(this.byName, n, a);
      for (const s of c.suffixes ?? []) push(this.byExt, extKey(s), a);
      for (const d of c.dirs ?? []) push(this.dirs, d.endsWith('/') ? d : d + '/', a);
      if (c.executables) this.executables.push(a);
    }
  }

  /**
   * Asks `required` of the analyzers the entry's name, suffix, path,
   * directory or execute bit points to. Without `out`: true at the first that
   * requires it. With `out`: collects every one that does (once each).
   */
  private scan(path: string, entry: FileEntry, out?: Analyzer[]): boolean {
    if (ask(this.always, path, entry, out)) return true;
    const slash = path.lastIndexOf('/');
    const base = slash >= 0 ? path.slice(slash + 1) : path;
    if (ask(this.byName.get(base), path, entry, out)) return true;
    const dot = base.lastIndexOf('.');
    if (dot >= 0 && this.byExt.size > 0) {
      const ext = base.slice(dot);
      if (ask(this.byExt.get(ext) ?? this.byExt.get(ext.toLowerCase()), path, entry, out)) return true;
    }
    if (this.byPath.size > 0 && ask(this.byPath.get(path), path, entry, out)) return true;
    for (const [dir, list] of this.dirs) if (path.startsWith(dir) && ask(list, path, entry, out)) return true;
    return entry.kind === 'file' && (entry.mode & 0o111) !== 0 && ask(this.executables, path, entry, out);
  }

  /** Whether some analyzer requires the entry (the same answer as asking every analyzer's `required`). */
  wants(path: string, entry: FileEntry): boolean {
    return this.scan(path, entry);
  }

  /** The analyzers that require the entry, in the order the index was built with. */
  claimers(path: string, entry: FileEntry): Analyzer[] {
    const out: Analyzer[] = [];
    this.scan(path, entry, out);
    if (out.length > 1) out.sort((x, y) => this.order.get(x)! - this.order.get(y)!);
    return out;
  }
}

function ask(list: readonly Analyzer[] | undefined, path: string, entry: FileEntry, out: Analyzer[] | undefined): boolean {
  if (!list) return false;
  for (const a of list) {
    if (!a.required(path, entry)) continue;
    if (!out) return true;
    if (!out.includes(a)) out.push(a);
  }
  return false;
}

/**
 * The EntryFilter of an analysis that nothing but the analyzers reads: the
 * regular files that the names, suffixes, paths or directories of some
 * analyzer's claims match. Those of every known analyzer (`known`, the
 * manifest's), not only the selected ones, so that an analyzer looking up
 * another's files in the tree (yarn a workspace's package.json, os-release
 * dpkg's status) sees the same tree whatever the selection; executables only
 * when a selected analyzer claims them (only their reader looks at them).
 * Undefined, keep everything, when an analyzer declares no claims.
 */
export function entryFilter(selected: readonly Analyzer[], known: ReadonlyArray<{ claims?: AnalyzerClaims }>): EntryFilter | undefined {
  const claims = [...selected, ...known].map((a) => a.claims);
  if (claims.some((c) => c === undefined)) return undefined;
  const f = { paths: new Set<string>(), names: new Set<string>(), exts: new Set<string>(), dirs: new Set<string>() };
  for (const c of claims as AnalyzerClaims[]) {
    for (const p of c.paths ?? []) f.paths.add(p);
    for (const n of c.names ?? []) f.names.add(n);
    for (const x of c.suffixes ?? []) f.exts.add(extKey(x));
    for (const d of c.dirs ?? []) f.dirs.add(d.endsWith('/') ? d : d + '/');
  }
  return { ...f, dirs: [...f.dirs], executables: selected.some((a) => a.claims?.executables === true) };
}
