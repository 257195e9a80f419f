// Admission for a project: the image-admission policies in the model the
// webhook and the Docker plugin evaluate, the facts of an image, and the
// "what would happen" evaluation of a pod/workload object or an image
// against the project's policies (or draft policies given in the request).
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import { callerOf } from '../auth-hook.js';
import { projectParams } from './common.js';
import * as admission from '../../services/admission.js';
import type { EvaluateRequest } from '../../services/admission.js';

export function registerAdmissionRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get<{ Params: { projectId: string } }>(
    '/api/v1/projects/:projectId/admission/policies',
    {
      config: { action: 'policy:read', scope: 'project' },
      schema: { tags: ['admission'], summary: 'The image-admission policies of the project, in the evaluated model', params: projectParams },
    },
    async (req) => ({ policies: await admission.listAdmissionPolicies(ctx, req.params.projectId) }),
  );

  app.get<{ Params: { projectId: string }; Querystring: { image: string } }>(
    '/api/v1/projects/:projectId/admission/image-facts',
    {
      config: { action: 'image:read', scope: 'project' },
      schema: {
        tags: ['admission'],
        summary: 'What scans know about an image (by digest or registry/repository:tag): the input of admission decisions',
        params: projectParams,
        querystring: {
          type: 'object',
          properties: { image: { type: 'string', minLength: 1, maxLength: 1000 } },
          required: ['image'],
          additionalProperties: false,
        },
      },
    },
    async (req) => admission.imageFacts(ctx, req.params.projectId, req.query.image),
  );

  app.post<{ Params: { projectId: string }; Body: EvaluateRequest }>(
    '/api/v1/projects/:projectId/admission/evaluate',
    {
      config: { action: 'admission:evaluate', scope: 'project', event: 'evaluateAdmission' },
      bodyLimit: 2 * 1024 * 1024,
      schema: {
        tags: ['admission'],
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
    },
    async (req) => admission.evaluateAdmission(ctx, callerOf(req), req.params.projectId, req.body),
  );
}
