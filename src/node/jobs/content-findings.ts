// What a server scan stores of the content scanners (malware, secret,
// baseline, files): one findings row per finding (kind, rule/check id, file,
// layer, the report entry as JSON with the secret already masked), counts per
// image, the project's choice of scanners, and a catalog alert for each
// malware finding the image's previous scan did not have.
import type { Alert } from '../../core/alerts/types.js';
import type { ScanReport, ScannerId } from '../../core/scan/types.js';
import type { Tx } from '../store/store.js';
import { newId } from '../store/ids.js';

export const ALL_SCANNERS: readonly ScannerId[] = ['vuln', 'malware', 'secret', 'baseline', 'files'];

/** A project's scanners ("" = all); vuln is left out when there is no vulnerability DB. */
export function projectScanners(setting: string | undefined, haveDb: boolean): ScannerId[] {
  const chosen = setting
    ? setting
        .split(',')
        .map((s) => s.trim())
        .filter((s): s is ScannerId => (ALL_SCANNERS as readonly string[]).includes(s))
    : [...ALL_SCANNERS];
  return chosen.filter((s) => s !== 'vuln' || haveDb);
}

/** Validates a scanners setting from the API: "" or a comma-separated subset. */
export function validScanners(v: string): boolean {
  return v === '' || v.split(',').every((s) => (ALL_SCANNERS as readonly string[]).includes(s.trim()));
}

export interface ContentRow {
  id: string;
  image_id: string;
  scan_id: string;
  kind: string;
  ref_id: string;
  package: string;
  installed_version: string;
  fixed_version: string;
  severity: string;
  title: string;
  data: string;
  path: string;
  layer_digest: string;
}

export function contentRows(report: ScanReport, imageId: string, scanId: string): ContentRow[] {
  const base = { image_id: imageId, scan_id: scanId, package: '', installed_version: '', fixed_version: '' };
  const rows: ContentRow[] = [];
  for (const m of report.malware)
    rows.push({
      ...base,
      id: newId(),
      kind: 'malware',
      ref_id: m.rule,
      severity: m.severity,
      title: m.family ?? m.rule,
      data: JSON.stringify(m),
      path: m.file,
      layer_digest: m.layer?.digest ?? '',
    });
  for (const s of report.secrets)
    rows.push({
      ...base,
      id: newId(),
      kind: 'secret',
      ref_id: s.ruleId,
      severity: s.severity,
      title: s.title,
      data: JSON.stringify(s),
      path: s.file,
      layer_digest: s.layer?.digest ?? '',
    });
  for (const b of report.baseline)
    rows.push({
      ...base,
      id: newId(),
      kind: 'baseline',
      ref_id: b.id,
      severity: b.severity,
      title: b.title,
      data: JSON.stringify(b),
      path: b.file ?? '',
      layer_digest: '',
    });
  for (const f of report.files)
    rows.push({
      ...base,
      id: newId(),
      kind: 'file',
      ref_id: f.noise ? `noise:${f.noise}` : f.setuid ? 'unowned-setuid' : f.executable ? 'unowned-executable' : 'unowned',
      severity: 'info',
      title: f.path,
      data: JSON.stringify(f),
      path: f.path,
      layer_digest: f.layer?.digest ?? '',
    });
  return rows;
}

export function contentCounts(report: ScanReport): { malware: number; secrets: number; baseline: number; unowned_files: number } {
  return {
    malware: report.malware.length,
    secrets: report.secrets.length,
    baseline: report.baseline.length,
    unowned_files: report.files.filter((f) => !f.noise).length,
  };
}

const malwareKey = (file: string, rule: string, sha256: string): string => `${file}\u0000${rule}\u0000${sha256}`;

/** Keys of the malware findings stored for an image (read before they are replaced). */
export async function storedMalwareKeys(trx: Tx, imageId: string): Promise<Set<string>> {
  const rows = await trx.selectFrom('findings').select(['data']).where('image_id', '=', imageId).where('kind', '=', 'malware').execute();
  const keys = new Set<string>();
  for (const r of rows) {
    try {
      const m = JSON.parse(r.data) as { file: string; rule: string; sha256: string };
      keys.add(malwareKey(m.file, m.rule, m.sha256));
    } catch {
      /* a damaged row only means the finding alerts again */
    }
  }
  return keys;
}

/** One alert of the finding's catalog type (malware/*) per malware finding not in `previous`. */
export function newMalwareAlerts(report: ScanReport, ref: string, previous: ReadonlySet<string>, time: string, host: string): Alert[] {
  const out: Alert[] = [];
  for (const m of report.malware) {
    if (previous.has(malwareKey(m.file, m.rule, m.sha256))) continue;
    out.push({
      id: newId(),
      type: m.alertType,
      severity: m.severity,
      time,
      rule: m.rule,
      host,
      message: `${m.family ?? m.rule} in image ${ref}: ${m.file}${m.layer ? ` (layer ${m.layer.index})` : ''}, sha256 ${m.sha256}`,
      image: { ref, file: m.file, sha256: m.sha256, ...(m.layer ? { layer: m.layer.digest } : {}) },
    });
  }
  return out;
}
