// `--format json`: the ScanReport contract of docs/architecture.md. Packages
// get their purl (and, from JavaScript lockfiles, `relationship`, `indirect`
// and `dependsOn`: the dependency graph); owned file lists stay out (they belong to the SBOM
// internals, not the report, and would dwarf it).
import type { Package } from '../inventory/types.js';
import type { ScanReport } from '../scan/types.js';
import { purlOf } from '../ecosystems/index.js';
import { jsonDocument } from './format-module.js';

export function reportPackages(report: ScanReport): Package[] {
  const os = report.artifact.os;
  return report.packages.map((p) => {
    const { files: _files, ...rest } = p;
    return {
      ...rest,
      purl: purlOf(p, os),
      sourceName: p.sourceName ?? p.name,
      sourceVersion: p.sourceVersion ?? p.version,
      licenses: p.licenses ?? [],
      // Trivy's `Indirect`, for packages whose lockfile says how the application relates to them.
      ...(p.relationship ? { indirect: p.relationship === 'indirect' } : {}),
    };
  });
}

export function toJson(report: ScanReport): string {
  const { config: _config, ...artifact } = report.artifact;
  return jsonDocument({ ...report, artifact, packages: reportPackages(report), notices: report.notices ?? [] });
}
