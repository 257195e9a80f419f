// A library a few readers need, loaded on first need instead of at start-up:
// most scans read no file of that format, and loading the library cost every
// `vigil sbom` tens of milliseconds. The analyzer awaits `load()` once it has
// such a file (analyze may be async); the parser then calls `get()`, which
// fails loudly when nobody loaded the library first.
export interface LazyLibrary<T> {
  load(): Promise<T>;
  get(): T;
}

export function lazyLibrary<T>(what: string, importer: () => Promise<T>): LazyLibrary<T> {
  let lib: T | undefined;
  return {
    load: async () => (lib ??= await importer()),
    get: () => {
      if (!lib) throw new Error(`${what} is not loaded: await its load() before parsing`);
      return lib;
    },
  };
}
