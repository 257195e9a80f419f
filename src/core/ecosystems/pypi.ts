// PyPI: Python packages found installed (dist-info / egg-info metadata),
// matched by name in OSV's `PyPI` ecosystem (PyPA advisory DB, GHSA),
// versions ordered by PEP 440.
import { languageEcosystem } from './shared.js';

/** PEP 503 normalised name: runs of `-`, `_` and `.` become one `-`, lower case (`Zope.Interface` -> `zope-interface`). */
export function normalizePypiName(name: string): string {
  return name.replace(/[-_.]+/g, '-').toLowerCase();
}

export const pypi = languageEcosystem({
  id: 'pypi',
  title: 'PyPI',
  packageType: 'pypi',
  comparator: 'pep440',
  osvName: 'PyPI',
  // Advisories name a project as PyPI displays it (`PyYAML`, `zope.interface`) or normalised,
  // and the DB keys names only in lower case: the name as written and its normalised
  // form with each separator are looked up.
  lookup(pkg) {
    const n = normalizePypiName(pkg.name);
    return { names: [...new Set([n, pkg.name.toLowerCase(), n.replace(/-/g, '_'), n.replace(/-/g, '.')])], version: pkg.version };
  },
  // purl-spec: PyPI names are lower-cased with `_` replaced by `-`.
  purl: (pkg) => ({ type: 'pypi', name: pkg.name.toLowerCase().replace(/_/g, '-') }),
});
