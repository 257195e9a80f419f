// Clusters (protection on/off: openClusterProtect / closeClusterProtect;
// agent registration tokens for the later agent issue) and nodes/agents
// (status, version, last seen; agents report through PUT).
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import * as clusters from '../../services/clusters.js';
import * as agents from '../../services/agents.js';
import type { PageQuery } from '../list-query.js';
import { callerOf } from '../auth-hook.js';
import { pageQuery, params, projectObjects, projectParams, routes, type Ids } from './common.js';

export function registerClusterRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const route = routes(app, { tag: 'clusters', scope: 'project' });
  const cluster = projectObjects(route, 'cluster', 'clusters');
  type One = { Params: Ids<'projectId' | 'clusterId'> };

  cluster.list('List clusters', (projectId, query) => clusters.listClusters(ctx, projectId, query));
  cluster.add<{ name: string }>(
    {
      event: 'addCluster',
      summary: 'Add a cluster',
      body: {
        type: 'object',
        properties: { name: { type: 'string', minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' } },
        required: ['name'],
        additionalProperties: false,
      },
    },
    (caller, projectId, body) => clusters.addCluster(ctx, caller, projectId, body),
  );
  cluster.read('Read a cluster', (projectId, id) => clusters.getCluster(ctx, projectId, id));
  cluster.remove({ event: 'deleteCluster', summary: 'Remove a cluster' }, (caller, projectId, id) => clusters.deleteCluster(ctx, caller, projectId, id));
  for (const [path, on, event] of [
    ['protect', 1, 'openClusterProtect'],
    ['unprotect', 0, 'closeClusterProtect'],
  ] as const) {
    route<One>(
      `POST /api/v1/projects/:projectId/clusters/:clusterId/${path}`,
      { action: 'cluster:protect', event, summary: `${on ? 'Open' : 'Close'} cluster protection (${event})`, params: cluster.params },
      (req) => clusters.setClusterProtection(ctx, callerOf(req), req.params.projectId, req.params.clusterId, on === 1),
    );
  }
  route<One & { Body: { expiresInHours?: number } }>(
    'POST /api/v1/projects/:projectId/clusters/:clusterId/agent-tokens',
    {
      action: 'cluster:token',
      event: 'createAgentToken',
      summary: 'Mint a one-time agent enrollment token for the cluster (shown once) with the agent link CA hash (caHash)',
      params: cluster.params,
      body: { type: 'object', properties: { expiresInHours: { type: 'integer', minimum: 1, maximum: 8760, default: 24 } }, additionalProperties: false },
      status: 201,
    },
    async (req) => ({
      ...(await clusters.createAgentToken(ctx, callerOf(req), req.params.projectId, req.params.clusterId, req.body?.expiresInHours)),
      ...(ctx.agentCaHash ? { caHash: ctx.agentCaHash } : {}),
    }),
  );

  const node = routes(app, { tag: 'nodes', scope: 'project' });
  node<{ Params: Ids<'projectId'>; Querystring: PageQuery & { status?: string; clusterId?: string } }>(
    'GET /api/v1/projects/:projectId/nodes',
    {
      action: 'node:read',
      summary: 'List nodes and their agents (status, version, kernel, detection on/off, last seen)',
      params: projectParams,
      querystring: pageQuery({ status: { type: 'string', maxLength: 20 }, clusterId: { type: 'string', maxLength: 64 } }),
    },
    (req) => clusters.listNodes(ctx, req.params.projectId, req.query),
  );
  node<{ Params: Ids<'projectId' | 'nodeId'> }>(
    'GET /api/v1/projects/:projectId/nodes/:nodeId/containers',
    {
      action: 'node:read',
      summary:
        "The node's running containers, as its agent last reported them (image, image ID, state, start time, security settings; the scan of the image when stored)",
      params: {
        type: 'object',
        properties: { projectId: { type: 'string', maxLength: 64 }, nodeId: { type: 'string', maxLength: 64 } },
        required: ['projectId', 'nodeId'],
      },
    },
    (req) => clusters.listNodeContainers(ctx, req.params.projectId, req.params.nodeId),
  );
  node<{ Params: Ids<'projectId' | 'nodeId'>; Body: { reason?: string } }>(
    'POST /api/v1/projects/:projectId/nodes/:nodeId/revoke',
    {
      action: 'node:revoke',
      event: 'revokeNode',
      summary: "Revoke a node: its agent's open link is closed at once; its certificates, its queued alerts and enrolling its name again are refused",
      params: params('projectId', 'nodeId'),
      body: { type: ['object', 'null'], properties: { reason: { type: 'string', maxLength: 200 } }, additionalProperties: false },
    },
    (req) => agents.revokeNode(ctx, callerOf(req), req.params.projectId, req.params.nodeId, req.body?.reason ?? ''),
  );
  node<{ Params: Ids<'projectId' | 'hostname'>; Body: { status: string; version?: string; clusterId?: string } }>(
    'PUT /api/v1/projects/:projectId/nodes/:hostname',
    {
      action: 'node:update',
      event: 'reportNode',
      summary: 'Register a node or report its agent status (agents; the gRPC link comes later)',
      params: {
        type: 'object',
        properties: {
          projectId: { type: 'string', maxLength: 64 },
          hostname: { type: 'string', minLength: 1, maxLength: 253, pattern: '^[A-Za-z0-9._-]+$' },
        },
        required: ['projectId', 'hostname'],
      },
      body: {
        type: 'object',
        properties: {
          status: { type: 'string', enum: ['online', 'offline', 'degraded'] },
          version: { type: 'string', maxLength: 50 },
          clusterId: { type: 'string', maxLength: 64 },
        },
        required: ['status'],
        additionalProperties: false,
      },
    },
    (req) => clusters.reportNode(ctx, callerOf(req), req.params.projectId, req.params.hostname, req.body),
  );
}
