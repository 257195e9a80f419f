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
import type { PageQuery } from '../list-query.js';
import { callerOf } from '../auth-hook.js';
import { feedThreatIps } from '../../services/intel.js';
import { ID, ok, pageQuery, projectObjects, projectParams, routes, type Ids } from './common.js';

const bodyProps = {
  name: { type: 'string', minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' },
  kind: { type: 'string', enum: [...POLICY_KINDS] },
  mode: { type: 'string', enum: ['alert', 'enforce', 'warn', 'audit'] },
  document: { type: 'object', maxProperties: 20, additionalProperties: true },
} as const;

export function registerPolicyRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const route = routes(app, { tag: 'policies', scope: 'project' });
  const policy = projectObjects(route, 'policy', 'policies');
  type Project = { Params: Ids<'projectId'> };
  type One = { Params: Ids<'projectId' | 'policyId'> };

  policy.list<{ kind?: string }>('List policies', (projectId, query) => policies.listPolicies(ctx, projectId, query), {
    kind: { type: 'string', enum: [...POLICY_KINDS] },
  });
  policy.add<{ name: string; kind: PolicyKind; mode?: string; document: Record<string, unknown> }>(
    {
      event: 'addPolicy',
      summary: 'Add a policy (addPolicy)',
      body: { type: 'object', properties: bodyProps, required: ['name', 'kind', 'document'], additionalProperties: false },
    },
    (caller, projectId, body) => policies.addPolicy(ctx, caller, projectId, body),
  );
  policy.read('Read a policy with the images it applies to', (projectId, id) => policies.getPolicy(ctx, projectId, id));
  route<One & { Body: { mode?: string; document?: Record<string, unknown> } }>(
    'PATCH /api/v1/projects/:projectId/policies/:policyId',
    {
      action: 'policy:update',
      event: 'modifyPolicy',
      summary: 'Change a policy (modifyPolicy)',
      params: policy.params,
      body: { type: 'object', properties: { mode: bodyProps.mode, document: bodyProps.document }, additionalProperties: false, minProperties: 1 },
    },
    (req) => ok(policies.updatePolicy(ctx, callerOf(req), req.params.projectId, req.params.policyId, req.body)),
  );
  policy.remove({ event: 'deletePolicy', summary: 'Delete a policy (deletePolicy)' }, (caller, projectId, id) =>
    policies.deletePolicy(ctx, caller, projectId, id),
  );
  route<One & { Body: { imageIds: string[] } }>(
    'POST /api/v1/projects/:projectId/policies/:policyId/images',
    {
      action: 'policy:apply',
      event: 'imageApplyPolicy',
      summary: 'Apply a policy to images (imageApplyPolicy)',
      params: policy.params,
      body: {
        type: 'object',
        properties: { imageIds: { type: 'array', items: { type: 'string', maxLength: 64 }, minItems: 1, maxItems: 1000 } },
        required: ['imageIds'],
        additionalProperties: false,
      },
    },
    (req) => ok(policies.applyPolicy(ctx, callerOf(req), req.params.projectId, req.params.policyId, req.body.imageIds)),
  );
  route<One & { Querystring: PageQuery & { status?: learned.LearnedStatus } }>(
    'GET /api/v1/projects/:projectId/policies/:policyId/learned',
    {
      action: 'policy:read',
      summary: "Process-whitelist entries the policy's agents learned (learn mode), per node, with image, first seen and count",
      params: policy.params,
      querystring: pageQuery({ status: { type: 'string', enum: [...learned.LEARNED_STATUSES] } }),
    },
    (req) => learned.listLearned(ctx, req.params.projectId, req.params.policyId, req.query),
  );
  for (const [verb, decision, event, summary] of [
    ['accept', 'accepted', 'modifyPolicy', "Accept learned entries: their executables join the policy's whitelist (modifyPolicy)"],
    ['reject', 'rejected', 'rejectLearnedProcesses', 'Reject learned entries: dismissed, and the agents alert on them again (rejectLearnedProcesses)'],
  ] as const) {
    route<One & { Body: { ids: string[] } }>(
      `POST /api/v1/projects/:projectId/policies/:policyId/learned/${verb}`,
      {
        action: 'policy:update',
        event,
        summary,
        params: policy.params,
        body: {
          type: 'object',
          properties: { ids: { type: 'array', items: ID, minItems: 1, maxItems: 1000 } },
          required: ['ids'],
          additionalProperties: false,
        },
      },
      (req) => learned.decideLearned(ctx, callerOf(req), req.params.projectId, req.params.policyId, req.body.ids, decision),
    );
  }
  route<Project>(
    'GET /api/v1/projects/:projectId/detection/policies',
    {
      action: 'policy:read',
      summary: 'The detection policies of the project as a policy file (kind: DetectionPolicy), applied images added to their scope',
      params: projectParams,
    },
    (req) => detection.detectionPolicyFile(ctx, req.params.projectId),
  );
  route<Project>(
    'GET /api/v1/projects/:projectId/detection/effective',
    {
      action: 'policy:read',
      summary:
        "The effective detection configuration: enabled types, severities, thresholds and allowlists, and the policy each comes from; the project's custom rule files and threat-IP entry counts",
      params: projectParams,
    },
    (req) => detection.effectiveDetectionOf(ctx, req.params.projectId, feedThreatIps(ctx.scans.vulnDbPath)),
  );
}
