// Security policies of a project: process whitelist and file protection
// (documents in the runtime policy model of src/core/policy/model.ts, so
// agents can receive them as they are), image admission and detection; add,
// modify, delete (addPolicy / modifyPolicy / deletePolicy) and apply to
// images (imageApplyPolicy); the entries agents learned for a process
// whitelist, accepted into it or rejected; the detection policies as a policy
// file and their effective configuration.
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import * as policies from '../../services/policies.js';
import * as detection from '../../services/detection.js';
import * as learned from '../../services/learned.js';
import { POLICY_KINDS, type PolicyKind } from '../../services/policies.js';
import { pageQuerySchema, pageResponse, type PageQuery } from '../list-query.js';
import { callerOf } from '../auth-hook.js';
import { ID, ok, params, projectParams } from './common.js';

const LEARNED_ENTRY = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    policyId: { type: 'string' },
    nodeId: { type: 'string' },
    nodeName: { type: 'string' },
    executable: { type: 'string' },
    image: { type: 'string' },
    firstSeen: { type: 'string' },
    count: { type: 'integer' },
    status: { type: 'string', enum: ['pending', 'accepted', 'rejected'] },
    decidedBy: { type: ['string', 'null'] },
    decidedAt: { type: ['string', 'null'] },
  },
  required: ['id', 'policyId', 'nodeId', 'nodeName', 'executable', 'image', 'firstSeen', 'count', 'status'],
} as const;

const bodyProps = {
  name: { type: 'string', minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' },
  kind: { type: 'string', enum: [...POLICY_KINDS] },
  mode: { type: 'string', enum: ['alert', 'enforce', 'warn', 'audit'] },
  document: { type: 'object', maxProperties: 20, additionalProperties: true },
} as const;

export function registerPolicyRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const polParams = params('projectId', 'policyId');

  app.get<{ Params: { projectId: string }; Querystring: PageQuery & { kind?: string } }>(
    '/api/v1/projects/:projectId/policies',
    {
      config: { action: 'policy:read', scope: 'project' },
      schema: {
        tags: ['policies'],
        summary: 'List policies',
        params: projectParams,
        querystring: { type: 'object', properties: { ...pageQuerySchema, kind: { type: 'string', enum: [...POLICY_KINDS] } }, additionalProperties: false },
      },
    },
    async (req) => policies.listPolicies(ctx, req.params.projectId, req.query),
  );

  app.post<{ Params: { projectId: string }; Body: { name: string; kind: PolicyKind; mode?: string; document: Record<string, unknown> } }>(
    '/api/v1/projects/:projectId/policies',
    {
      config: { action: 'policy:create', scope: 'project', event: 'addPolicy' },
      schema: {
        tags: ['policies'],
        summary: 'Add a policy (addPolicy)',
        params: projectParams,
        body: { type: 'object', properties: bodyProps, required: ['name', 'kind', 'document'], additionalProperties: false },
      },
    },
    async (req, reply) => reply.code(201).send(await policies.addPolicy(ctx, callerOf(req), req.params.projectId, req.body)),
  );

  app.get<{ Params: { projectId: string; policyId: string } }>(
    '/api/v1/projects/:projectId/policies/:policyId',
    {
      config: { action: 'policy:read', scope: 'project' },
      schema: { tags: ['policies'], summary: 'Read a policy with the images it applies to', params: polParams },
    },
    async (req) => policies.getPolicy(ctx, req.params.projectId, req.params.policyId),
  );

  app.patch<{ Params: { projectId: string; policyId: string }; Body: { mode?: string; document?: Record<string, unknown> } }>(
    '/api/v1/projects/:projectId/policies/:policyId',
    {
      config: { action: 'policy:update', scope: 'project', event: 'modifyPolicy' },
      schema: {
        tags: ['policies'],
        summary: 'Change a policy (modifyPolicy)',
        params: polParams,
        body: { type: 'object', properties: { mode: bodyProps.mode, document: bodyProps.document }, additionalProperties: false, minProperties: 1 },
      },
    },
    async (req) => ok(policies.updatePolicy(ctx, callerOf(req), req.params.projectId, req.params.policyId, req.body)),
  );

  app.delete<{ Params: { projectId: string; policyId: string } }>(
    '/api/v1/projects/:projectId/policies/:policyId',
    {
      config: { action: 'policy:delete', scope: 'project', event: 'deletePolicy' },
      schema: { tags: ['policies'], summary: 'Delete a policy (deletePolicy)', params: polParams },
    },
    async (req) => ok(policies.deletePolicy(ctx, callerOf(req), req.params.projectId, req.params.policyId)),
  );

  app.post<{ Params: { projectId: string; policyId: string }; Body: { imageIds: string[] } }>(
    '/api/v1/projects/:projectId/policies/:policyId/images',
    {
      config: { action: 'policy:apply', scope: 'project', event: 'imageApplyPolicy' },
      schema: {
        tags: ['policies'],
        summary: 'Apply a policy to images (imageApplyPolicy)',
        params: polParams,
        body: {
          type: 'object',
          properties: { imageIds: { type: 'array', items: { type: 'string', maxLength: 64 }, minItems: 1, maxItems: 1000 } },
          required: ['imageIds'],
          additionalProperties: false,
        },
      },
    },
    async (req) => ok(policies.applyPolicy(ctx, callerOf(req), req.params.projectId, req.params.policyId, req.body.imageIds)),
  );

  app.get<{ Params: { projectId: string; policyId: string }; Querystring: PageQuery & { status?: learned.LearnedStatus } }>(
    '/api/v1/projects/:projectId/policies/:policyId/learned',
    {
      config: { action: 'policy:read', scope: 'project' },
      schema: {
        tags: ['policies'],
        summary: "Process-whitelist entries the policy's agents learned (learn mode), per node, with image, first seen and count",
        params: polParams,
        querystring: {
          type: 'object',
          properties: { ...pageQuerySchema, status: { type: 'string', enum: [...learned.LEARNED_STATUSES] } },
          additionalProperties: false,
        },
        response: { 200: pageResponse(LEARNED_ENTRY) },
      },
    },
    async (req) => learned.listLearned(ctx, req.params.projectId, req.params.policyId, req.query),
  );

  for (const [verb, decision, event, summary] of [
    ['accept', 'accepted', 'modifyPolicy', "Accept learned entries: their executables join the policy's whitelist (modifyPolicy)"],
    ['reject', 'rejected', 'rejectLearnedProcesses', 'Reject learned entries: dismissed, and the agents alert on them again (rejectLearnedProcesses)'],
  ] as const) {
    app.post<{ Params: { projectId: string; policyId: string }; Body: { ids: string[] } }>(
      `/api/v1/projects/:projectId/policies/:policyId/learned/${verb}`,
      {
        config: { action: 'policy:update', scope: 'project', event },
        schema: {
          tags: ['policies'],
          summary,
          params: polParams,
          body: {
            type: 'object',
            properties: { ids: { type: 'array', items: ID, minItems: 1, maxItems: 1000 } },
            required: ['ids'],
            additionalProperties: false,
          },
          response: {
            200: {
              type: 'object',
              properties: { decided: { type: 'integer' }, executables: { type: 'array', items: { type: 'string' } } },
              required: ['decided', 'executables'],
            },
          },
        },
      },
      async (req) => learned.decideLearned(ctx, callerOf(req), req.params.projectId, req.params.policyId, req.body.ids, decision),
    );
  }

  app.get<{ Params: { projectId: string } }>(
    '/api/v1/projects/:projectId/detection/policies',
    {
      config: { action: 'policy:read', scope: 'project' },
      schema: {
        tags: ['policies'],
        summary: 'The detection policies of the project as a policy file (kind: DetectionPolicy), applied images added to their scope',
        params: projectParams,
      },
    },
    async (req) => detection.detectionPolicyFile(ctx, req.params.projectId),
  );

  app.get<{ Params: { projectId: string } }>(
    '/api/v1/projects/:projectId/detection/effective',
    {
      config: { action: 'policy:read', scope: 'project' },
      schema: {
        tags: ['policies'],
        summary: 'The effective detection configuration: enabled types, severities, thresholds and allowlists, and the policy each comes from',
        params: projectParams,
      },
    },
    async (req) => detection.effectiveDetectionOf(ctx, req.params.projectId),
  );
}
