// Projects: the tenancy unit. Listing shows only the projects the caller can read.
import { Cron } from 'croner';
import { newId } from '../store/ids.js';
import type { Store, Tx } from '../store/store.js';
import { badRequest, conflict, notFound } from './errors.js';
import { mutate } from './mutate.js';
import { mapPage, pageOf, type Page, type PageQuery } from './page.js';
import { requireTouched, toApi, type Caller, type ServiceDeps } from './common.js';

type Api = Record<string, unknown>;

export function validCron(expr: string): boolean {
  try {
    new Cron(expr, { paused: true, timezone: 'UTC' });
    return true;
  } catch {
    return false;
  }
}

/** The settings key holding a project's last rescan slot (or when its schedule was set). */
export function scheduleKey(projectId: string): string {
  return `rescan.last.${projectId}`;
}

/**
 * Records that a project's schedule was set now (project created, cron
 * changed): its first run is the first slot after this, not a past slot.
 */
export async function markScheduleSet(trx: Tx, projectId: string, at: Date): Promise<void> {
  const now = at.toISOString();
  await trx
    .insertInto('settings')
    .values({ key: scheduleKey(projectId), value: now, updated_at: now })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value: now, updated_at: now }))
    .execute();
}

function checkCron(cron: string | undefined): void {
  if (cron && !validCron(cron)) throw badRequest('BAD_CRON', `not a cron expression: ${cron}`);
}

export async function createProject(s: Pick<ServiceDeps, 'clock' | 'config'>, trx: Tx, name: string, description = '', cron?: string): Promise<string> {
  if (await trx.selectFrom('projects').select('id').where('name', '=', name).executeTakeFirst()) throw conflict(`project ${name} exists`);
  const id = newId();
  await trx
    .insertInto('projects')
    .values({ id, name, description, rescan_cron: cron ?? s.config.rescanCron, created_at: s.clock().toISOString() })
    .execute();
  await markScheduleSet(trx, id, s.clock());
  return id;
}

/** The project of this name, if any. */
export async function projectByName(trx: Tx, name: string): Promise<{ id: string } | undefined> {
  return trx.selectFrom('projects').select('id').where('name', '=', name).executeTakeFirst();
}

export async function listProjects(s: ServiceDeps, allowed: 'all' | string[], q: PageQuery & { name?: string }): Promise<Page<Api>> {
  let qb = s.store.db.selectFrom('projects').selectAll();
  if (allowed !== 'all') qb = qb.where('id', 'in', allowed.length ? allowed : ['']);
  if (q.name) qb = qb.where('name', '=', q.name);
  return mapPage(await pageOf(qb, q, { name: 'name', createdAt: 'created_at' }, 'projects'), toApi);
}

export async function addProject(s: ServiceDeps, by: Caller, b: { name: string; description?: string; rescanCron?: string }): Promise<{ id: string }> {
  checkCron(b.rescanCron);
  const id = await mutate(s, by, { resourceType: 'project', resourceId: (r: string) => r, summary: b }, (trx) =>
    createProject(s, trx, b.name, b.description, b.rescanCron),
  );
  return { id };
}

export async function getProject(s: ServiceDeps, projectId: string): Promise<Api> {
  const p = await s.store.db.selectFrom('projects').selectAll().where('id', '=', projectId).executeTakeFirst();
  if (!p) throw notFound('project');
  return toApi(p);
}

export async function updateProject(
  s: ServiceDeps,
  by: Caller,
  projectId: string,
  b: { description?: string; rescanCron?: string; scanners?: string },
): Promise<void> {
  checkCron(b.rescanCron);
  await mutate(s, by, { resourceType: 'project', resourceId: projectId, projectId, summary: b }, async (trx) => {
    const set: Record<string, string> = {};
    if (b.description !== undefined) set.description = b.description;
    if (b.rescanCron !== undefined) set.rescan_cron = b.rescanCron;
    if (b.scanners !== undefined) set.scanners = b.scanners;
    requireTouched(await trx.updateTable('projects').set(set).where('id', '=', projectId).executeTakeFirst(), 'project');
    if (b.rescanCron !== undefined) await markScheduleSet(trx, projectId, s.clock());
  });
}

export async function deleteProject(s: ServiceDeps, by: Caller, projectId: string): Promise<void> {
  await mutate(s, by, { resourceType: 'project', resourceId: projectId, projectId }, async (trx) => {
    requireTouched(await trx.deleteFrom('projects').where('id', '=', projectId).executeTakeFirst(), 'project');
  });
  // its role bindings went with it
  s.authCache.clear();
}

/** Every project's rescan schedule ("" = none). */
export async function projectSchedules(store: Store): Promise<Array<{ id: string; rescan_cron: string }>> {
  return store.db.selectFrom('projects').select(['id', 'rescan_cron']).execute();
}
