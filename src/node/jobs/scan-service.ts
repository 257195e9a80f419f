// Scan jobs: a scan is a row in the store (queued -> running -> succeeded |
// failed, with progress and error) and a job on the queue carrying its id.
// The worker opens the image through `runScan` (src/node/scan/run-scan.ts)
// with the store-backed layer cache; the scan row's states and the stored
// report are the services' (src/node/services/scans.ts, scan-results.ts).
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import type { ScanReport, ScannerId } from '../../core/scan/types.js';
import type { Store, Tx } from '../store/store.js';
import { StoreLayerCache } from '../store/layer-cache.js';
import { beginScan, createScan, endFailedScan, queueScan, setScanProgress, unfinishedScanIds, type ScanTrigger } from '../services/scans.js';
import { projectScannerSetting, projectScanners, saveScanReport } from '../services/scan-results.js';
import { rematchNodeImage } from '../services/node-images.js';
import type { ServerImagePolicy } from '../image/server-policy.js';
import type { OpenImageOptions } from '../image/types.js';
import type { JobQueue, QueueOptions } from './queue.js';
import type { SecretBox } from '../crypto/secret-box.js';
import { defaultDbPath } from '../vulndb/scan-vulns.js';
import { ingestAlerts } from '../store/alert-groups.js';
import type { Alert } from '../../core/alerts/types.js';
import type { ScanResultEvent } from '../notify/dispatcher.js';

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
  scanFinished?(e: ScanResultEvent): void;
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
    const id = await queueScan({ clock: this.clock, store: this.o.store }, projectId, imageId, trigger);
    await this.dispatch([id]);
    return id;
  }

  /** The in-process queue forgets jobs on restart: re-dispatch unfinished scans. */
  async recover(): Promise<number> {
    const ids = await unfinishedScanIds(this.o.store);
    await this.dispatch(ids);
    return ids.length;
  }

  async startWorkers(concurrency: number): Promise<void> {
    await this.o.queue.work<{ scanId: string }>(SCAN_QUEUE, (d) => this.process(d.scanId), concurrency);
  }

  /** Runs one scan job. Throws on failure so the queue retries it. */
  async process(scanId: string): Promise<void> {
    const store = this.o.store;
    const run = await beginScan(store, this.o.secrets, scanId, this.workerName, this.clock());
    if (!run) return;
    const { projectId, image } = run;
    let lastProgress = 0;
    const onProgress = (p: { phase: string; layer?: number; layers?: number }) => {
      const pct = p.phase === 'done' ? 100 : p.phase === 'scanners' ? 90 : p.layers ? Math.floor(((p.layer ?? 0) / p.layers) * 85) : 5;
      const now = Date.now();
      if (now - lastProgress < 500 && pct < 100) return;
      lastProgress = now;
      void setScanProgress(store, scanId, pct).catch(() => {});
    };
    let report: ScanReport;
    let note = '';
    try {
      this.scanFn ??= await loadRunScan();
      const dbPath = this.vulnDbPath;
      const haveDb = existsSync(dbPath);
      if (!haveDb) note = `vulnerability DB not found at ${dbPath}: no vulnerability matching`;
      if (image.nodeId) {
        // A node-local image: only its node's agent can open it; its software list is matched again here.
        ({ report, note } = await rematchNodeImage({ store }, image, dbPath));
      } else {
        // Checked again when opened: the allowed directories may have changed, a symlink may have moved.
        await this.o.imagePolicy?.check(image.ref);
        report = await this.scanFn(image.ref, {
          ...this.o.imagePolicy?.openOptions(),
          ...run.creds,
          layerCache: this.layerCache,
          scanners: projectScanners(await projectScannerSetting(store, projectId), haveDb),
          vuln: { dbPath },
          onProgress,
        });
      }
    } catch (e) {
      const msg = (e as Error).message?.replace(/\s+/g, ' ').slice(0, 1000) ?? String(e);
      const final = run.attempts > this.o.queueOptions.retryLimit;
      await endFailedScan(store, scanId, msg, final, this.clock());
      if (final) {
        this.o.events?.scanFinished?.({ projectId, imageId: image.id, ref: image.ref, scanId, status: 'failed', counts: {}, error: msg });
        return;
      }
      throw e;
    }
    const { counts, alerts } = await saveScanReport(store, {
      projectId,
      imageId: image.id,
      ref: image.ref,
      scanId,
      report,
      note,
      now: this.clock().toISOString(),
      host: this.workerName,
    });
    if (alerts.length) {
      await ingestAlerts(store, projectId, alerts);
      this.o.events?.alertsRaised?.(projectId, alerts);
    }
    this.o.events?.scanFinished?.({ projectId, imageId: image.id, ref: image.ref, scanId, status: 'succeeded', counts });
  }
}
