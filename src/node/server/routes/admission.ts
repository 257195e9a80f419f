// Admission for a project: the image-admission policies in the model the
// webhook and the Docker plugin evaluate, the facts of an image, and the
// "what would happen" evaluation of a pod/workload object or an image
// against the project's policies (or draft policies given in the request).
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import { callerOf } from '../auth-hook.js';
import { projectParams, routes, type Ids } from './common.js';
import * as admission from '../../services/admission.js';
import type { EvaluateRequest } from '../../services/admission.js';

export function registerAdmissionRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const route = routes(app, { tag: 'admission', scope: 'project' });
  type Project = { Params: Ids<'projectId'> };
  route<Project>(
    'GET /api/v1/projects/:projectId/admission/policies',
    { action: 'policy:read', summary: 'The image-admission policies of the project, in the evaluated model', params: projectParams },
    async (req) => ({ policies: await admission.listAdmissionPolicies(ctx, req.params.projectId) }),
  );
  route<Project & { Querystring: { image: string } }>(
    'GET /api/v1/projects/:projectId/admission/image-facts',
    {
      action: 'image:read',
      summary: 'What scans know about an image (by digest or registry/repository:tag): the input of admission decisions',
      params: projectParams,
      querystring: {
        type: 'object',
        properties: { image: { type: 'string', minLength: 1, maxLength: 1000 } },
        required: ['image'],
        additionalProperties: false,
      },
    },
    (req) => admission.imageFacts(ctx, req.params.projectId, req.query.image),
  );
  route<Project & { Body: EvaluateRequest }>(
    'POST /api/v1/projects/:projectId/admission/evaluate',
    {
      action: 'admission:evaluate',
      event: 'evaluateAdmission',
      bodyLimit: 2 * 1024 * 1024,
      summary: 'What would happen: evaluate a pod or workload object, or an image, against the admission policies (changes nothing)',
      params: projectParams,
      body: {
        type: 'object',
        additionalProperties: false,
        minProperties: 1,
        properties: {
          object: { type: 'object' },
          image: { type: 'string', minLength: 1, maxLength: 1000 },
          namespace: { type: 'string', maxLength: 253 },
          labels: { type: 'object', maxProperties: 50, additionalProperties: { type: 'string', maxLength: 500 } },
          target: { type: 'string', enum: ['kubernetes', 'docker'] },
          policies: { type: 'array', minItems: 1, maxItems: 50 },
        },
      },
    },
    (req) => admission.evaluateAdmission(ctx, callerOf(req), req.params.projectId, req.body),
  );
}
