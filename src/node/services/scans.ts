// Scan rows: a scan is queued in the caller's transaction and dispatched to
// the workers after commit; the jobs layer's worker moves it through
// running -> succeeded | failed (or back to queued for a retry) with the
// functions below; listing and rescans.
import { insertRow } from '../store/insert.js';
import type { Db, Store, Tx } from '../store/store.js';
import type { SecretBox } from '../crypto/secret-box.js';
import { mutate } from './mutate.js';
import { registryHost } from './registries.js';
import { mapPage, pageOf, type Page, type PageQuery } from './page.js';
import { inProject, toApi, type Caller, type ServiceDeps } from './common.js';

type Api = Record<string, unknown>;

/** `agent`: a node's agent scanned a node-local image (services/node-images.ts). */
export type ScanTrigger = 'manual' | 'sync' | 'schedule' | 'vulndb' | 'demo' | 'agent';

/** Inserts a queued scan in the caller's transaction; dispatch it after commit. */
export async function createScan(s: Pick<ServiceDeps, 'clock'>, trx: Tx, projectId: string, imageId: string, trigger: ScanTrigger): Promise<string> {
  return insertRow(trx, 'scans', {
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
  });
}

/** A queued scan in its own transaction (dispatch it after). */
export async function queueScan(s: Pick<ServiceDeps, 'clock' | 'store'>, projectId: string, imageId: string, trigger: ScanTrigger): Promise<string> {
  return s.store.db.transaction().execute((trx) => createScan(s, trx, projectId, imageId, trigger));
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
    const out: string[] = [];
    for (const im of await rescanCandidates(trx, b.projectId, b.onlyScanned !== false || !!affected)) {
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

/** Scans not finished (queued or running), oldest first: re-dispatched after a restart of an in-process queue. */
export async function unfinishedScanIds(store: Store): Promise<string[]> {
  return (await store.db.selectFrom('scans').select('id').where('status', 'in', ['queued', 'running']).orderBy('id').execute()).map((r) => r.id);
}

export interface ScanToRun {
  projectId: string;
  attempts: number;
  /** nodeId: a node-local image (its software list came from the node's agent; re-matched, never opened). */
  image: { id: string; ref: string; nodeId: string | null };
  /** The image's registry credentials, decrypted for the worker only. */
  creds: { username?: string; password?: string; insecure?: boolean };
}

/**
 * Marks a scan running on `worker` and returns what the worker needs;
 * undefined when there is nothing to run (finished already, or its image was
 * removed: then the scan is failed with that reason).
 */
export async function beginScan(store: Store, secrets: SecretBox, scanId: string, worker: string, now: Date): Promise<ScanToRun | undefined> {
  const db = store.db;
  const scan = await db.selectFrom('scans').selectAll().where('id', '=', scanId).executeTakeFirst();
  if (!scan || scan.status === 'succeeded' || scan.status === 'failed') return undefined;
  const image = await db.selectFrom('images').selectAll().where('id', '=', scan.image_id).executeTakeFirst();
  if (!image) {
    await db.updateTable('scans').set({ status: 'failed', error: 'image was removed', finished_at: now.toISOString() }).where('id', '=', scanId).execute();
    return undefined;
  }
  const attempts = scan.attempts + 1;
  await db.updateTable('scans').set({ status: 'running', attempts, worker, started_at: now.toISOString(), error: '' }).where('id', '=', scanId).execute();
  let creds: ScanToRun['creds'] = {};
  if (image.registry_id) {
    const reg = await db.selectFrom('registries').selectAll().where('id', '=', image.registry_id).executeTakeFirst();
    // A registry's credentials go only to its own host: not to an image whose reference names another.
    if (reg && image.ref.startsWith(`registry:${registryHost(reg.url)}/`))
      creds = { username: reg.username || undefined, password: secrets.open(reg.password_enc) || undefined, insecure: reg.insecure === 1 };
  }
  return { projectId: scan.project_id, attempts, image: { id: image.id, ref: image.ref, nodeId: image.node_id }, creds };
}

/** Records a running scan's progress (percent); a scan no longer running is left alone. */
export async function setScanProgress(store: Store, scanId: string, percent: number): Promise<void> {
  await store.db.updateTable('scans').set({ progress: percent }).where('id', '=', scanId).where('status', '=', 'running').execute();
}

/** A failed attempt: the scan is failed for good (`final`) or queued again for a retry. */
export async function endFailedScan(store: Store, scanId: string, error: string, final: boolean, now: Date): Promise<void> {
  await store.db
    .updateTable('scans')
    .set({ status: final ? 'failed' : 'queued', error, finished_at: final ? now.toISOString() : null })
    .where('id', '=', scanId)
    .execute();
}

export interface ImageRef {
  id: string;
  project_id: string;
}

/** The images to rescan, of one project or all: only scanned ones unless `onlyScanned` is false. */
export async function rescanCandidates(db: Db | Tx, projectId?: string, onlyScanned = true): Promise<ImageRef[]> {
  let q = db.selectFrom('images').select(['id', 'project_id']);
  if (projectId) q = q.where('project_id', '=', projectId);
  if (onlyScanned) q = q.where('last_scan_id', 'is not', null);
  return q.execute();
}
