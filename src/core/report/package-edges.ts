// The JavaScript dependency edges of a report, shared by the CycloneDX
// `dependencies` and the SPDX `DEPENDS_ON` relationships: each npm package
// with lockfile edges (`dependsOn`, name@version) depends on the components of
// those name@versions (the first package of each name@version stands for it).
import type { Package } from '../inventory/types.js';

export interface PackageEdge {
  from: string;
  to: string[];
}

/** Edges between the report ids `refOf` gives packages (self-edges and unknown targets dropped; targets unique, in order). */
export function npmDependencyEdges(packages: readonly Package[], refOf: (p: Package) => string): PackageEdge[] {
  const byId = new Map<string, string>();
  for (const p of packages) if (p.type === 'npm' && !byId.has(`${p.name}@${p.version}`)) byId.set(`${p.name}@${p.version}`, refOf(p));
  const edges: PackageEdge[] = [];
  for (const p of packages) {
    if (p.type !== 'npm' || !p.dependsOn?.length) continue;
    const from = refOf(p);
    const to = [...new Set(p.dependsOn.map((id) => byId.get(id)).filter((r): r is string => !!r && r !== from))];
    if (to.length) edges.push({ from, to });
  }
  return edges;
}
