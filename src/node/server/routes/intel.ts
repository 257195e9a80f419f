// Threat-IP entries (global and per project: addThreatIp / deleteThreatIp)
// and custom rule files of a project (addRule / modifyRule / deleteRule):
// what the server pushes to its agents' rule engines with the policies
// (services/intel.ts, docs/rules.md).
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import * as intel from '../../services/intel.js';
import { callerOf } from '../auth-hook.js';
import { ok, params, projectParams } from './common.js';

const entriesBody = {
  type: 'object',
  properties: {
    entries: {
      type: 'array',
      minItems: 1,
      maxItems: 1000,
      items: {
        type: 'object',
        properties: { cidr: { type: 'string', minLength: 1, maxLength: 64 }, comment: { type: 'string', maxLength: 200 } },
        required: ['cidr'],
        additionalProperties: false,
      },
    },
  },
  required: ['entries'],
  additionalProperties: false,
} as const;

const ruleName = { type: 'string', minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' } as const;
const ruleContent = { type: 'string', minLength: 1, maxLength: intel.MAX_RULE_FILE_BYTES } as const;

type Entries = { entries: Array<{ cidr: string; comment?: string }> };

export function registerIntelRoutes(app: FastifyInstance, ctx: ServerContext): void {
  // The same three routes globally and per project.
  for (const [base, scope, extraParams] of [
    ['/api/v1/threat-ips', 'global', undefined],
    ['/api/v1/projects/:projectId/threat-ips', 'project', projectParams],
  ] as const) {
    const projectOf = (p: { projectId?: string }) => (scope === 'global' ? null : p.projectId!);
    const where = scope === 'global' ? 'global (every agent)' : "the project's";
    app.get<{ Params: { projectId?: string } }>(
      base,
      {
        config: { action: 'threatip:read', scope },
        schema: { tags: ['intel'], summary: `List ${where} threat-IP entries`, ...(extraParams ? { params: extraParams } : {}) },
      },
      async (req) => intel.listThreatIps(ctx, projectOf(req.params)),
    );
    app.post<{ Params: { projectId?: string }; Body: Entries }>(
      base,
      {
        config: { action: 'threatip:create', scope, event: 'addThreatIp' },
        schema: {
          tags: ['intel'],
          summary: `Add ${where} threat-IP entries: addresses or CIDRs with a comment (addThreatIp)`,
          ...(extraParams ? { params: extraParams } : {}),
          body: entriesBody,
        },
      },
      async (req, reply) => reply.code(201).send(await intel.addThreatIps(ctx, callerOf(req), projectOf(req.params), req.body.entries)),
    );
    app.delete<{ Params: { projectId?: string; threatIpId: string } }>(
      `${base}/:threatIpId`,
      {
        config: { action: 'threatip:delete', scope, event: 'deleteThreatIp' },
        schema: {
          tags: ['intel'],
          summary: `Delete one of ${where} threat-IP entries (deleteThreatIp)`,
          params: scope === 'global' ? params('threatIpId') : params('projectId', 'threatIpId'),
        },
      },
      async (req) => ok(intel.deleteThreatIp(ctx, callerOf(req), projectOf(req.params), req.params.threatIpId)),
    );
  }

  const ruleParams = params('projectId', 'ruleId');
  app.get<{ Params: { projectId: string } }>(
    '/api/v1/projects/:projectId/rules',
    {
      config: { action: 'rule:read', scope: 'project' },
      schema: { tags: ['intel'], summary: 'List the custom rule files of the project', params: projectParams },
    },
    async (req) => intel.listRules(ctx, req.params.projectId),
  );
  app.post<{ Params: { projectId: string }; Body: { name: string; content: string; enabled?: boolean } }>(
    '/api/v1/projects/:projectId/rules',
    {
      config: { action: 'rule:create', scope: 'project', event: 'addRule' },
      schema: {
        tags: ['intel'],
        summary: 'Upload a Falco-style rule file (addRule); a file that does not load is refused with its diagnostics (line, column)',
        params: projectParams,
        body: {
          type: 'object',
          properties: { name: ruleName, content: ruleContent, enabled: { type: 'boolean' } },
          required: ['name', 'content'],
          additionalProperties: false,
        },
      },
    },
    async (req, reply) => reply.code(201).send(await intel.addRule(ctx, callerOf(req), req.params.projectId, req.body)),
  );
  app.get<{ Params: { projectId: string; ruleId: string } }>(
    '/api/v1/projects/:projectId/rules/:ruleId',
    {
      config: { action: 'rule:read', scope: 'project' },
      schema: { tags: ['intel'], summary: 'Read a custom rule file with its content', params: ruleParams },
    },
    async (req) => intel.getRule(ctx, req.params.projectId, req.params.ruleId),
  );
  app.patch<{ Params: { projectId: string; ruleId: string }; Body: { enabled?: boolean; content?: string } }>(
    '/api/v1/projects/:projectId/rules/:ruleId',
    {
      config: { action: 'rule:update', scope: 'project', event: 'modifyRule' },
      schema: {
        tags: ['intel'],
        summary: 'Enable, disable or replace a rule file (modifyRule)',
        params: ruleParams,
        body: { type: 'object', properties: { enabled: { type: 'boolean' }, content: ruleContent }, additionalProperties: false, minProperties: 1 },
      },
    },
    async (req) => intel.updateRule(ctx, callerOf(req), req.params.projectId, req.params.ruleId, req.body),
  );
  app.delete<{ Params: { projectId: string; ruleId: string } }>(
    '/api/v1/projects/:projectId/rules/:ruleId',
    {
      config: { action: 'rule:delete', scope: 'project', event: 'deleteRule' },
      schema: { tags: ['intel'], summary: 'Delete a rule file (deleteRule)', params: ruleParams },
    },
    async (req) => ok(intel.deleteRule(ctx, callerOf(req), req.params.projectId, req.params.ruleId)),
  );
}
