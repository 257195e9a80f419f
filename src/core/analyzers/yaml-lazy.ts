// The YAML library for the lockfile readers that need it (yarn berry's
// yarn.lock, pnpm-lock.yaml), loaded when such a lockfile is found: most
// scans have none, and loading the library cost every `vigil sbom` ~50 ms of
// start-up. The analyzers await loadYaml() before parsing; the parsers call
// yaml(), which fails loudly when nobody loaded it first.
type Yaml = typeof import('yaml');

let lib: Yaml | undefined;

export async function loadYaml(): Promise<Yaml> {
  return (lib ??= await import('yaml'));
}

export function yaml(): Yaml {
  if (!lib) throw new Error('the YAML library is not loaded: await loadYaml() before parsing');
  return lib;
}
