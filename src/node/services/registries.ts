// Registries of a project: URL and credentials (password encrypted at rest).
// Adding one grants the service access to it (seed event registerCgsAgency);
// a sync lists its images (network work first, by the caller's lister),
// upserts them and scans new digests (syncSwrPrivateImage).
import { InputError } from '../../core/errors.js';
import { insertRow } from '../store/insert.js';
import type { Tx } from '../store/store.js';
import { HttpError, badRequest } from './errors.js';
import { parseHost } from '../image/registry/reference.js';
import { mutate } from './mutate.js';
import { mapPage, pageOf, type Page, type PageQuery } from './page.js';
import { insertImage } from './images.js';
import { createScan } from './scans.js';
import { deleteFromProject, inProject, requireProject, requireTouched, toApi, type Caller, type ServiceDeps } from './common.js';

type Api = Record<string, unknown>;

export interface RegistryBody {
  name?: string;
  url?: string;
  username?: string;
  password?: string;
  insecure?: boolean;
}

/** Where and how to reach a registry. */
export interface RegistryAccess {
  /** `host[:port]` (scheme removed). */
  host: string;
  username?: string;
  password?: string;
  insecure?: boolean;
}

export interface ListedImage {
  repository: string;
  tag: string;
  digest: string;
}

export interface SyncResult {
  repositories: number;
  images: number;
  newImages: number;
  scanIds: string[];
}

export function registryHost(url: string): string {
  return url
    .trim()
    .replace(/^[a-z]+:\/\//i, '')
    .replace(/\/.*$/, '')
    .toLowerCase();
}

const withHasPassword = (r: Record<string, any>): Api => ({ ...toApi(r), hasPassword: r.password_enc !== '' });

export async function listRegistries(s: ServiceDeps, projectId: string, q: PageQuery): Promise<Page<Api>> {
  return mapPage(
    await pageOf(s.store.db.selectFrom('registries').selectAll().where('project_id', '=', projectId), q, { name: 'name' }, 'registries'),
    withHasPassword,
  );
}

/** The scheme (when given) and host of a registry URL: credentials stay with it. */
function registryOrigin(url: string): string {
  const scheme = /^([a-z]+):\/\//i.exec(url.trim())?.[1]?.toLowerCase() ?? '';
  return `${scheme}|${registryHost(url)}`;
}

/** A registry URL names a host Vigil can parse (`[http(s)://]HOST[:PORT]`); 400 otherwise. */
function checkRegistryUrl(url: string): void {
  const host = registryHost(url);
  try {
    parseHost(host);
  } catch (e) {
    throw badRequest('BAD_REGISTRY_URL', `registry url: ${(e as Error).message}`);
  }
}

export async function addRegistry(s: ServiceDeps, by: Caller, projectId: string, b: RegistryBody & { name: string; url: string }): Promise<{ id: string }> {
  const id = await mutate(s, by, { resourceType: 'registry', resourceId: (r: string) => r, projectId, summary: b }, async (trx) => {
    await requireProject(trx, projectId);
    checkRegistryUrl(b.url);
    return insertRow(trx, 'registries', {
      project_id: projectId,
      name: b.name,
      url: b.url,
      username: b.username ?? '',
      password_enc: s.secrets.seal(b.password ?? ''),
      insecure: b.insecure ? 1 : 0,
      created_at: s.clock().toISOString(),
      last_sync_at: null,
    });
  });
  return { id };
}

export async function getRegistry(s: ServiceDeps, projectId: string, registryId: string): Promise<Api> {
  return withHasPassword(await inProject(s.store.db, 'registries', registryId, projectId, 'registry'));
}

/**
 * Changes a registry. A new host (or scheme) clears the stored username and
 * password unless the same request gives them again: stored credentials are
 * only ever sent where they were entered for (a user who may edit the
 * registry but does not know its password cannot point it at their own host).
 */
export async function updateRegistry(s: ServiceDeps, by: Caller, projectId: string, registryId: string, b: RegistryBody): Promise<void> {
  await mutate(s, by, { resourceType: 'registry', resourceId: registryId, projectId, summary: b }, async (trx) => {
    const set: Record<string, unknown> = {};
    if (b.name !== undefined) set.name = b.name;
    if (b.url !== undefined) {
      checkRegistryUrl(b.url);
      set.url = b.url;
      const old = await inProject(trx, 'registries', registryId, projectId, 'registry');
      if (registryOrigin(old.url) !== registryOrigin(b.url)) {
        if (b.password === undefined) set.password_enc = s.secrets.seal('');
        if (b.username === undefined) set.username = '';
      }
    }
    if (b.username !== undefined) set.username = b.username;
    if (b.password !== undefined) set.password_enc = s.secrets.seal(b.password);
    if (b.insecure !== undefined) set.insecure = b.insecure ? 1 : 0;
    requireTouched(
      await trx.updateTable('registries').set(set).where('id', '=', registryId).where('project_id', '=', projectId).executeTakeFirst(),
      'registry',
    );
  });
}

export async function deleteRegistry(s: ServiceDeps, by: Caller, projectId: string, registryId: string): Promise<void> {
  await deleteFromProject(s, by, 'registries', 'registry', projectId, registryId);
}

/**
 * Syncs a registry: `list` reaches it (before any transaction); then the
 * upserts, the scans of new digests and the audit record commit together and
 * the scans are dispatched. An unreachable registry is a 502 (audited as a failure).
 */
export async function syncRegistry(
  s: ServiceDeps,
  by: Caller,
  projectId: string,
  registryId: string,
  list: (r: RegistryAccess) => Promise<ListedImage[]>,
): Promise<SyncResult> {
  const reg = await inProject(s.store.db, 'registries', registryId, projectId, 'registry');
  const host = registryHost(reg.url);
  const entry = { resourceType: 'registry', resourceId: registryId, projectId, summary: { host } };
  let listed: ListedImage[];
  try {
    listed = await list({
      host,
      username: reg.username || undefined,
      password: s.secrets.open(reg.password_enc) || undefined,
      insecure: reg.insecure === 1 || reg.url.startsWith('http://'),
    });
  } catch (e) {
    const msg = e instanceof InputError ? e.message : `registry ${host} unreachable: ${(e as Error).message}`;
    await mutate(s, by, entry, async () => {
      throw new HttpError(502, 'REGISTRY_SYNC', msg);
    }).catch(() => {});
    throw new HttpError(502, 'REGISTRY_SYNC', msg);
  }
  const r = await mutate(s, by, entry, (trx) => upsertListedImages(s, trx, projectId, registryId, host, listed));
  await s.scans.dispatch(r.scanIds);
  return r;
}

/** Upserts listed images; new ones and ones whose digest changed (or never scanned) get a scan (not yet dispatched). */
export async function upsertListedImages(
  s: Pick<ServiceDeps, 'clock'>,
  trx: Tx,
  projectId: string,
  registryId: string,
  host: string,
  listed: readonly ListedImage[],
): Promise<SyncResult> {
  const now = s.clock().toISOString();
  const scanIds: string[] = [];
  let newImages = 0;
  for (const li of listed) {
    const ref = `registry:${host}/${li.repository}:${li.tag}`;
    const existing = await trx
      .selectFrom('images')
      .select(['id', 'digest', 'last_scan_id'])
      .where('project_id', '=', projectId)
      .where('ref', '=', ref)
      .executeTakeFirst();
    let imageId: string;
    if (!existing) {
      imageId = await insertImage(s, trx, projectId, ref, registryId, li.digest);
      newImages++;
    } else {
      imageId = existing.id;
      // Same digest and already scanned: nothing new to look at.
      if (existing.digest === li.digest && existing.last_scan_id) continue;
      await trx.updateTable('images').set({ digest: li.digest, registry_id: registryId, updated_at: now }).where('id', '=', imageId).execute();
    }
    scanIds.push(await createScan(s, trx, projectId, imageId, 'sync'));
  }
  await trx.updateTable('registries').set({ last_sync_at: now }).where('id', '=', registryId).execute();
  return { repositories: new Set(listed.map((l) => l.repository)).size, images: listed.length, newImages, scanIds };
}
