// Test helpers for the jobs: a scan service on an in-process queue, and a
// project with images created through the same service functions the API
// uses (so the rows have the shape production writes).
import type { Store } from '../store/store.js';
import { SecretBox } from '../crypto/secret-box.js';
import { createProject } from '../services/projects.js';
import { insertImage } from '../services/images.js';
import { InProcessQueue } from './in-process-queue.js';
import { ScanService } from './scan-service.js';

export async function testScanService(
  store: Store,
  clock: () => Date,
  opts: { queue?: InProcessQueue; vulnDbPath?: string } = {},
): Promise<{ scans: ScanService; queue: InProcessQueue }> {
  const queue = opts.queue ?? new InProcessQueue(async () => {});
  const vulnDbPath = opts.vulnDbPath;
  const scans = new ScanService({
    store,
    queue,
    secrets: new SecretBox(Buffer.alloc(32, 1)),
    clock,
    vulnDbPath,
    queueOptions: { retryLimit: 0, retryDelaySeconds: 1, expireInSeconds: 60 },
  });
  await scans.init();
  return { scans, queue };
}

/** A project with the given rescan schedule and one image per ref; `scanned` marks them as scanned once. */
export async function seedProject(
  store: Store,
  clock: () => Date,
  opts: { cron?: string; refs: readonly string[]; scanned?: boolean },
): Promise<{ projectId: string; imageIds: string[] }> {
  return store.db.transaction().execute(async (trx) => {
    const deps = { clock, config: { rescanCron: '' } };
    const projectId = await createProject(deps, trx, 'p', '', opts.cron ?? '');
    const imageIds: string[] = [];
    for (const ref of opts.refs) {
      const id = await insertImage(deps, trx, projectId, ref);
      if (opts.scanned) await trx.updateTable('images').set({ last_scan_id: 'scanned' }).where('id', '=', id).execute();
      imageIds.push(id);
    }
    return { projectId, imageIds };
  });
}
