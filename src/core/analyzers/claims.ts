// Which analyzers may claim an entry, decided by its name before any
// analyzer is asked. An analyzer that declares `claims` (types.ts) promises
// that `required` is true only for entries the declaration covers; the scan
// then asks `required` of the few analyzers an entry's name, suffix,
// directory or execute bit points to (one Map lookup per entry) instead of
// every analyzer's `required` on every entry of the image. An analyzer
// without `claims` is asked about every entry, as before.
import type { FileEntry } from '../inventory/types.js';
import type { Analyzer } from './types.js';

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
  private readonly dirs: Array<{ dir: string; a: Analyzer }> = [];
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
      for (const d of c.dirs ?? []) this.dirs.push({ dir: d.endsWith('/') ? d : d + '/', a });
      if (c.executables) this.executables.push(a);
    }
  }

  /** Calls `fn` with every analyzer that may claim the entry (some more than once); stops when `fn` returns true. */
  private some(path: string, entry: FileEntry, fn: (a: Analyzer) => boolean): boolean {
    for (const a of this.always) if (fn(a)) return true;
    const slash = path.lastIndexOf('/');
    const base = slash >= 0 ? path.slice(slash + 1) : path;
    const named = this.byName.get(base);
    if (named) for (const a of named) if (fn(a)) return true;
    const dot = base.lastIndexOf('.');
    if (dot >= 0 && this.byExt.size > 0) {
      const list = this.byExt.get(base.slice(dot).toLowerCase());
      if (list) for (const a of list) if (fn(a)) return true;
    }
    const exact = this.byPath.get(path);
    if (exact) for (const a of exact) if (fn(a)) return true;
    for (const d of this.dirs) if (path.startsWith(d.dir) && fn(d.a)) return true;
    if (entry.kind === 'file' && (entry.mode & 0o111) !== 0) for (const a of this.executables) if (fn(a)) return true;
    return false;
  }

  /** Whether some analyzer requires the entry (the same answer as asking every analyzer's `required`). */
  wants(path: string, entry: FileEntry): boolean {
    return this.some(path, entry, (a) => a.required(path, entry));
  }

  /** The analyzers that require the entry, in the order the index was built with. */
  claimers(path: string, entry: FileEntry): Analyzer[] {
    const out: Analyzer[] = [];
    this.some(path, entry, (a) => {
      if (!out.includes(a) && a.required(path, entry)) out.push(a);
      return false;
    });
    if (out.length > 1) out.sort((x, y) => this.order.get(x)! - this.order.get(y)!);
    return out;
  }
}
