// .NET dependency files, read as Trivy's parsers read them:
//  - `*.deps.json` (published applications): the `libraries` of type
//    package, project or runtimepack (the `runtimepack.` prefix dropped),
//    keeping, when the runtime target's `targets` entry lists a library,
//    only those with `runtime`, `runtimeTargets` or `native` assets (so
//    compile-only reference packages are left out);
//  - `packages.lock.json` (NuGet lock files): every resolved package of
//    every target framework but the project itself, once per name@version.
// Both are JSON documents of bounded size; anything of the wrong shape is an
// error message, never an exception.

export const MAX_DOTNET_FILE = 32 * 1024 * 1024;
const MAX_LIBRARIES = 100_000;

type Json = Record<string, unknown>;
const isObj = (x: unknown): x is Json => typeof x === 'object' && x !== null && !Array.isArray(x);

export interface DotnetPackage {
  name: string;
  version: string;
}

function parseJson(text: string): Json | string {
  let doc: unknown;
  try {
    doc = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    return `not JSON (${(e as Error).message.slice(0, 80)})`;
  }
  return isObj(doc) ? doc : 'not a JSON object';
}

const RUNTIMEPACK = 'runtimepack.';
const stripPack = (name: string): string => (name.startsWith(RUNTIMEPACK) ? name.slice(RUNTIMEPACK.length) : name);

/** Packages of a `.deps.json`, or an error message. */
export function parseDepsJson(text: string): DotnetPackage[] | string {
  const doc = parseJson(text);
  if (typeof doc === 'string') return doc;
  const libraries = doc.libraries;
  if (libraries !== undefined && !isObj(libraries)) return '"libraries" is not an object';
  const libs = Object.entries(libraries ?? {});
  if (libs.length > MAX_LIBRARIES) return `more than ${MAX_LIBRARIES} libraries`;
  const rtName = isObj(doc.runtimeTarget) && typeof doc.runtimeTarget.name === 'string' ? doc.runtimeTarget.name : undefined;
  const targets = isObj(doc.targets) ? doc.targets : {};
  const target = rtName !== undefined && Object.hasOwn(targets, rtName) && isObj(targets[rtName]) ? (targets[rtName] as Json) : undefined;
  const targetLibs = new Map<string, Json>();
  if (target) {
    for (const [k, v] of Object.entries(target)) {
      const slash = k.indexOf('/');
      if (slash > 0 && isObj(v)) targetLibs.set(`${stripPack(k.slice(0, slash))}@${k.slice(slash + 1)}`, v);
    }
  }
  const out = new Map<string, DotnetPackage>();
  for (const [nameVer, lib] of libs) {
    const slash = nameVer.indexOf('/');
    if (slash <= 0) continue;
    const type = isObj(lib) && typeof lib.type === 'string' ? lib.type.toLowerCase() : '';
    if (type !== 'package' && type !== 'project' && type !== 'runtimepack') continue;
    const name = stripPack(nameVer.slice(0, slash));
    const version = nameVer.slice(slash + 1);
    const id = `${name}@${version}`;
    if (target) {
      const t = targetLibs.get(id);
      // A library the target does not list is kept (Trivy: "to avoid mistaken omission").
      const present = (x: unknown): boolean => x !== undefined && x !== null;
      if (t && !present(t.runtime) && !present(t.runtimeTargets) && !present(t.native)) continue;
    }
    out.set(id, { name, version });
  }
  return [...out.values()];
}

/** Packages of a NuGet `packages.lock.json`, or an error message. */
export function parseNuGetLock(text: string): DotnetPackage[] | string {
  const doc = parseJson(text);
  if (typeof doc === 'string') return doc;
  const deps = doc.dependencies;
  if (!isObj(deps)) return 'no "dependencies" object';
  const out = new Map<string, DotnetPackage>();
  for (const target of Object.values(deps)) {
    if (!isObj(target)) return 'a target framework is not an object';
    for (const [name, p] of Object.entries(target)) {
      if (!isObj(p)) return `package ${name.slice(0, 80)} is not an object`;
      if (p.type === 'Project') continue;
      const version = typeof p.resolved === 'string' ? p.resolved : '';
      const id = `${name}@${version}`;
      if (!out.has(id)) out.set(id, { name, version });
      if (out.size > MAX_LIBRARIES) return `more than ${MAX_LIBRARIES} packages`;
    }
  }
  return [...out.values()];
}
