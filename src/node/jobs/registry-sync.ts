// Registry sync (seed event syncSwrPrivateImage): list the repositories and
// tags of a registry through the v2 API, resolve each tag's manifest digest,
// upsert the images, and create scans for images whose digest is new. Network
// work happens before the transaction; the caller commits the upserts, the
// scans and the audit record together, then dispatches the scans.
import type { Tx } from '../store/store.js';
import { newId } from '../store/ids.js';
import type { ScanService } from './scan-service.js';

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

export interface SyncLimits {
  maxRepositories?: number;
  maxTagsPerRepository?: number;
}

export function registryHost(url: string): string {
  return url.trim().replace(/^[a-z]+:\/\//i, '').replace(/\/.*$/, '').toLowerCase();
}

export async function listRegistryImages(r: RegistryAccess, limits: SyncLimits = {}): Promise<ListedImage[]> {
  const { listRepositories, listTags, getManifestDigest } = await import('../image/registry/index.js');
  const opts = { username: r.username, password: r.password, insecure: r.insecure, env: {} as NodeJS.ProcessEnv, dockerConfigPath: '/dev/null' };
  const repos = (await listRepositories(r.host, { ...opts, maxEntries: limits.maxRepositories ?? 10_000 })).sort();
  const out: ListedImage[] = [];
  for (const repo of repos) {
    const tags = (await listTags(r.host, repo, { ...opts, maxEntries: limits.maxTagsPerRepository ?? 10_000 })).sort();
    for (const tag of tags) {
      const digest = await getManifestDigest(`${r.host}/${repo}:${tag}`, opts);
      out.push({ repository: repo, tag, digest });
    }
  }
  return out;
}

export interface SyncResult {
  repositories: number;
  images: number;
  newImages: number;
  scanIds: string[];
}

export async function upsertListedImages(trx: Tx, scans: ScanService, projectId: string, registryId: string, host: string, listed: readonly ListedImage[], now: string): Promise<SyncResult> {
  const scanIds: string[] = [];
  let newImages = 0;
  for (const li of listed) {
    const ref = `registry:${host}/${li.repository}:${li.tag}`;
    const existing = await trx.selectFrom('images').select(['id', 'digest', 'last_scan_id']).where('project_id', '=', projectId).where('ref', '=', ref).executeTakeFirst();
    let imageId: string;
    if (!existing) {
      imageId = newId();
      newImages++;
      await trx.insertInto('images').values({
        id: imageId, project_id: projectId, registry_id: registryId, ref, registry: host, repository: li.repository, tag: li.tag,
        digest: li.digest, os_family: '', os_version: '', last_scan_id: null, last_scan_at: null,
        critical: 0, high: 0, medium: 0, low: 0, unknown: 0, created_at: now, updated_at: now,
      }).execute();
    } else {
      imageId = existing.id;
      // Same digest and already scanned: nothing new to look at.
      if (existing.digest === li.digest && existing.last_scan_id) continue;
      await trx.updateTable('images').set({ digest: li.digest, registry_id: registryId, updated_at: now }).where('id', '=', imageId).execute();
    }
    scanIds.push(await scans.create(trx, projectId, imageId, 'sync'));
  }
  await trx.updateTable('registries').set({ last_sync_at: now }).where('id', '=', registryId).execute();
  return { repositories: new Set(listed.map((l) => l.repository)).size, images: listed.length, newImages, scanIds };
}
