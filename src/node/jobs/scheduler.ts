// Periodic work of the API process, driven by an injected clock so tests
// can move time: vulnerability ignores lapsing at their expiry
// (services/images.ts expireIgnores), each project's daily rescan (cron expression, croner, UTC)
// and, when the deployment's vulnerability DB changes (its content digest,
// vulndb-identity.ts), the rescan of the scanned images whose findings change
// under it (vulndb-rematch.ts). Firing
// is claimed with a compare-and-set on a settings row, so several API
// processes on one PostgreSQL fire each slot once.
import { Cron } from 'croner';
import type { Store } from '../store/store.js';
import type { ScanService, ScanTrigger } from './scan-service.js';
import { projectSchedules, scheduleKey } from '../services/projects.js';
import { claimSetting, settingValue } from '../services/settings.js';
import { rescanCandidates } from '../services/scans.js';
import { expireIgnores } from '../services/images.js';
import { imagesAffectedByDb, type ImageRef } from './vulndb-rematch.js';
import { deploymentDbValue, newerDb, parseDeploymentDb, VULNDB_SETTING, type VulnDbIdentity } from './vulndb-identity.js';

export interface SchedulerOptions {
  store: Store;
  scans: ScanService;
  clock: () => Date;
  /** The identity (content digest, build time) of the vulnerability DB this process serves, or undefined when there is none. */
  vulnDb?: () => Promise<VulnDbIdentity | undefined> | VulnDbIdentity | undefined;
  /** The vulnerability DB file: a change re-matches stored software lists against it. Without it, a change rescans every scanned image. */
  vulnDbPath?: string;
  onError?: (e: unknown) => void;
}

export class Scheduler {
  private timer?: NodeJS.Timeout;
  constructor(private readonly o: SchedulerOptions) {}

  private claim(key: string, from: string | undefined, to: string): Promise<boolean> {
    return claimSetting(this.o.store, key, from, to, this.o.clock());
  }

  private scannedImages(projectId?: string, onlyScanned = true): Promise<ImageRef[]> {
    return rescanCandidates(this.o.store.db, projectId, onlyScanned);
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

  /** One pass: lets expired vulnerability ignores lapse, fires due project schedules and a vulnerability-DB rescan. Returns scans enqueued. */
  async tick(): Promise<number> {
    const now = this.o.clock();
    await expireIgnores({ store: this.o.store, clock: this.o.clock });
    let n = 0;
    const projects = await projectSchedules(this.o.store);
    for (const p of projects) {
      if (!p.rescan_cron) continue;
      const key = scheduleKey(p.id);
      const last = await settingValue(this.o.store, key);
      if (last === undefined) {
        // A schedule never seen (set before the schedule base was recorded):
        // its first run is the first slot after now, never a past one.
        await this.claim(key, undefined, now.toISOString());
        continue;
      }
      let next: Date | null;
      try {
        next = new Cron(p.rescan_cron, { paused: true, timezone: 'UTC' }).nextRun(new Date(last));
      } catch {
        continue;
      }
      if (!next || next > now) continue;
      if (!(await this.claim(key, last, now.toISOString()))) continue;
      n += await this.enqueue(await this.scannedImages(p.id, false), 'schedule');
    }
    const served = await this.o.vulnDb?.();
    if (served) {
      const raw = await settingValue(this.o.store, VULNDB_SETTING);
      const deployment = parseDeploymentDb(raw);
      if (!deployment) {
        // The first DB seen (or a stamp of an older Vigil) is the baseline.
        await this.claim(VULNDB_SETTING, raw, deploymentDbValue(served));
      } else if (served.digest !== deployment.digest && newerDb(served, deployment)) {
        // A newer DB than the deployment's: the replica that moves the row rescans what it affects, once.
        if (await this.claim(VULNDB_SETTING, raw, deploymentDbValue(served))) n += await this.enqueue(await this.affectedByDb(), 'vulndb');
      }
      // Same digest: nothing changed. An older DB: this replica is behind (/healthz says so); no rescan.
    }
    return n;
  }

  start(intervalMs = 30_000): void {
    const run = () => {
      this.tick().catch((e) => this.o.onError?.(e));
    };
    this.timer = setInterval(run, intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
