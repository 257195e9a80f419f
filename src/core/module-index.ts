// One explicit index per kind of module (analyzers, comparators, rules, checks,
// image sources, report formats, ...); kinds that grow are a directory of
// modules loaded by src/node/module-dir.ts. Every module has a stable id; a
// duplicate id is a bug and throws at load time.

export interface ModuleMeta {
  readonly id: string;
  readonly version?: number | string;
  /** The user doc page (and anchor) describing the module, relative to the repository root. */
  readonly docs?: string;
}

export class ModuleIndex<T extends ModuleMeta> {
  private readonly byId = new Map<string, T>();
  constructor(
    readonly kind: string,
    modules: readonly T[] = [],
  ) {
    for (const m of modules) this.add(m);
  }
  add(m: T): void {
    if (this.byId.has(m.id)) throw new Error(`duplicate ${this.kind} id: ${m.id}`);
    this.byId.set(m.id, m);
  }
  get(id: string): T | undefined {
    return this.byId.get(id);
  }
  require(id: string): T {
    const m = this.byId.get(id);
    if (!m) throw new Error(`unknown ${this.kind}: ${id}`);
    return m;
  }
  /** Modules sorted by id. */
  all(): T[] {
    return [...this.byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }
  get size(): number {
    return this.byId.size;
  }
}

/** `id`: a module id (lower case letters, digits and dashes, starting with a letter); the others: what `typeof` gives. */
export type MemberKind = 'id' | 'string' | 'number' | 'function';

const MODULE_ID = /^[a-z][a-z0-9-]*$/;

/** Whether `m` (a module's default export) is an object with these members, for the type guards of the module kinds. */
export function hasMembers(m: unknown, members: Readonly<Record<string, MemberKind>>): m is Record<string, unknown> {
  if (typeof m !== 'object' || m === null) return false;
  const o = m as Record<string, unknown>;
  return Object.entries(members).every(([k, kind]) => {
    const v = o[k];
    return kind === 'id' ? typeof v === 'string' && MODULE_ID.test(v) : typeof v === kind;
  });
}
