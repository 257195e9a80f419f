// Periodic work of the API process, driven by an injected clock so tests
// can move time: each project's daily rescan (cron expression, croner, UTC)
// and, when the vulnerability DB changes, the rescan of the scanned images
// whose findings change under it (vulndb-rematch.ts). Firing
// is claimed with a compare-and-set on a settings row, so several API
// processes on one PostgreSQL fire each slot once.
import { Cron } from 'croner';
import type { Store } from '../store/store.js';
import type { ScanService, ScanTrigger } from './scan-service.js';
import { imagesAffectedByDb, type ImageRef } from './vulndb-rematch.js';

export interface SchedulerOptions {
  store: Store;
  scans: ScanService;
  clock: () => Date;
  /** A value that changes when the vulnerability DB changes (e.g. mtime+size), or undefined when there is none. */
  vulnDbStamp?: () => string | undefined;
  /** The vulnerability DB file: a change re-matches stored software lists against it. Without it, a change rescans every scanned image. */
  vulnDbPath?: string;
  onError?: (e: unknown) => void;
}

export class Scheduler {
  private timer?: NodeJS.Timeout;
  constructor(private readonly o: SchedulerOptions) {}

  /** Claims a settings key: true when this process moved it from `from` to `to`. */
  private async claim(key: string, from: string | undefined, to: string): Promise<boolean> {
    const db = this.o.store.db;
    if (from === undefined) {
      const r = await db.insertInto('settings').values({ key, value: to, updated_at: to }).onConflict((oc) => oc.column('key').doNothing()).executeTakeFirst();
      return Number(r.numInsertedOrUpdatedRows ?? 0n) === 1;
    }
    const r = await db.updateTable('settings').set({ value: to, updated_at: this.o.clock().toISOString() }).where('key', '=', key).where('value', '=', from).executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  private async setting(key: string): Promise<string | undefined> {
    return (await this.o.store.db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst())?.value;
  }

  private async scannedImages(projectId?: string, onlyScanned = true): Promise<ImageRef[]> {
    let q = this.o.store.db.selectFrom('images').select(['id', 'project_id']);
    if (projectId) q = q.where('project_id', '=', projectId);
    if (onlyScanned) q = q.where('last_scan_id', 'is not', null);
    return q.execute();
  }

  private async enqueue(images: readonly ImageRef[], trigger: ScanTrigger): Promise<number> {
    for (const im of images) await this.o.scans.enqueue(im.project_id, im.id, trigger);
    return images.length;
  }

  /** The images a DB change affects; every scanned image when they cannot be worked out. */
  private async affectedByDb(): Promise<ImageRef[]> {
    if (!this.o.vulnDbPath) return this.scannedImages();
    try {
      return (await imagesAffectedByDb(this.o.store, this.o.vulnDbPath)).affected;
    } catch (e) {
      this.o.onError?.(e);
      return this.scannedImages();
    }
  }

  /** One pass: fires due project schedules and a vulnerability-DB rescan. Returns scans enqueued. */
  async tick(): Promise<number> {
    const now = this.o.clock();
    let n = 0;
    const projects = await this.o.store.db.selectFrom('projects').select(['id', 'rescan_cron', 'created_at']).execute();
    for (const p of projects) {
      if (!p.rescan_cron) continue;
      const key = `rescan.last.${p.id}`;
      const last = await this.setting(key);
      let next: Date | null;
      try {
        next = new Cron(p.rescan_cron, { paused: true, timezone: 'UTC' }).nextRun(new Date(last ?? p.created_at));
      } catch {
        continue;
      }
      if (!next || next > now) continue;
      if (!(await this.claim(key, last, now.toISOString()))) continue;
      n += await this.enqueue(await this.scannedImages(p.id, false), 'schedule');
    }
    const stamp = this.o.vulnDbStamp?.();
    if (stamp !== undefined) {
      const key = 'vulndb.stamp';
      const last = await this.setting(key);
      if (last !== stamp && (await this.claim(key, last, stamp)) && last !== undefined) {
        // The first stamp seen is the baseline; a change rescans the images it affects.
        n += await this.enqueue(await this.affectedByDb(), 'vulndb');
      }
    }
    return n;
  }

  start(intervalMs = 30_000): void {
    const run = () => { this.tick().catch((e) => this.o.onError?.(e)); };
    this.timer = setInterval(run, intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
