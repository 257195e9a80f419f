// The YAML library for the lockfile readers that need it (yarn berry's
// yarn.lock, pnpm-lock.yaml), loaded when such a lockfile is found (see
// lazy-library.ts): the analyzers await loadYaml() before parsing; the
// parsers call yaml().
import { lazyLibrary } from './lazy-library.js';

const lib = lazyLibrary('the YAML library', () => import('yaml'));

export const loadYaml = lib.load;
export const yaml = lib.get;
