// Rust binaries built with `cargo auditable`: the zlib-compressed JSON
// dependency list of the `.dep-v0` ELF section ({"packages": [{name,
// version, source, kind, dependencies, root}]}), runtime crates only (build
// dependencies are not in the binary), as Trivy lists them. Shares the
// executable summary with the gobinary analyzer (../executable.ts).
import { executableAnalyzer } from '../executable.js';

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

export default executableAnalyzer({
  id: 'rust-binary',
  type: 'cargo',
  what: 'cargo-auditable data of',
  part: 'rust',
  read: (rust) => (typeof rust.json === 'string' ? auditableCrates(rust.json) : 'malformed summary'),
});
