// Go: modules found in Go binaries' build info and in go.mod/go.sum, and the
// Go toolchain a binary was built with (`stdlib`), matched by module path in
// OSV's `Go` ecosystem (the Go vulnerability database, GHSA), versions
// ordered by Go's semver rules (pseudo-versions, `+incompatible`).
import { languageEcosystem, splitNamePurl } from './shared.js';

export const golang = languageEcosystem({
  id: 'golang',
  title: 'Go',
  packageType: 'golang',
  comparator: 'go',
  osvName: 'Go',
  // purl-spec: the module path's last segment is the name, the rest the namespace (`pkg:golang/github.com/pkg/errors@v0.9.1`).
  purl: splitNamePurl('golang', '/', 'last'),
});
