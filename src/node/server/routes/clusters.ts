// Clusters (protection on/off: openClusterProtect / closeClusterProtect;
// agent registration tokens for the later agent issue) and nodes/agents
// (status, version, last seen; agents report through PUT).
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import { newId } from '../../store/ids.js';
import { mutate } from '../mutate.js';
import { notFound, conflict } from '../http-errors.js';
import { pageOf, pageQuerySchema, type PageQuery } from '../list-query.js';
import { inProject, params, projectParams, toApi } from './common.js';
import { hashToken, newTokenSecret } from '../auth-hook.js';

export function registerClusterRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const db = ctx.store.db;
  const cParams = params('projectId', 'clusterId');

  app.get<{ Params: { projectId: string }; Querystring: PageQuery }>('/api/v1/projects/:projectId/clusters', {
    config: { action: 'cluster:read', scope: 'project' },
    schema: { tags: ['clusters'], summary: 'List clusters', params: projectParams, querystring: { type: 'object', properties: pageQuerySchema, additionalProperties: false } },
  }, async (req) => {
    const page = await pageOf(db.selectFrom('clusters').selectAll().where('project_id', '=', req.params.projectId), req.query, { name: 'name' }, 'clusters');
    return { items: page.items.map((c) => ({ ...toApi(c), protected: c.protected === 1 })), next: page.next };
  });

  app.post<{ Params: { projectId: string }; Body: { name: string } }>('/api/v1/projects/:projectId/clusters', {
    config: { action: 'cluster:create', scope: 'project', event: 'addCluster' },
    schema: { tags: ['clusters'], summary: 'Add a cluster', params: projectParams, body: { type: 'object', properties: { name: { type: 'string', minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' } }, required: ['name'], additionalProperties: false } },
  }, async (req, reply) => {
    const { projectId } = req.params;
    const id = await mutate(ctx, req, { resourceType: 'cluster', resourceId: (r: string) => r, projectId, summary: req.body }, async (trx) => {
      if (!(await trx.selectFrom('projects').select('id').where('id', '=', projectId).executeTakeFirst())) throw notFound('project');
      if (await trx.selectFrom('clusters').select('id').where('project_id', '=', projectId).where('name', '=', req.body.name).executeTakeFirst()) throw conflict(`cluster ${req.body.name} exists`);
      const cid = newId();
      await trx.insertInto('clusters').values({ id: cid, project_id: projectId, name: req.body.name, protected: 0, created_at: ctx.clock().toISOString() }).execute();
      return cid;
    });
    return reply.code(201).send({ id });
  });

  app.get<{ Params: { projectId: string; clusterId: string } }>('/api/v1/projects/:projectId/clusters/:clusterId', {
    config: { action: 'cluster:read', scope: 'project' },
    schema: { tags: ['clusters'], summary: 'Read a cluster', params: cParams },
  }, async (req) => {
    const c = await inProject(db, 'clusters', req.params.clusterId, req.params.projectId, 'cluster');
    return { ...toApi(c), protected: c.protected === 1 };
  });

  app.delete<{ Params: { projectId: string; clusterId: string } }>('/api/v1/projects/:projectId/clusters/:clusterId', {
    config: { action: 'cluster:delete', scope: 'project', event: 'deleteCluster' },
    schema: { tags: ['clusters'], summary: 'Remove a cluster', params: cParams },
  }, async (req) => {
    const { projectId, clusterId } = req.params;
    await mutate(ctx, req, { resourceType: 'cluster', resourceId: clusterId, projectId }, async (trx) => {
      const r = await trx.deleteFrom('clusters').where('id', '=', clusterId).where('project_id', '=', projectId).executeTakeFirst();
      if (!Number(r.numDeletedRows)) throw notFound('cluster');
    });
    return { ok: true };
  });

  for (const [path, on, event] of [['protect', 1, 'openClusterProtect'], ['unprotect', 0, 'closeClusterProtect']] as const) {
    app.post<{ Params: { projectId: string; clusterId: string } }>(`/api/v1/projects/:projectId/clusters/:clusterId/${path}`, {
      config: { action: 'cluster:protect', scope: 'project', event },
      schema: { tags: ['clusters'], summary: `${on ? 'Open' : 'Close'} cluster protection (${event})`, params: cParams },
    }, async (req) => {
      const { projectId, clusterId } = req.params;
      await mutate(ctx, req, { resourceType: 'cluster', resourceId: clusterId, projectId }, async (trx) => {
        const r = await trx.updateTable('clusters').set({ protected: on }).where('id', '=', clusterId).where('project_id', '=', projectId).executeTakeFirst();
        if (!Number(r.numUpdatedRows)) throw notFound('cluster');
      });
      return { ok: true, protected: on === 1 };
    });
  }

  app.post<{ Params: { projectId: string; clusterId: string }; Body: { expiresInHours?: number } }>('/api/v1/projects/:projectId/clusters/:clusterId/agent-tokens', {
    config: { action: 'cluster:token', scope: 'project', event: 'createAgentToken' },
    schema: { tags: ['clusters'], summary: 'Mint a one-time agent enrollment token for the cluster (shown once) with the agent link CA hash (caHash)', params: cParams, body: { type: 'object', properties: { expiresInHours: { type: 'integer', minimum: 1, maximum: 8760, default: 24 } }, additionalProperties: false } },
  }, async (req, reply) => {
    const { projectId, clusterId } = req.params;
    const token = newTokenSecret('vgr');
    const now = ctx.clock();
    const expiresAt = new Date(now.getTime() + (req.body?.expiresInHours ?? 24) * 3600_000).toISOString();
    const id = await mutate(ctx, req, { resourceType: 'cluster', resourceId: clusterId, projectId, summary: { expiresAt } }, async (trx) => {
      if (!(await trx.selectFrom('clusters').select('id').where('id', '=', clusterId).where('project_id', '=', projectId).executeTakeFirst())) throw notFound('cluster');
      const tid = newId();
      await trx.insertInto('agent_tokens').values({ id: tid, cluster_id: clusterId, project_id: projectId, token_hash: hashToken(token), created_at: now.toISOString(), expires_at: expiresAt }).execute();
      return tid;
    });
    return reply.code(201).send({ id, token, expiresAt, ...(ctx.agentCaHash ? { caHash: ctx.agentCaHash } : {}) });
  });

  app.get<{ Params: { projectId: string }; Querystring: PageQuery & { status?: string; clusterId?: string } }>('/api/v1/projects/:projectId/nodes', {
    config: { action: 'node:read', scope: 'project' },
    schema: { tags: ['nodes'], summary: 'List nodes and their agents (status, version, last seen)', params: projectParams, querystring: { type: 'object', properties: { ...pageQuerySchema, status: { type: 'string', maxLength: 20 }, clusterId: { type: 'string', maxLength: 64 } }, additionalProperties: false } },
  }, async (req) => {
    let q = db.selectFrom('nodes').selectAll().where('project_id', '=', req.params.projectId);
    if (req.query.status) q = q.where('status', '=', req.query.status);
    if (req.query.clusterId) q = q.where('cluster_id', '=', req.query.clusterId);
    const page = await pageOf(q, req.query, { hostname: 'hostname', lastSeen: 'last_seen' }, 'nodes');
    return { items: page.items.map(toApi), next: page.next };
  });

  app.put<{ Params: { projectId: string; hostname: string }; Body: { status: string; version?: string; clusterId?: string } }>('/api/v1/projects/:projectId/nodes/:hostname', {
    config: { action: 'node:update', scope: 'project', event: 'reportNode' },
    schema: {
      tags: ['nodes'], summary: 'Register a node or report its agent status (agents; the gRPC link comes later)',
      params: { type: 'object', properties: { projectId: { type: 'string', maxLength: 64 }, hostname: { type: 'string', minLength: 1, maxLength: 253, pattern: '^[A-Za-z0-9._-]+$' } }, required: ['projectId', 'hostname'] },
      body: { type: 'object', properties: { status: { type: 'string', enum: ['online', 'offline', 'degraded'] }, version: { type: 'string', maxLength: 50 }, clusterId: { type: 'string', maxLength: 64 } }, required: ['status'], additionalProperties: false },
    },
  }, async (req) => {
    const { projectId, hostname } = req.params;
    const now = ctx.clock().toISOString();
    const id = await mutate(ctx, req, { resourceType: 'node', resourceId: (r: string) => r, projectId, summary: { hostname, ...req.body } }, async (trx) => {
      if (!(await trx.selectFrom('projects').select('id').where('id', '=', projectId).executeTakeFirst())) throw notFound('project');
      if (req.body.clusterId) await inProject(trx as never, 'clusters', req.body.clusterId, projectId, 'cluster');
      const existing = await trx.selectFrom('nodes').select('id').where('project_id', '=', projectId).where('hostname', '=', hostname).executeTakeFirst();
      if (existing) {
        await trx.updateTable('nodes').set({ status: req.body.status, version: req.body.version ?? '', cluster_id: req.body.clusterId ?? null, last_seen: now }).where('id', '=', existing.id).execute();
        return existing.id;
      }
      const nid = newId();
      await trx.insertInto('nodes').values({ id: nid, project_id: projectId, cluster_id: req.body.clusterId ?? null, hostname, status: req.body.status, version: req.body.version ?? '', last_seen: now, created_at: now }).execute();
      return nid;
    });
    return { id };
  });
}
