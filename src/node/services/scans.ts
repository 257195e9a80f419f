// Scan rows: a scan is queued in the caller's transaction and dispatched to
// the workers after commit (the jobs layer runs it); listing and rescans.
import { newId } from '../store/ids.js';
import type { Tx } from '../store/store.js';
import { mutate } from './mutate.js';
import { mapPage, pageOf, type Page, type PageQuery } from './page.js';
import { inProject, toApi, type Caller, type ServiceDeps } from './common.js';

type Api = Record<string, unknown>;

export type ScanTrigger = 'manual' | 'sync' | 'schedule' | 'vulndb' | 'demo';

/** Inserts a queued scan in the caller's transaction; dispatch it after commit. */
export async function createScan(s: Pick<ServiceDeps, 'clock'>, trx: Tx, projectId: string, imageId: string, trigger: ScanTrigger): Promise<string> {
  const id = newId();
  await trx
    .insertInto('scans')
    .values({
      id,
      project_id: projectId,
      image_id: imageId,
      status: 'queued',
      progress: 0,
      error: '',
      attempts: 0,
      trigger,
      worker: '',
      created_at: s.clock().toISOString(),
      started_at: null,
      finished_at: null,
    })
    .execute();
  return id;
}

export async function listScans(s: ServiceDeps, projectId: string, q: PageQuery & { imageId?: string; status?: string }): Promise<Page<Api>> {
  let qb = s.store.db.selectFrom('scans').selectAll().where('project_id', '=', projectId);
  if (q.imageId) qb = qb.where('image_id', '=', q.imageId);
  if (q.status) qb = qb.where('status', '=', q.status);
  return mapPage(await pageOf(qb, q, { createdAt: 'created_at', status: 'status' }, 'scans'), toApi);
}

export async function getScan(s: ServiceDeps, projectId: string, scanId: string): Promise<Api> {
  return toApi(await inProject(s.store.db, 'scans', scanId, projectId, 'scan'));
}

/**
 * Queues rescans of the images of one project or all: only scanned ones
 * (unless onlyScanned is false), and when `affected` is given only those.
 */
export async function queueRescans(
  s: ServiceDeps,
  by: Caller,
  b: { projectId?: string; onlyScanned?: boolean; onlyAffected?: boolean },
  affected?: ReadonlySet<string>,
): Promise<string[]> {
  const ids = await mutate(s, by, { resourceType: 'project', resourceId: b.projectId ?? '*', projectId: b.projectId, summary: b }, async (trx) => {
    let q = trx.selectFrom('images').select(['id', 'project_id']);
    if (b.projectId) q = q.where('project_id', '=', b.projectId);
    if (b.onlyScanned !== false || affected) q = q.where('last_scan_id', 'is not', null);
    const out: string[] = [];
    for (const im of await q.execute()) {
      if (affected && !affected.has(im.id)) continue;
      out.push(await createScan(s, trx, im.project_id, im.id, 'vulndb'));
    }
    return out;
  });
  await s.scans.dispatch(ids);
  return ids;
}

/** Status and error of a scan (it must exist). */
export async function scanStatus(s: ServiceDeps, scanId: string): Promise<{ status: string; error: string }> {
  return s.store.db.selectFrom('scans').select(['status', 'error']).where('id', '=', scanId).executeTakeFirstOrThrow();
}
