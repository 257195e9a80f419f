// Clusters (protection on/off: openClusterProtect / closeClusterProtect;
// agent registration tokens) and nodes/agents (status, version, last seen).
import { hashToken, newTokenSecret } from '../crypto/tokens.js';
import { newId } from '../store/ids.js';
import { insertRow } from '../store/insert.js';
import { conflict } from './errors.js';
import { mutate } from './mutate.js';
import { mapPage, pageOf, type Page, type PageQuery } from './page.js';
import { deleteFromProject, inProject, published, requireInProject, requireProject, requireTouched, toApi, type Caller, type ServiceDeps } from './common.js';

type Api = Record<string, unknown>;

const withProtected = (c: Record<string, any>): Api => ({ ...toApi(c), protected: c.protected === 1 });

export async function listClusters(s: ServiceDeps, projectId: string, q: PageQuery): Promise<Page<Api>> {
  return mapPage(
    await pageOf(s.store.db.selectFrom('clusters').selectAll().where('project_id', '=', projectId), q, { name: 'name' }, 'clusters'),
    withProtected,
  );
}

export async function addCluster(s: ServiceDeps, by: Caller, projectId: string, b: { name: string }): Promise<{ id: string }> {
  const id = await mutate(s, by, { resourceType: 'cluster', resourceId: (r: string) => r, projectId, summary: b }, async (trx) => {
    await requireProject(trx, projectId);
    if (await trx.selectFrom('clusters').select('id').where('project_id', '=', projectId).where('name', '=', b.name).executeTakeFirst())
      throw conflict(`cluster ${b.name} exists`);
    const cid = newId();
    await trx.insertInto('clusters').values({ id: cid, project_id: projectId, name: b.name, protected: 0, created_at: s.clock().toISOString() }).execute();
    return cid;
  });
  return { id };
}

export async function getCluster(s: ServiceDeps, projectId: string, clusterId: string): Promise<Api> {
  return withProtected(await inProject(s.store.db, 'clusters', clusterId, projectId, 'cluster'));
}

export async function deleteCluster(s: ServiceDeps, by: Caller, projectId: string, clusterId: string): Promise<void> {
  await deleteFromProject(s, by, 'clusters', 'cluster', projectId, clusterId);
}

export async function setClusterProtection(
  s: ServiceDeps,
  by: Caller,
  projectId: string,
  clusterId: string,
  on: boolean,
): Promise<{ ok: true; protected: boolean }> {
  await mutate(s, by, { resourceType: 'cluster', resourceId: clusterId, projectId }, async (trx) => {
    requireTouched(
      await trx
        .updateTable('clusters')
        .set({ protected: on ? 1 : 0 })
        .where('id', '=', clusterId)
        .where('project_id', '=', projectId)
        .executeTakeFirst(),
      'cluster',
    );
  });
  published(s, 'policies', projectId);
  return { ok: true, protected: on };
}

/** Mints an agent registration token for the cluster; the secret is in this result only. */
export async function createAgentToken(
  s: ServiceDeps,
  by: Caller,
  projectId: string,
  clusterId: string,
  expiresInHours = 24,
): Promise<{ id: string; token: string; expiresAt: string }> {
  const token = newTokenSecret('vgr');
  const now = s.clock();
  const expiresAt = new Date(now.getTime() + expiresInHours * 3600_000).toISOString();
  const id = await mutate(s, by, { resourceType: 'cluster', resourceId: clusterId, projectId, summary: { expiresAt } }, async (trx) => {
    await requireInProject(trx, 'clusters', clusterId, projectId, 'cluster');
    const tid = newId();
    await trx
      .insertInto('agent_tokens')
      .values({ id: tid, cluster_id: clusterId, project_id: projectId, token_hash: hashToken(token), created_at: now.toISOString(), expires_at: expiresAt })
      .execute();
    return tid;
  });
  return { id, token, expiresAt };
}

export async function listNodes(s: ServiceDeps, projectId: string, q: PageQuery & { status?: string; clusterId?: string }): Promise<Page<Api>> {
  let qb = s.store.db.selectFrom('nodes').selectAll().where('project_id', '=', projectId);
  if (q.status) qb = qb.where('status', '=', q.status);
  if (q.clusterId) qb = qb.where('cluster_id', '=', q.clusterId);
  return mapPage(await pageOf(qb, q, { hostname: 'hostname', lastSeen: 'last_seen' }, 'nodes'), toApi);
}

/**
 * The running containers of a node of the project (its agent's last
 * inventory), each with the project's image of the same image ID when a
 * scan of it is stored (imageId, its counts).
 */
export async function listNodeContainers(s: ServiceDeps, projectId: string, nodeId: string): Promise<{ items: Api[] }> {
  const node = await inProject(s.store.db, 'nodes', nodeId, projectId, 'node');
  const rows = await s.store.db
    .selectFrom('node_containers')
    .leftJoin('images', (j) =>
      j.onRef('images.project_id', '=', 'node_containers.project_id').onRef('images.digest', '=', 'node_containers.image_digest').on('images.digest', '!=', ''),
    )
    .select([
      'node_containers.container_id as id',
      'node_containers.name as name',
      'node_containers.image as image',
      'node_containers.image_digest as imageDigest',
      'node_containers.state as state',
      'node_containers.started_at as startedAt',
      'node_containers.privileged as privileged',
      'node_containers.settings as settings',
      'node_containers.updated_at as updatedAt',
      'images.id as imageId',
      'images.critical as critical',
      'images.high as high',
      'images.medium as medium',
      'images.low as low',
    ])
    .where('node_containers.node_id', '=', node.id as string)
    .orderBy('node_containers.name')
    .execute();
  const seen = new Set<string>();
  const items: Api[] = [];
  for (const r of rows) {
    if (seen.has(r.id)) continue; // two image rows of one digest: the first
    seen.add(r.id);
    const { settings, privileged, imageId, critical, high, medium, low, ...rest } = r;
    items.push({
      ...rest,
      nodeId: node.id,
      privileged: privileged === 1,
      runtime: 'docker', // rows of agents from before containerd
      namespace: '',
      ...(JSON.parse(settings) as object),
      scan: imageId ? { imageId, critical, high, medium, low } : null,
    });
  }
  return { items };
}

/** Registers a node or records its agent's status (reportNode). */
export async function reportNode(
  s: ServiceDeps,
  by: Caller,
  projectId: string,
  hostname: string,
  b: { status: string; version?: string; clusterId?: string },
): Promise<{ id: string }> {
  const now = s.clock().toISOString();
  const id = await mutate(s, by, { resourceType: 'node', resourceId: (r: string) => r, projectId, summary: { hostname, ...b } }, async (trx) => {
    await requireProject(trx, projectId);
    if (b.clusterId) await inProject(trx, 'clusters', b.clusterId, projectId, 'cluster');
    const existing = await trx.selectFrom('nodes').select('id').where('project_id', '=', projectId).where('hostname', '=', hostname).executeTakeFirst();
    if (existing) {
      await trx
        .updateTable('nodes')
        .set({ status: b.status, version: b.version ?? '', cluster_id: b.clusterId ?? null, last_seen: now })
        .where('id', '=', existing.id)
        .execute();
      return existing.id;
    }
    return insertRow(trx, 'nodes', {
      project_id: projectId,
      cluster_id: b.clusterId ?? null,
      hostname,
      status: b.status,
      version: b.version ?? '',
      last_seen: now,
      created_at: now,
    });
  });
  return { id };
}
