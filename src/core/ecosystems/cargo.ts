// Rust: crates listed in Cargo.lock files and in binaries built with
// `cargo auditable` (the `.dep-v0` section), matched by crate name in OSV's
// `crates.io` ecosystem (RustSec, GHSA), versions ordered as SemVer (Cargo's
// versions are SemVer 2.0).
import { languageEcosystem } from './shared.js';

export const cargo = languageEcosystem({
  id: 'cargo',
  title: 'crates.io',
  packageType: 'cargo',
  comparator: 'semver',
  osvName: 'crates.io',
  // crates.io names are case-insensitive and treat `-` and `_` alike; advisories use the published name.
  lookup(pkg) {
    const n = pkg.name.toLowerCase();
    return { names: [...new Set([n, n.replace(/_/g, '-'), n.replace(/-/g, '_')])], version: pkg.version };
  },
});
