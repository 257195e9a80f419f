// NVD CVE API 2.0 JSON (https://services.nvd.nist.gov/rest/json/cves/2.0) ->
// CVSS and severity enrichment per CVE. NVD has no package ranges Vigil
// matches on; it fills `cvss.nvd`, `vendorSeverity.nvd` and descriptions.
import { InputError } from '../errors.js';
import type { CveEnrichment, SeverityScore } from './advisory.js';
import { normaliseSeverity } from './severity.js';

type Json = Record<string, unknown>;
const isObj = (x: unknown): x is Json => typeof x === 'object' && x !== null && !Array.isArray(x);

export function isNvd(doc: unknown): boolean {
  return isObj(doc) && Array.isArray(doc.vulnerabilities) && (doc.format === 'NVD_CVE' || 'resultsPerPage' in doc || 'totalResults' in doc);
}

const METRICS: Array<[string, string]> = [
  ['cvssMetricV31', 'CVSS_V3'],
  ['cvssMetricV30', 'CVSS_V3'],
  ['cvssMetricV40', 'CVSS_V4'],
  ['cvssMetricV2', 'CVSS_V2'],
];

export function convertNvd(doc: unknown, where: string): CveEnrichment[] {
  if (!isNvd(doc)) throw new InputError('NVD_INVALID', 'not an NVD CVE API 2.0 document (needs "vulnerabilities")', where);
  const out: CveEnrichment[] = [];
  for (const v of (doc as Json).vulnerabilities as unknown[]) {
    if (!isObj(v) || !isObj(v.cve) || typeof v.cve.id !== 'string') throw new InputError('NVD_INVALID', 'vulnerability without cve.id', where);
    const cve = v.cve;
    if (cve.vulnStatus === 'Rejected') continue;
    const severity: SeverityScore[] = [];
    const scores: Record<string, number> = {};
    let vendorSeverity: string | undefined;
    const metrics = isObj(cve.metrics) ? cve.metrics : {};
    for (const [key, type] of METRICS) {
      const list = Array.isArray(metrics[key]) ? (metrics[key] as unknown[]) : [];
      // NVD's own ("Primary") score first.
      const m = (list.find((x) => isObj(x) && x.type === 'Primary') ?? list[0]) as Json | undefined;
      if (!m || !isObj(m.cvssData) || typeof m.cvssData.vectorString !== 'string') continue;
      if (severity.some((s) => s.type === type)) continue;
      severity.push({ type, score: m.cvssData.vectorString });
      if (typeof m.cvssData.baseScore === 'number') scores[type] = m.cvssData.baseScore as number;
      const word = (m.cvssData.baseSeverity ?? m.baseSeverity) as string | undefined;
      if (!vendorSeverity && normaliseSeverity(word) !== 'unknown') vendorSeverity = normaliseSeverity(word);
    }
    const desc = Array.isArray(cve.descriptions) ? (cve.descriptions as Json[]).find((d) => isObj(d) && d.lang === 'en') : undefined;
    out.push({
      id: cve.id as string,
      source: 'nvd',
      severity,
      scores,
      ...(vendorSeverity ? { vendorSeverity } : {}),
      ...(typeof desc?.value === 'string' ? { description: desc.value.slice(0, 2000) } : {}),
      ...(typeof cve.published === 'string' ? { published: cve.published } : {}),
      ...(typeof cve.lastModified === 'string' ? { modified: cve.lastModified } : {}),
    });
  }
  return out;
}
