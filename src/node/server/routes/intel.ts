// Threat-IP entries (global and per project: addThreatIp / deleteThreatIp)
// and custom rule files of a project (addRule / modifyRule / deleteRule):
// what the server pushes to its agents' rule engines with the policies
// (services/intel.ts, docs/rules.md).
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import * as intel from '../../services/intel.js';
import { callerOf } from '../auth-hook.js';
import { ok, params, projectObjects, projectParams, routes, type Ids } from './common.js';

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
  for (const [base, scope] of [
    ['/api/v1/threat-ips', 'global'],
    ['/api/v1/projects/:projectId/threat-ips', 'project'],
  ] as const) {
    const route = routes(app, { tag: 'intel', scope });
    const projectOf = (p: { projectId?: string }) => (scope === 'global' ? null : p.projectId!);
    const where = scope === 'global' ? 'global (every agent)' : "the project's";
    const listParams = scope === 'global' ? undefined : projectParams;
    type P = { Params: { projectId?: string } };
    route<P>(`GET ${base}`, { action: 'threatip:read', summary: `List ${where} threat-IP entries`, params: listParams }, (req) =>
      intel.listThreatIps(ctx, projectOf(req.params)),
    );
    route<P & { Body: Entries }>(
      `POST ${base}`,
      {
        action: 'threatip:create',
        event: 'addThreatIp',
        summary: `Add ${where} threat-IP entries: addresses or CIDRs with a comment (addThreatIp)`,
        params: listParams,
        body: entriesBody,
        status: 201,
      },
      (req) => intel.addThreatIps(ctx, callerOf(req), projectOf(req.params), req.body.entries),
    );
    route<{ Params: { projectId?: string; threatIpId: string } }>(
      `DELETE ${base}/:threatIpId`,
      {
        action: 'threatip:delete',
        event: 'deleteThreatIp',
        summary: `Delete one of ${where} threat-IP entries (deleteThreatIp)`,
        params: scope === 'global' ? params('threatIpId') : params('projectId', 'threatIpId'),
      },
      (req) => ok(intel.deleteThreatIp(ctx, callerOf(req), projectOf(req.params), req.params.threatIpId)),
    );
  }

  const route = routes(app, { tag: 'intel', scope: 'project' });
  const rule = projectObjects(route, 'rule', 'rules');
  type Rule = { Params: Ids<'projectId' | 'ruleId'> };
  route<{ Params: Ids<'projectId'> }>(
    'GET /api/v1/projects/:projectId/rules',
    { action: 'rule:read', summary: 'List the custom rule files of the project', params: projectParams },
    (req) => intel.listRules(ctx, req.params.projectId),
  );
  rule.add<{ name: string; content: string; enabled?: boolean }>(
    {
      event: 'addRule',
      summary: 'Upload a Falco-style rule file (addRule); a file that does not load is refused with its diagnostics (line, column)',
      body: {
        type: 'object',
        properties: { name: ruleName, content: ruleContent, enabled: { type: 'boolean' } },
        required: ['name', 'content'],
        additionalProperties: false,
      },
    },
    (caller, projectId, body) => intel.addRule(ctx, caller, projectId, body),
  );
  rule.read('Read a custom rule file with its content', (projectId, id) => intel.getRule(ctx, projectId, id));
  route<Rule & { Body: { enabled?: boolean; content?: string } }>(
    'PATCH /api/v1/projects/:projectId/rules/:ruleId',
    {
      action: 'rule:update',
      event: 'modifyRule',
      summary: 'Enable, disable or replace a rule file (modifyRule)',
      params: rule.params,
      body: { type: 'object', properties: { enabled: { type: 'boolean' }, content: ruleContent }, additionalProperties: false, minProperties: 1 },
    },
    (req) => intel.updateRule(ctx, callerOf(req), req.params.projectId, req.params.ruleId, req.body),
  );
  rule.remove({ event: 'deleteRule', summary: 'Delete a rule file (deleteRule)' }, (caller, projectId, id) => intel.deleteRule(ctx, caller, projectId, id));
}
