// What a server scan stores (the jobs layer's scan worker calls these): the
// report replaces the image's findings (vulnerabilities and one row per
// content finding: malware, secret, baseline, files, with the secret already
// masked), its software list (with what re-matching needs) and its counts in
// one transaction; the project's choice of scanners; and a catalog alert for
// each malware finding the image's previous scan did not have.
import type { Alert } from '../../core/alerts/types.js';
import type { ScanReport, ScannerId } from '../../core/scan/types.js';
import type { Insertable } from 'kysely';
import type { Store, Tx } from '../store/store.js';
import type { Database } from '../store/schema.js';
import { newId } from '../store/ids.js';
import { recountImage } from './images.js';

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

type ContentRow = Insertable<Database['findings']>;

/** What differs per kind of content finding; the rest of the row is the same for all. */
interface ContentFields {
  ref: string;
  severity: string;
  title: string;
  path: string;
  layer?: { digest: string };
}

function contentRows(report: ScanReport, imageId: string, scanId: string): ContentRow[] {
  const row = (kind: string, finding: object, f: ContentFields): ContentRow => ({
    id: newId(),
    image_id: imageId,
    scan_id: scanId,
    package: '',
    installed_version: '',
    fixed_version: '',
    kind,
    ref_id: f.ref,
    severity: f.severity,
    title: f.title,
    data: JSON.stringify(finding),
    path: f.path,
    layer_digest: f.layer?.digest ?? '',
  });
  const unowned = (f: ScanReport['files'][number]): string =>
    f.noise ? `noise:${f.noise}` : f.setuid ? 'unowned-setuid' : f.executable ? 'unowned-executable' : 'unowned';
  return [
    ...report.malware.map((m) => row('malware', m, { ref: m.rule, severity: m.severity, title: m.family ?? m.rule, path: m.file, layer: m.layer })),
    ...report.secrets.map((x) => row('secret', x, { ref: x.ruleId, severity: x.severity, title: x.title, path: x.file, layer: x.layer })),
    ...report.baseline.map((b) => row('baseline', b, { ref: b.id, severity: b.severity, title: b.title, path: b.file ?? '' })),
    ...report.files.map((f) => row('file', f, { ref: unowned(f), severity: 'info', title: f.path, path: f.path, layer: f.layer })),
  ];
}

function contentCounts(report: ScanReport): { malware: number; secrets: number; baseline: number; unowned_files: number } {
  return {
    malware: report.malware.length,
    secrets: report.secrets.length,
    baseline: report.baseline.length,
    unowned_files: report.files.filter((f) => !f.noise).length,
  };
}

const malwareKey = (file: string, rule: string, sha256: string): string => `${file}\u0000${rule}\u0000${sha256}`;

/** Keys of the malware findings stored for an image (read before they are replaced). */
async function storedMalwareKeys(trx: Tx, imageId: string): Promise<Set<string>> {
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
function newMalwareAlerts(report: ScanReport, ref: string, previous: ReadonlySet<string>, time: string, host: string): Alert[] {
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

/** The project's scanners setting ("" = all), for `projectScanners`. */
export async function projectScannerSetting(store: Store, projectId: string): Promise<string | undefined> {
  return (await store.db.selectFrom('projects').select('scanners').where('id', '=', projectId).executeTakeFirst())?.scanners;
}

/**
 * Stores a finished scan's report in one transaction: findings, software
 * list, counts, the image's OS and digest, the scan row succeeded (`note`
 * as its message). Returns the counts and the alerts of new malware findings.
 */
export async function saveScanReport(
  store: Store,
  r: { projectId: string; imageId: string; ref: string; scanId: string; report: ScanReport; note: string; now: string; host: string },
): Promise<{ counts: Record<string, number>; alerts: Alert[] }> {
  const { imageId, scanId, report, now } = r;
  return store.db.transaction().execute(async (trx) => {
    const alerts = newMalwareAlerts(report, r.ref, await storedMalwareKeys(trx, imageId), now, r.host);
    await trx.deleteFrom('findings').where('image_id', '=', imageId).execute();
    const vulns = report.vulnerabilities.map((v) => ({
      id: newId(),
      image_id: imageId,
      scan_id: scanId,
      kind: 'vuln',
      ref_id: v.id,
      package: v.package,
      installed_version: v.installedVersion,
      fixed_version: v.fixedVersion,
      severity: v.severity,
      title: v.title ?? '',
      data: JSON.stringify(v),
    }));
    await insertChunks(trx, 'findings', contentRows(report, imageId, scanId), 200);
    await insertChunks(trx, 'findings', vulns, 300);
    await trx.deleteFrom('packages').where('image_id', '=', imageId).execute();
    const pkgs = report.packages.map((p) => ({
      id: newId(),
      image_id: imageId,
      type: p.type,
      name: p.name,
      version: p.version,
      layer_digest: p.layer?.digest ?? '',
      source_name: p.sourceName ?? '',
      source_version: p.sourceVersion ?? '',
      file_path: p.filePath ?? '',
    }));
    await insertChunks(trx, 'packages', pkgs, 400);
    const counts: Record<string, number> = await recountImage(trx, r.projectId, imageId);
    const cc = contentCounts(report);
    Object.assign(counts, cc);
    await trx
      .updateTable('images')
      .set({
        ...cc,
        digest: report.artifact.digest ?? '',
        os_family: report.artifact.os?.family ?? '',
        os_version: report.artifact.os?.version ?? '',
        last_scan_id: scanId,
        last_scan_at: now,
        updated_at: now,
      })
      .where('id', '=', imageId)
      .execute();
    await trx.updateTable('scans').set({ status: 'succeeded', progress: 100, error: r.note, finished_at: now }).where('id', '=', scanId).execute();
    return { counts, alerts };
  });
}

/** Inserts rows in chunks (a statement's parameter count is bounded). */
async function insertChunks<T extends 'findings' | 'packages'>(trx: Tx, table: T, rows: readonly Insertable<Database[T]>[], size: number): Promise<void> {
  for (let i = 0; i < rows.length; i += size)
    await trx
      .insertInto(table)
      .values(rows.slice(i, i + size) as Insertable<Database[T]>[])
      .execute();
}

/** Scanned images (optionally of one project) with their OS, for re-matching against a new DB. */
export async function scannedImagesWithOs(
  store: Store,
  projectId?: string,
): Promise<Array<{ id: string; project_id: string; os_family: string; os_version: string }>> {
  let q = store.db.selectFrom('images').select(['id', 'project_id', 'os_family', 'os_version']).where('last_scan_id', 'is not', null);
  if (projectId) q = q.where('project_id', '=', projectId);
  return q.orderBy('id').execute();
}

/** An image's stored software list with what matching needs (source NULL: stored before migration 0002). */
export async function storedSoftware(store: Store, imageId: string) {
  return store.db
    .selectFrom('packages')
    .select(['type', 'name', 'version', 'source_name', 'source_version', 'file_path'])
    .where('image_id', '=', imageId)
    .execute();
}

/** The JSON of an image's stored vulnerability findings. */
export async function storedVulnFindings(store: Store, imageId: string): Promise<string[]> {
  return (await store.db.selectFrom('findings').select('data').where('image_id', '=', imageId).where('kind', '=', 'vuln').execute()).map((f) => f.data);
}
