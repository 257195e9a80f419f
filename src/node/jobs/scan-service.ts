// Scan jobs: a scan is a row in the store (queued -> running -> succeeded |
// failed, with progress and error) and a job on the queue carrying its id.
// The worker opens the image through `runScan` (src/node/scan/run-scan.ts)
// with the store-backed layer cache, then replaces the image's findings and
// software list and its severity counts in one transaction.
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import type { ScanReport, ScannerId } from '../../core/scan/types.js';
import type { Store, Tx } from '../store/store.js';
import { newId } from '../store/ids.js';
import { StoreLayerCache } from '../store/layer-cache.js';
import { createScan, type ScanTrigger } from '../services/scans.js';
import { recountImage } from '../services/images.js';
import { registryHost } from '../services/registries.js';
import type { ServerImagePolicy } from '../image/server-policy.js';
import type { OpenImageOptions } from '../image/types.js';
import type { JobQueue, QueueOptions } from './queue.js';
import type { SecretBox } from '../crypto/secret-box.js';
import { defaultDbPath } from '../vulndb/scan-vulns.js';
import { ingestAlerts } from '../store/alert-groups.js';
import type { Alert } from '../../core/alerts/types.js';
import { contentCounts, contentRows, newMalwareAlerts, projectScanners, storedMalwareKeys } from './content-findings.js';

export const SCAN_QUEUE = 'vigil-scan';

export interface ScanFnOptions {
  layerCache?: { get(key: string): Promise<unknown>; set(key: string, scan: any): Promise<void> };
  username?: string;
  password?: string;
  insecure?: boolean;
  scanners?: ScannerId[];
  vuln?: { dbPath?: string };
  onProgress?: (p: { phase: string; layer?: number; layers?: number }) => void;
  /** From the server's image policy: the outbound guard, no remote text, no credentials of the server host. */
  outbound?: OpenImageOptions['outbound'];
  tokenRealms?: readonly string[];
  remoteDetail?: boolean;
  env?: NodeJS.ProcessEnv;
  dockerConfigPath?: string;
}

/** The scan entry point; `runScan` of src/node/scan/run-scan.ts in production. */
export type ScanFn = (ref: string, opts: ScanFnOptions) => Promise<ScanReport>;

export async function loadRunScan(): Promise<ScanFn> {
  // Loaded lazily: the image pipeline is only needed by processes that scan.
  const m = (await import('../scan/run-scan.js')) as unknown as { runScan: ScanFn };
  return m.runScan;
}

export type { ScanTrigger };

export interface ScanEvents {
  scanFinished?(e: {
    projectId: string;
    imageId: string;
    ref: string;
    scanId: string;
    status: 'succeeded' | 'failed';
    counts: Record<string, number>;
    error?: string;
  }): void;
  /** Alerts a scan raised (a new malware finding: its malware/* catalog type), after they were stored. */
  alertsRaised?(projectId: string, alerts: readonly Alert[]): void;
}

export interface ScanServiceOptions {
  store: Store;
  queue: JobQueue;
  secrets: SecretBox;
  queueOptions: QueueOptions;
  clock?: () => Date;
  /** Defaults to runScan, loaded on first use. */
  scanFn?: ScanFn;
  /** Which references the workers open and how (the server's); without one, any (tests of the queue). */
  imagePolicy?: ServerImagePolicy;
  /** Vulnerability DB path; when missing, scans record the inventory only and say so. */
  vulnDbPath?: string;
  events?: ScanEvents;
  workerName?: string;
}

export class ScanService {
  readonly layerCache: StoreLayerCache;
  private scanFn?: ScanFn;
  readonly clock: () => Date;
  readonly workerName: string;
  /** The vulnerability DB scans match against (`vulnDbPath`, else the default location). */
  readonly vulnDbPath: string;

  constructor(private readonly o: ScanServiceOptions) {
    this.vulnDbPath = o.vulnDbPath ?? defaultDbPath();
    this.clock = o.clock ?? (() => new Date());
    this.layerCache = new StoreLayerCache(o.store.db, this.clock);
    this.scanFn = o.scanFn;
    this.workerName = o.workerName ?? `${hostname()}:${process.pid}`;
  }

  async init(): Promise<void> {
    await this.o.queue.createQueue(SCAN_QUEUE, this.o.queueOptions);
  }

  /** Inserts a queued scan in the caller's transaction; `dispatch` it after commit. */
  async create(trx: Tx, projectId: string, imageId: string, trigger: ScanTrigger): Promise<string> {
    return createScan(this, trx, projectId, imageId, trigger);
  }

  async dispatch(scanIds: readonly string[]): Promise<void> {
    for (const id of scanIds) await this.o.queue.send(SCAN_QUEUE, { scanId: id });
  }

  /** Convenience: create + dispatch in its own transaction. */
  async enqueue(projectId: string, imageId: string, trigger: ScanTrigger): Promise<string> {
    const id = await this.o.store.db.transaction().execute((trx) => this.create(trx, projectId, imageId, trigger));
    await this.dispatch([id]);
    return id;
  }

  /** The in-process queue forgets jobs on restart: re-dispatch unfinished scans. */
  async recover(): Promise<number> {
    const rows = await this.o.store.db.selectFrom('scans').select('id').where('status', 'in', ['queued', 'running']).orderBy('id').execute();
    await this.dispatch(rows.map((r) => r.id));
    return rows.length;
  }

  async startWorkers(concurrency: number): Promise<void> {
    await this.o.queue.work<{ scanId: string }>(SCAN_QUEUE, (d) => this.process(d.scanId), concurrency);
  }

  /** Runs one scan job. Throws on failure so the queue retries it. */
  async process(scanId: string): Promise<void> {
    const db = this.o.store.db;
    const scan = await db.selectFrom('scans').selectAll().where('id', '=', scanId).executeTakeFirst();
    if (!scan || scan.status === 'succeeded' || scan.status === 'failed') return;
    const image = await db.selectFrom('images').selectAll().where('id', '=', scan.image_id).executeTakeFirst();
    if (!image) {
      await db
        .updateTable('scans')
        .set({ status: 'failed', error: 'image was removed', finished_at: this.clock().toISOString() })
        .where('id', '=', scanId)
        .execute();
      return;
    }
    const attempts = scan.attempts + 1;
    await db
      .updateTable('scans')
      .set({ status: 'running', attempts, worker: this.workerName, started_at: this.clock().toISOString(), error: '' })
      .where('id', '=', scanId)
      .execute();
    let creds: { username?: string; password?: string; insecure?: boolean } = {};
    if (image.registry_id) {
      const reg = await db.selectFrom('registries').selectAll().where('id', '=', image.registry_id).executeTakeFirst();
      // A registry's credentials go only to its own host: not to an image whose reference names another.
      if (reg && image.ref.startsWith(`registry:${registryHost(reg.url)}/`))
        creds = { username: reg.username || undefined, password: this.o.secrets.open(reg.password_enc) || undefined, insecure: reg.insecure === 1 };
    }
    let lastProgress = 0;
    const onProgress = (p: { phase: string; layer?: number; layers?: number }) => {
      const pct = p.phase === 'done' ? 100 : p.phase === 'scanners' ? 90 : p.layers ? Math.floor(((p.layer ?? 0) / p.layers) * 85) : 5;
      const now = Date.now();
      if (now - lastProgress < 500 && pct < 100) return;
      lastProgress = now;
      void db
        .updateTable('scans')
        .set({ progress: pct })
        .where('id', '=', scanId)
        .where('status', '=', 'running')
        .execute()
        .catch(() => {});
    };
    let report: ScanReport;
    let note = '';
    try {
      this.scanFn ??= await loadRunScan();
      const dbPath = this.vulnDbPath;
      const haveDb = existsSync(dbPath);
      if (!haveDb) note = `vulnerability DB not found at ${dbPath}: no vulnerability matching`;
      const project = await db.selectFrom('projects').select('scanners').where('id', '=', scan.project_id).executeTakeFirst();
      // Checked again when opened: the allowed directories may have changed, a symlink may have moved.
      await this.o.imagePolicy?.check(image.ref);
      report = await this.scanFn(image.ref, {
        ...this.o.imagePolicy?.openOptions(),
        ...creds,
        layerCache: this.layerCache,
        scanners: projectScanners(project?.scanners, haveDb),
        vuln: { dbPath },
        onProgress,
      });
    } catch (e) {
      const msg = (e as Error).message?.replace(/\s+/g, ' ').slice(0, 1000) ?? String(e);
      const final = attempts > this.o.queueOptions.retryLimit;
      await db
        .updateTable('scans')
        .set({ status: final ? 'failed' : 'queued', error: msg, finished_at: final ? this.clock().toISOString() : null })
        .where('id', '=', scanId)
        .execute();
      if (final) {
        this.o.events?.scanFinished?.({ projectId: scan.project_id, imageId: image.id, ref: image.ref, scanId, status: 'failed', counts: {}, error: msg });
        return;
      }
      throw e;
    }
    const { counts, alerts } = await this.saveReport(scan.project_id, image.id, image.ref, scanId, report, note);
    if (alerts.length) {
      await ingestAlerts(this.o.store, scan.project_id, alerts);
      this.o.events?.alertsRaised?.(scan.project_id, alerts);
    }
    this.o.events?.scanFinished?.({ projectId: scan.project_id, imageId: image.id, ref: image.ref, scanId, status: 'succeeded', counts });
  }

  private async saveReport(
    projectId: string,
    imageId: string,
    ref: string,
    scanId: string,
    report: ScanReport,
    note: string,
  ): Promise<{ counts: Record<string, number>; alerts: Alert[] }> {
    const now = this.clock().toISOString();
    return this.o.store.db.transaction().execute(async (trx) => {
      const alerts = newMalwareAlerts(report, ref, await storedMalwareKeys(trx, imageId), now, this.workerName);
      await trx.deleteFrom('findings').where('image_id', '=', imageId).execute();
      const content = contentRows(report, imageId, scanId);
      for (let i = 0; i < content.length; i += 200)
        await trx
          .insertInto('findings')
          .values(content.slice(i, i + 200))
          .execute();
      await trx.deleteFrom('packages').where('image_id', '=', imageId).execute();
      const findings = report.vulnerabilities.map((v) => ({
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
      for (let i = 0; i < findings.length; i += 300)
        await trx
          .insertInto('findings')
          .values(findings.slice(i, i + 300))
          .execute();
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
      for (let i = 0; i < pkgs.length; i += 400)
        await trx
          .insertInto('packages')
          .values(pkgs.slice(i, i + 400))
          .execute();
      const counts: Record<string, number> = await recountImage(trx, projectId, imageId);
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
      await trx.updateTable('scans').set({ status: 'succeeded', progress: 100, error: note, finished_at: now }).where('id', '=', scanId).execute();
      return { counts, alerts };
    });
  }
}
