// Rust binaries built with `cargo auditable`: the zlib-compressed JSON
// dependency list of the `.dep-v0` ELF section ({"packages": [{name,
// version, source, kind, dependencies, root}]}), runtime crates only (build
// dependencies are not in the binary), as Trivy lists them. Shares the
// executable summary with the gobinary analyzer (../executable.ts).
import type { Notice, Package } from '../../inventory/types.js';
import { isExecutableCandidate, readExecutable, reduceExecutable } from '../executable.js';
import { layerRef } from '../layer-attribution.js';
import type { Analyzer } from '../types.js';

const MAX_CRATES = 100_000;

/** The runtime crates of a `.dep-v0` JSON text, or an error message. */
export function auditableCrates(json: string): Array<{ name: string; version: string; root: boolean }> | string {
  let doc: unknown;
  try {
    doc = JSON.parse(json);
  } catch {
    return '.dep-v0 is not JSON';
  }
  const list = (doc as { packages?: unknown } | null)?.packages;
  if (!Array.isArray(list)) return '.dep-v0 has no "packages" array';
  if (list.length > MAX_CRATES) return `.dep-v0 lists more than ${MAX_CRATES} crates`;
  const out: Array<{ name: string; version: string; root: boolean }> = [];
  for (const p of list as unknown[]) {
    const x = p as { name?: unknown; version?: unknown; kind?: unknown; root?: unknown } | null;
    if (!x || typeof x.name !== 'string' || typeof x.version !== 'string' || !x.name || x.name.length > 256 || x.version.length > 256)
      return '.dep-v0 package without a name and version';
    // `kind` defaults to runtime; build dependencies run at build time only.
    if (x.kind !== undefined && x.kind !== 'runtime') continue;
    out.push({ name: x.name, version: x.version, root: x.root === true });
  }
  return out;
}

const rustBinary: Analyzer = {
  id: 'rust-binary',
  version: 1,
  kind: 'package',
  required: isExecutableCandidate,
  reduce: reduceExecutable,
  analyze(input) {
    const packages: Package[] = [];
    const notices: Notice[] = [];
    for (const f of input.files) {
      const rust = readExecutable(f.content).rust;
      if (!rust) continue;
      const crates = 'error' in rust ? String(rust.error) : typeof rust.json === 'string' ? auditableCrates(rust.json) : 'malformed summary';
      if (typeof crates === 'string') {
        notices.push({ kind: 'package-db-unreadable', message: `cargo-auditable data of ${f.path} skipped: ${crates}`, path: f.path });
        continue;
      }
      const layer = layerRef(f.entry.layer, input.layers);
      for (const c of crates) packages.push({ type: 'cargo', name: c.name, version: c.version, filePath: f.path, layer });
    }
    return { packages, notices };
  },
};

export default rustBinary;
