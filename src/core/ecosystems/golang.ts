// Go: modules found in Go binaries' build info and in go.mod/go.sum, and the
// Go toolchain a binary was built with (`stdlib`), matched by module path in
// OSV's `Go` ecosystem (the Go vulnerability database, GHSA), versions
// ordered by Go's semver rules (pseudo-versions, `+incompatible`).
import type { Ecosystem } from './types.js';

export const golang: Ecosystem = {
  id: 'golang',
  version: 1,
  kind: 'language',
  title: 'Go',
  packageType: 'golang',
  comparator: 'go',
  osvName: 'Go',
  vendor: 'ghsa',
  feeds: ['osv'],
  matchKeys: () => ['go'],
  lookup: (pkg) => ({ names: [pkg.name.toLowerCase()], version: pkg.version }),
  // purl-spec: the module path's last segment is the name, the rest the namespace (`pkg:golang/github.com/pkg/errors@v0.9.1`).
  purl(pkg) {
    const slash = pkg.name.lastIndexOf('/');
    return slash > 0 ? { type: 'golang', namespace: pkg.name.slice(0, slash), name: pkg.name.slice(slash + 1) } : { type: 'golang' };
  },
};
