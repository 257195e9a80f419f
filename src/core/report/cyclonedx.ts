// CycloneDX 1.6 JSON: the image as the metadata component, its OS and every
// package as components (purl as bom-ref), and a `vulnerabilities` section
// when the vuln scanner ran. Validated in tests against the official schema.
import { contentCycloneDxComponents } from './content-sections.js';
import type { Package } from '../inventory/types.js';
import type { ScanReport, VulnerabilityFinding } from '../scan/types.js';
import { purlOf } from '../ecosystems/index.js';
import { spdxId } from './licenses.js';
import { npmDependencyEdges } from './package-edges.js';

export interface BomOptions {
  now: Date;
  serialNumber: string;
  toolVersion: string;
}

type Json = Record<string, unknown>;

function licensesOf(p: Package): Json[] | undefined {
  if (!p.licenses?.length) return undefined;
  return p.licenses.map((l) => {
    const id = spdxId(l);
    return { license: id ? { id } : { name: l } };
  });
}

function cvssMethod(version: string): string {
  if (version.startsWith('4')) return 'CVSSv4';
  if (version.startsWith('3.1')) return 'CVSSv31';
  if (version.startsWith('3')) return 'CVSSv3';
  if (version.startsWith('2')) return 'CVSSv2';
  return 'other';
}

const CDX_SEVERITIES = new Set(['critical', 'high', 'medium', 'low', 'info', 'none', 'unknown']);

function ratingsOf(v: VulnerabilityFinding): Json[] {
  const out: Json[] = [];
  for (const [source, c] of Object.entries(v.cvss)) {
    out.push({ source: { name: source }, score: c.score, method: cvssMethod(c.version), vector: c.vector });
  }
  for (const [source, sev] of Object.entries(v.vendorSeverity)) {
    const s = sev.toLowerCase();
    out.push({ source: { name: source }, severity: CDX_SEVERITIES.has(s) ? s : 'unknown' });
  }
  if (out.length === 0) out.push({ severity: CDX_SEVERITIES.has(v.severity) ? v.severity : 'unknown' });
  return out;
}

/**
 * The dependency graph: the image depends on every component except the
 * indirect JavaScript packages another package depends on; each package with
 * lockfile edges (`dependsOn`, name@version) depends on those components.
 */
function dependencyGraph(packages: Package[], refs: Map<Package, string>, components: Json[]): Json[] {
  const reached = new Set<string>();
  const edges: Json[] = npmDependencyEdges(packages, (p) => refs.get(p)!).map((e) => {
    for (const r of e.to) reached.add(r);
    return { ref: e.from, dependsOn: e.to };
  });
  const indirect = new Set(packages.filter((p) => p.relationship === 'indirect' && reached.has(refs.get(p)!)).map((p) => refs.get(p)!));
  const top = components.map((c) => c['bom-ref'] as string).filter((r) => !indirect.has(r));
  return [{ ref: 'image', dependsOn: top }, ...edges];
}

export function toCycloneDx(report: ScanReport, opts: BomOptions): Json {
  const os = report.artifact.os;
  const refs = new Map<Package, string>();
  const used = new Set<string>();
  const components: Json[] = [];
  if (os) {
    used.add('os');
    components.push({ 'bom-ref': 'os', type: 'operating-system', name: os.family, version: os.version });
  }
  for (const p of report.packages) {
    const purl = purlOf(p, os);
    let ref = purl;
    for (let n = 2; used.has(ref); n++) ref = `${purl}#${n}`;
    used.add(ref);
    refs.set(p, ref);
    const properties: Json[] = [{ name: 'vigil:package:type', value: p.type }];
    if (p.sourceName && p.sourceName !== p.name) properties.push({ name: 'vigil:package:source-name', value: p.sourceName });
    if (p.sourceVersion && p.sourceVersion !== p.version) properties.push({ name: 'vigil:package:source-version', value: p.sourceVersion });
    if (p.arch) properties.push({ name: 'vigil:package:arch', value: p.arch });
    if (p.layer) {
      properties.push({ name: 'vigil:layer:digest', value: p.layer.digest });
      if (p.layer.diffId) properties.push({ name: 'vigil:layer:diff-id', value: p.layer.diffId });
    }
    if (p.filePath) properties.push({ name: 'vigil:package:path', value: p.filePath });
    if (p.declared) properties.push({ name: 'vigil:package:declared', value: 'true' });
    if (p.dev) properties.push({ name: 'vigil:package:dev', value: 'true' });
    if (p.optional) properties.push({ name: 'vigil:package:optional', value: 'true' });
    if (p.relationship) properties.push({ name: 'vigil:package:relationship', value: p.relationship });
    const c: Json = { 'bom-ref': ref, type: 'library', name: p.name, version: p.version, purl };
    const lic = licensesOf(p);
    if (lic) c.licenses = lic;
    if (p.maintainer) c.publisher = p.maintainer;
    c.properties = properties;
    components.push(c);
  }

  components.push(...contentCycloneDxComponents(report));
  const imageProps: Json[] = [];
  if (report.artifact.digest) imageProps.push({ name: 'vigil:image:digest', value: report.artifact.digest });
  if (report.artifact.configDigest) imageProps.push({ name: 'vigil:image:config-digest', value: report.artifact.configDigest });
  for (const t of report.artifact.repoTags ?? []) imageProps.push({ name: 'vigil:image:repo-tag', value: t });

  const bom: Json = {
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    serialNumber: opts.serialNumber,
    version: 1,
    metadata: {
      timestamp: opts.now.toISOString(),
      tools: { components: [{ type: 'application', name: 'vigil', version: opts.toolVersion }] },
      component: { 'bom-ref': 'image', type: 'container', name: report.artifact.name, ...(imageProps.length ? { properties: imageProps } : {}) },
      // Notices limit what the BOM says (an OS without vulnerability data, an unreadable package database).
      ...(report.notices?.length
        ? { properties: report.notices.map((n) => ({ name: `vigil:notice:${n.kind}`, value: n.path ? `${n.message} (${n.path})` : n.message })) }
        : {}),
    },
    components,
    dependencies: dependencyGraph(report.packages, refs, components),
  };

  if (report.vulnerabilities.length) {
    const byId = new Map<string, VulnerabilityFinding[]>();
    for (const v of report.vulnerabilities) {
      const list = byId.get(v.id);
      if (list) list.push(v);
      else byId.set(v.id, [v]);
    }
    const refOf = new Map<string, string>();
    for (const [p, ref] of refs) refOf.set(`${p.type}\u0000${p.name}\u0000${p.version}\u0000${p.filePath ?? ''}`, ref);
    bom.vulnerabilities = [...byId.entries()].map(([id, findings]) => {
      const first = findings[0]!;
      const affects = findings.map((f) => {
        const ref =
          refOf.get(`${f.type}\u0000${f.package}\u0000${f.installedVersion}\u0000${f.pkgPath ?? ''}`) ??
          [...refOf.entries()].find(([k]) => k.startsWith(`${f.type}\u0000${f.package}\u0000${f.installedVersion}\u0000`))?.[1];
        return { ref: ref ?? f.purl ?? f.package, versions: [{ version: f.installedVersion, status: 'affected' }] };
      });
      const v: Json = {
        'bom-ref': `vuln:${id}`,
        id,
        source: { name: first.dataSource ?? Object.keys(first.vendorSeverity)[0] ?? 'vigil' },
        ratings: ratingsOf(first),
        affects,
      };
      if (first.title) v.description = first.title;
      if (first.description) v.detail = first.description;
      const fixed = findings.filter((f) => f.fixedVersion).map((f) => `${f.package} ${f.fixedVersion}`);
      if (fixed.length) v.recommendation = `Upgrade ${[...new Set(fixed)].join(', ')}`;
      const urls = [...new Set(findings.flatMap((f) => f.references ?? []))].filter((u) => /^https?:\/\//.test(u));
      if (urls.length) v.advisories = urls.map((url) => ({ url }));
      if (first.aliases.length) v.references = first.aliases.map((a) => ({ id: a, source: { name: a.split('-')[0] } }));
      if (findings.every((f) => f.ignored)) v.analysis = { state: 'not_affected', detail: first.ignoreReason ?? 'ignored' };
      return v;
    });
  }
  return bom;
}
