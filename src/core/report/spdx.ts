// SPDX 2.3 JSON: the image as the described package, every installed package
// CONTAINED by it, purls as external references. Licenses become SPDX ids
// where the package recorded one unambiguously, else LicenseRef-* entries
// with the recorded text. Validated in tests against the official schema.
import { createHash } from 'node:crypto';
import type { Package } from '../inventory/types.js';
import type { ScanReport } from '../scan/types.js';
import { purlOf } from '../ecosystems/index.js';
import { licenseRef, spdxId } from './licenses.js';
import { npmDependencyEdges } from './package-edges.js';

export interface SpdxOptions {
  now: Date;
  /** A unique id for the document namespace (e.g. a uuid). */
  uniqueId: string;
  toolVersion: string;
}

type Json = Record<string, unknown>;

function spdxRef(kind: string, key: string): string {
  return `SPDXRef-${kind}-${createHash('sha256').update(key).digest('hex').slice(0, 16)}`;
}

export function toSpdx(report: ScanReport, opts: SpdxOptions): Json {
  const os = report.artifact.os;
  const extracted = new Map<string, string>();
  const licenseExpr = (names: string[] | undefined): string => {
    if (!names?.length) return 'NOASSERTION';
    const parts = names.map((n) => {
      const id = spdxId(n);
      if (id) return id;
      const ref = licenseRef(n);
      extracted.set(ref, n);
      return ref;
    });
    return parts.length === 1 ? parts[0]! : parts.map((p) => (p.includes(' ') ? `(${p})` : p)).join(' AND ');
  };

  const imageId = 'SPDXRef-Image';
  const packages: Json[] = [
    {
      name: report.artifact.name,
      SPDXID: imageId,
      downloadLocation: 'NOASSERTION',
      filesAnalyzed: false,
      primaryPackagePurpose: 'CONTAINER',
      ...(report.artifact.digest ? { versionInfo: report.artifact.digest } : {}),
    },
  ];
  const relationships: Json[] = [{ spdxElementId: 'SPDXRef-DOCUMENT', relationshipType: 'DESCRIBES', relatedSpdxElement: imageId }];
  if (os) {
    const osId = 'SPDXRef-OperatingSystem';
    packages.push({
      name: os.family,
      SPDXID: osId,
      versionInfo: os.version,
      downloadLocation: 'NOASSERTION',
      filesAnalyzed: false,
      primaryPackagePurpose: 'OPERATING_SYSTEM',
    });
    relationships.push({ spdxElementId: imageId, relationshipType: 'CONTAINS', relatedSpdxElement: osId });
  }
  const seen = new Set<string>();
  const ids = new Map<Package, string>();
  for (const p of report.packages) {
    const purl = purlOf(p, os);
    let id = spdxRef('Package', `${purl}|${p.filePath ?? ''}`);
    for (let n = 2; seen.has(id); n++) id = spdxRef('Package', `${purl}|${p.filePath ?? ''}|${n}`);
    seen.add(id);
    ids.set(p, id);
    const pkg: Json = {
      name: p.name,
      SPDXID: id,
      versionInfo: p.version,
      downloadLocation: 'NOASSERTION',
      filesAnalyzed: false,
      licenseConcluded: 'NOASSERTION',
      licenseDeclared: licenseExpr(p.licenses),
      copyrightText: 'NOASSERTION',
      externalRefs: [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: purl }],
      primaryPackagePurpose: 'LIBRARY',
    };
    if (p.sourceName && (p.sourceName !== p.name || (p.sourceVersion && p.sourceVersion !== p.version))) {
      pkg.sourceInfo = `built package from: ${p.sourceName} ${p.sourceVersion ?? p.version}`;
    }
    if (p.maintainer) pkg.supplier = `Person: ${p.maintainer.replace(/[\r\n]+/g, ' ')}`;
    if (p.layer) pkg.comment = `layer ${p.layer.digest}${p.layer.createdBy ? ` (${p.layer.createdBy})` : ''}`;
    packages.push(pkg);
    relationships.push({ spdxElementId: imageId, relationshipType: 'CONTAINS', relatedSpdxElement: id });
  }
  // The JavaScript dependency graph, as CycloneDX's `dependencies` carries it.
  for (const e of npmDependencyEdges(report.packages, (p) => ids.get(p)!))
    for (const to of e.to) relationships.push({ spdxElementId: e.from, relationshipType: 'DEPENDS_ON', relatedSpdxElement: to });
  const doc: Json = {
    spdxVersion: 'SPDX-2.3',
    dataLicense: 'CC0-1.0',
    SPDXID: 'SPDXRef-DOCUMENT',
    name: report.artifact.name,
    documentNamespace: `https://vigil.dev/spdx/${encodeURIComponent(report.artifact.name)}-${opts.uniqueId}`,
    creationInfo: {
      created: opts.now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      creators: [`Tool: vigil-${opts.toolVersion}`],
      // Notices limit what the document says (an unreadable package database, an OS without vulnerability data).
      ...(report.notices?.length ? { comment: report.notices.map((n) => `Notice: ${n.message}${n.path ? ` (${n.path})` : ''}`).join('\n') } : {}),
    },
    packages,
    relationships,
  };
  if (extracted.size) {
    doc.hasExtractedLicensingInfos = [...extracted.entries()].map(([licenseId, text]) => ({ licenseId, extractedText: text, name: text }));
  }
  return doc;
}
