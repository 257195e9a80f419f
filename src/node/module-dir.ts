// Loads a directory of modules into a ModuleIndex (src/core/module-index.ts).
// A module kind whose modules live in their own directory (image sources:
// src/node/image/sources/, report formats: src/core/report/formats/) is
// extended by adding one file there: no central list or switch to edit.
// Each file `<id>.ts` (`<id>.js` once built) default-exports one module whose
// id is the file's name; test files, declaration files and names starting
// with `_` or `.` are skipped. A file that exports no valid module, or whose
// id differs from its name, fails the load with an error naming the file.
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ModuleIndex, type ModuleMeta } from '../core/module-index.js';

const MODULE_FILE = /^([a-z0-9][a-z0-9-]*)\.(ts|js|mjs)$/;

/** The module files of `dir`, sorted by name: `[id, fileName]`. */
export function moduleFiles(dir: URL): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const name of readdirSync(fileURLToPath(dir)).sort()) {
    if (name.endsWith('.d.ts') || name.includes('.test.')) continue;
    const m = MODULE_FILE.exec(name);
    if (m) out.push([m[1]!, name]);
  }
  return out;
}

async function importModule<T extends ModuleMeta>(kind: string, dir: URL, id: string, name: string, isModule: (m: unknown) => m is T): Promise<T> {
  const mod = ((await import(new URL(name, dir).href)) as { default?: unknown }).default;
  if (!isModule(mod)) throw new Error(`${kind} module ${name} does not default-export a ${kind}`);
  if (mod.id !== id) throw new Error(`${kind} module ${name} has id ${mod.id}; the file must be named after its id`);
  return mod;
}

export async function loadModuleDir<T extends ModuleMeta>(kind: string, dir: URL, isModule: (m: unknown) => m is T): Promise<ModuleIndex<T>> {
  const index = new ModuleIndex<T>(kind);
  for (const [id, name] of moduleFiles(dir)) index.add(await importModule(kind, dir, id, name, isModule));
  return index;
}

/**
 * The one module of `dir` with this id, loading only its file (a command that
 * needs one report format or one image source does not load the others), or
 * undefined when no file is named after `id`. The id is only compared with
 * the directory's file names, never used as a path.
 */
export async function loadModule<T extends ModuleMeta>(kind: string, dir: URL, id: string, isModule: (m: unknown) => m is T): Promise<T | undefined> {
  const file = moduleFiles(dir).find(([fileId]) => fileId === id);
  return file ? importModule(kind, dir, file[0], file[1], isModule) : undefined;
}

/** Memoise an async loader (one load per process; a failed load is retried). */
export function once<T>(load: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | undefined;
  return () => {
    p ??= load().catch((e: unknown) => {
      p = undefined;
      throw e;
    });
    return p;
  };
}
