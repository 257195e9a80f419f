// Clusters (protection on/off: openClusterProtect / closeClusterProtect;
// agent registration tokens for the later agent issue) and nodes/agents
// (status, version, last seen; agents report through PUT).
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import * as clusters from '../../services/clusters.js';
import * as agents from '../../services/agents.js';
import { pageQuerySchema, type PageQuery } from '../list-query.js';
import { callerOf } from '../auth-hook.js';
import { ok, params, projectParams } from './common.js';

const NODE_CONTAINER = {
  type: 'object',
  properties: {
    id: { type: 'string', description: 'container id (64 hex; a containerd id may be any containerd identifier)' },
    runtime: { type: 'string', enum: ['docker', 'containerd'], description: 'the runtime the agent found it in' },
    namespace: { type: 'string', description: "containerd namespace ('k8s.io' for Kubernetes pods); '' for Docker" },
    nodeId: { type: 'string' },
    name: { type: 'string' },
    image: { type: 'string', description: 'the image as the container was started with' },
    imageDigest: { type: 'string', description: 'image ID (sha256 of its config)' },
    state: { type: 'string' },
    startedAt: { type: 'string' },
    privileged: { type: 'boolean' },
    capAdd: { type: 'array', items: { type: 'string' } },
    hostMounts: {
      type: 'array',
      items: {
        type: 'object',
        properties: { source: { type: 'string' }, destination: { type: 'string' }, readOnly: { type: 'boolean' } },
        required: ['source', 'destination', 'readOnly'],
      },
    },
    hostPid: { type: 'boolean' },
    hostNetwork: { type: 'boolean' },
    hostIpc: { type: 'boolean' },
    updatedAt: { type: 'string' },
    scan: {
      type: ['object', 'null'],
      description: "the project's image of this image ID, when a scan of it is stored",
      properties: {
        imageId: { type: 'string' },
        critical: { type: 'integer' },
        high: { type: 'integer' },
        medium: { type: 'integer' },
        low: { type: 'integer' },
      },
    },
  },
  required: [
    'id',
    'runtime',
    'namespace',
    'nodeId',
    'name',
    'image',
    'imageDigest',
    'state',
    'startedAt',
    'privileged',
    'capAdd',
    'hostMounts',
    'hostPid',
    'hostNetwork',
    'hostIpc',
    'updatedAt',
    'scan',
  ],
} as const;

export function registerClusterRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const cParams = params('projectId', 'clusterId');

  app.get<{ Params: { projectId: string }; Querystring: PageQuery }>(
    '/api/v1/projects/:projectId/clusters',
    {
      config: { action: 'cluster:read', scope: 'project' },
      schema: {
        tags: ['clusters'],
        summary: 'List clusters',
        params: projectParams,
        querystring: { type: 'object', properties: pageQuerySchema, additionalProperties: false },
      },
    },
    async (req) => clusters.listClusters(ctx, req.params.projectId, req.query),
  );

  app.post<{ Params: { projectId: string }; Body: { name: string } }>(
    '/api/v1/projects/:projectId/clusters',
    {
      config: { action: 'cluster:create', scope: 'project', event: 'addCluster' },
      schema: {
        tags: ['clusters'],
        summary: 'Add a cluster',
        params: projectParams,
        body: {
          type: 'object',
          properties: { name: { type: 'string', minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' } },
          required: ['name'],
          additionalProperties: false,
        },
      },
    },
    async (req, reply) => reply.code(201).send(await clusters.addCluster(ctx, callerOf(req), req.params.projectId, req.body)),
  );

  app.get<{ Params: { projectId: string; clusterId: string } }>(
    '/api/v1/projects/:projectId/clusters/:clusterId',
    {
      config: { action: 'cluster:read', scope: 'project' },
      schema: { tags: ['clusters'], summary: 'Read a cluster', params: cParams },
    },
    async (req) => clusters.getCluster(ctx, req.params.projectId, req.params.clusterId),
  );

  app.delete<{ Params: { projectId: string; clusterId: string } }>(
    '/api/v1/projects/:projectId/clusters/:clusterId',
    {
      config: { action: 'cluster:delete', scope: 'project', event: 'deleteCluster' },
      schema: { tags: ['clusters'], summary: 'Remove a cluster', params: cParams },
    },
    async (req) => ok(clusters.deleteCluster(ctx, callerOf(req), req.params.projectId, req.params.clusterId)),
  );

  for (const [path, on, event] of [
    ['protect', 1, 'openClusterProtect'],
    ['unprotect', 0, 'closeClusterProtect'],
  ] as const) {
    app.post<{ Params: { projectId: string; clusterId: string } }>(
      `/api/v1/projects/:projectId/clusters/:clusterId/${path}`,
      {
        config: { action: 'cluster:protect', scope: 'project', event },
        schema: { tags: ['clusters'], summary: `${on ? 'Open' : 'Close'} cluster protection (${event})`, params: cParams },
      },
      async (req) => clusters.setClusterProtection(ctx, callerOf(req), req.params.projectId, req.params.clusterId, on === 1),
    );
  }

  app.post<{ Params: { projectId: string; clusterId: string }; Body: { expiresInHours?: number } }>(
    '/api/v1/projects/:projectId/clusters/:clusterId/agent-tokens',
    {
      config: { action: 'cluster:token', scope: 'project', event: 'createAgentToken' },
      schema: {
        tags: ['clusters'],
        summary: 'Mint a one-time agent enrollment token for the cluster (shown once) with the agent link CA hash (caHash)',
        params: cParams,
        body: { type: 'object', properties: { expiresInHours: { type: 'integer', minimum: 1, maximum: 8760, default: 24 } }, additionalProperties: false },
      },
    },
    async (req, reply) =>
      reply.code(201).send({
        ...(await clusters.createAgentToken(ctx, callerOf(req), req.params.projectId, req.params.clusterId, req.body?.expiresInHours)),
        ...(ctx.agentCaHash ? { caHash: ctx.agentCaHash } : {}),
      }),
  );

  app.get<{ Params: { projectId: string }; Querystring: PageQuery & { status?: string; clusterId?: string } }>(
    '/api/v1/projects/:projectId/nodes',
    {
      config: { action: 'node:read', scope: 'project' },
      schema: {
        tags: ['nodes'],
        summary: 'List nodes and their agents (status, version, kernel, detection on/off, last seen)',
        params: projectParams,
        querystring: {
          type: 'object',
          properties: { ...pageQuerySchema, status: { type: 'string', maxLength: 20 }, clusterId: { type: 'string', maxLength: 64 } },
          additionalProperties: false,
        },
      },
    },
    async (req) => clusters.listNodes(ctx, req.params.projectId, req.query),
  );

  app.get<{ Params: { projectId: string; nodeId: string } }>(
    '/api/v1/projects/:projectId/nodes/:nodeId/containers',
    {
      config: { action: 'node:read', scope: 'project' },
      schema: {
        tags: ['nodes'],
        summary:
          "The node's running containers, as its agent last reported them (image, image ID, state, start time, security settings; the scan of the image when stored)",
        params: {
          type: 'object',
          properties: { projectId: { type: 'string', maxLength: 64 }, nodeId: { type: 'string', maxLength: 64 } },
          required: ['projectId', 'nodeId'],
        },
        response: { 200: { type: 'object', properties: { items: { type: 'array', items: NODE_CONTAINER } }, required: ['items'] } },
      },
    },
    async (req) => clusters.listNodeContainers(ctx, req.params.projectId, req.params.nodeId),
  );

  app.post<{ Params: { projectId: string; nodeId: string }; Body: { reason?: string } }>(
    '/api/v1/projects/:projectId/nodes/:nodeId/revoke',
    {
      config: { action: 'node:revoke', scope: 'project', event: 'revokeNode' },
      schema: {
        tags: ['nodes'],
        summary: "Revoke a node: its agent's open link is closed at once; its certificates, its queued alerts and enrolling its name again are refused",
        params: params('projectId', 'nodeId'),
        body: {
          type: ['object', 'null'],
          properties: { reason: { type: 'string', maxLength: 200 } },
          additionalProperties: false,
        },
      },
    },
    async (req) => agents.revokeNode(ctx, callerOf(req), req.params.projectId, req.params.nodeId, req.body?.reason ?? ''),
  );

  app.put<{ Params: { projectId: string; hostname: string }; Body: { status: string; version?: string; clusterId?: string } }>(
    '/api/v1/projects/:projectId/nodes/:hostname',
    {
      config: { action: 'node:update', scope: 'project', event: 'reportNode' },
      schema: {
        tags: ['nodes'],
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
    },
    async (req) => clusters.reportNode(ctx, callerOf(req), req.params.projectId, req.params.hostname, req.body),
  );
}
