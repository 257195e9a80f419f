// yarn.lock: yarn v1's own format (entries of `name@range` patterns with
// indented `version` and `dependencies`) and yarn berry's (v2+: YAML with a
// `__metadata` entry, `npm:` ranges, `resolution`, `languageName`). Packages
// and edges as Trivy's yarn parser lists them: only npm packages (no protocol
// or `npm:`); `workspace:`, `patch:`, `file:`, `link:`, `portal:` and git
// entries are skipped, and so is an entry with an unknown protocol. Edges go
// from a package to the entries its dependency patterns resolve to. With the
// project's package.json (and its workspaces' ones), packages it names are
// direct, and a package only devDependencies reach is dev (Trivy's yarn
// analyzer does the same walk).
import { yaml } from './yaml-lazy.js';
import { LockBudget, LockfileError, type LockPackage, type Manifests, isObj, lockId, sortedUnique } from './js-lock.js';
import { globMatcher, workspaceGlobs } from './npm-lock.js';

type Json = Record<string, unknown>;

const SKIPPED = new Set(['workspace', 'patch', 'file', 'link', 'portal', 'github', 'git', 'git+ssh', 'git+http', 'git+https', 'git+file', 'exec']);

/** `name@[protocol:]range` of one pattern; undefined when it has no `@` after the name. */
export function splitPattern(pattern: string): { name: string; protocol: string; range: string } | undefined {
  const p = pattern.trim().replace(/^"|"$/g, '');
  const at = p.indexOf('@', 1);
  if (at <= 0) return undefined;
  const name = p.slice(0, at);
  const rest = p.slice(at + 1);
  const m = /^([a-z][a-z+]*):(.*)$/.exec(rest);
  return m ? { name, protocol: m[1]!, range: m[2]! } : { name, protocol: '', range: rest };
}

/** A dependency range as written in `dependencies` (`npm:` stripped); undefined for another protocol. */
function depRange(range: string): string | undefined {
  const m = /^([a-z][a-z+]*):(.*)$/.exec(range);
  if (!m) return range;
  return m[1] === 'npm' ? m[2]! : undefined;
}

interface Entry {
  patterns: string[];
  name: string;
  version: string;
  deps: string[];
}

/**
 * `manifests`: the project's package.json files by directory relative to the
 * lockfile ('' = the root); the root's `workspaces` globs pick the members.
 */
export function parseYarnLock(text: string, manifests: Manifests = new Map()): LockPackage[] {
  const budget = new LockBudget();
  const entries = /^__metadata:/m.test(text) ? berryEntries(text, budget) : v1Entries(text, budget);
  const idOf = new Map<string, string>();
  for (const e of entries) for (const p of e.patterns) idOf.set(p, lockId(e.name, e.version));
  const byId = new Map<string, LockPackage>();
  for (const e of entries) {
    const id = lockId(e.name, e.version);
    const deps = e.deps.map((d) => idOf.get(d)).filter((x): x is string => !!x);
    const seen = byId.get(id);
    if (seen) seen.dependsOn = sortedUnique([...seen.dependsOn, ...deps]);
    else byId.set(id, { id, name: e.name, version: e.version, dependsOn: sortedUnique(deps) });
  }
  const root = manifests.get('');
  if (!root) return [...byId.values()];
  const globs = workspaceGlobs(root.workspaces).map(globMatcher);
  const members = [...manifests].filter(([dir, m]) => dir !== '' && typeof m.name === 'string' && globs.some((g) => g(dir)));
  markRelationships(byId, idOf, [root, ...members.map(([, m]) => m)]);
  for (const [dir, m] of members) {
    const name = m.name as string;
    const version = typeof m.version === 'string' ? m.version : '';
    const deps = DEP_FIELDS.flatMap((f) => rootIds(m, f, idOf)).filter((x) => byId.has(x));
    byId.set(lockId(name, version), {
      id: lockId(name, version),
      name,
      version,
      relationship: 'direct',
      workspace: true,
      dependsOn: sortedUnique(deps),
      paths: [dir],
    });
  }
  return [...byId.values()];
}

const DEP_FIELDS = ['dependencies', 'optionalDependencies', 'peerDependencies', 'devDependencies'];

/** The lockfile IDs a manifest's dependency field resolves to ('' when a range has no entry). */
const rootIds = (m: Json, field: string, idOf: Map<string, string>): string[] =>
  isObj(m[field]) ? Object.entries(m[field]).map(([n, r]) => idOf.get(`${n}@${typeof r === 'string' ? (depRange(r) ?? r) : ''}`) ?? '') : [];

/** Direct: named by a manifest; dev: reached from devDependencies and not from dependencies (optional, peer). */
function markRelationships(byId: Map<string, LockPackage>, idOf: Map<string, string>, manifests: Json[]): void {
  const roots = (field: string): string[] => manifests.flatMap((m) => rootIds(m, field, idOf));
  const prodRoots = [...roots('dependencies'), ...roots('optionalDependencies'), ...roots('peerDependencies')].filter((x) => byId.has(x));
  const devRoots = roots('devDependencies').filter((x) => byId.has(x));
  const reach = (start: string[]): Set<string> => {
    const seen = new Set<string>();
    const stack = [...start];
    while (stack.length) {
      const id = stack.pop()!;
      if (seen.has(id)) continue;
      seen.add(id);
      for (const d of byId.get(id)?.dependsOn ?? []) if (!seen.has(d)) stack.push(d);
    }
    return seen;
  };
  const prod = reach(prodRoots);
  const dev = reach(devRoots);
  const direct = new Set([...prodRoots, ...devRoots]);
  for (const p of byId.values()) {
    p.relationship = direct.has(p.id) ? 'direct' : 'indirect';
    if (dev.has(p.id) && !prod.has(p.id)) p.dev = true;
  }
}

/** Patterns of an entry key (`a@^1, "a@^2"`), as `name@range` with `npm:` dropped; undefined when the entry is skipped. */
function keyPatterns(key: string, where: string): { name: string; patterns: string[] } | undefined {
  const parts = key
    .split(/,\s*/)
    .map((s) => s.trim().replace(/^"|"$/g, ''))
    .filter(Boolean);
  const first = parts[0] ? splitPattern(parts[0]) : undefined;
  if (!first) throw new LockfileError(`${where}: "${key.slice(0, 80)}" is not a package pattern`);
  if (first.protocol && first.protocol !== 'npm') {
    if (SKIPPED.has(first.protocol)) return undefined;
    return undefined; // an unknown protocol: Trivy warns and skips the entry
  }
  const patterns = parts.map((s) => splitPattern(s)).map((p) => `${first.name}@${p?.protocol === 'npm' ? p.range : (p?.range ?? '')}`);
  return { name: first.name, patterns };
}

function v1Entries(text: string, budget: LockBudget): Entry[] {
  const lines = text.split(/\r?\n/);
  const out: Entry[] = [];
  let cur: (Entry & { skip: boolean }) | undefined;
  let section: 'deps' | 'other' | undefined;
  const flush = (): void => {
    if (cur && !cur.skip && cur.version) out.push(cur);
    cur = undefined;
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (!line.trim() || line.trimStart().startsWith('#')) continue;
    const indent = line.length - line.trimStart().length;
    const where = `line ${i + 1}`;
    if (indent === 0) {
      flush();
      if (!line.endsWith(':')) throw new LockfileError(`${where}: expected "pattern:"`);
      budget.package();
      const k = keyPatterns(line.slice(0, -1), where);
      cur = { patterns: k?.patterns ?? [], name: k?.name ?? '', version: '', deps: [], skip: !k };
      section = undefined;
      continue;
    }
    if (!cur) throw new LockfileError(`${where}: indented line outside an entry`);
    // npm writes yarn.lock with quoted field names ("version" "1.0.0").
    const t = line.trim().replace(/^"([^"]+)"/, '$1');
    if (indent <= 2) {
      section = t === 'dependencies:' || t === 'optionalDependencies:' ? 'deps' : t.endsWith(':') ? 'other' : undefined;
      const m = /^version:?\s+"?([^"]+)"?$/.exec(t);
      if (m) cur.version = m[1]!;
      continue;
    }
    if (section !== 'deps') continue;
    const m = /^("(?:[^"\\]|\\.)+"|[^\s"]+):?\s+"?([^"]*)"?$/.exec(t);
    if (!m) throw new LockfileError(`${where}: malformed dependency`);
    const range = depRange(m[2]!);
    if (range === undefined) continue;
    budget.edge();
    cur.deps.push(`${m[1]!.replace(/^"|"$/g, '')}@${range}`);
  }
  flush();
  return out;
}

function berryEntries(text: string, budget: LockBudget): Entry[] {
  let doc: unknown;
  try {
    doc = yaml().parse(text, { schema: 'failsafe', maxAliasCount: 0, uniqueKeys: false });
  } catch (e) {
    throw new LockfileError(`YAML: ${String((e as Error).message).split('\n')[0]}`);
  }
  if (!isObj(doc)) throw new LockfileError('not a YAML mapping');
  const out: Entry[] = [];
  for (const [key, v] of Object.entries(doc)) {
    if (key === '__metadata' || !isObj(v)) continue;
    budget.package();
    const k = keyPatterns(key, `entry "${key.slice(0, 80)}"`);
    if (!k || typeof v.version !== 'string' || !v.version) continue;
    const deps: string[] = [];
    for (const field of ['dependencies', 'optionalDependencies']) {
      const d = v[field];
      if (!isObj(d)) continue;
      for (const [n, r] of Object.entries(d)) {
        const range = typeof r === 'string' ? depRange(r) : undefined;
        if (range === undefined) continue;
        budget.edge();
        deps.push(`${n}@${range}`);
      }
    }
    out.push({ patterns: k.patterns, name: k.name, version: v.version, deps });
  }
  return out;
}
