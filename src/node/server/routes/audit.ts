// The audit trail over HTTP: query, verify the hash chain, export (JSON lines, CSV).
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import { exportTrail, listAudit, verifyTrail } from '../../services/audit.js';
import { ID } from './common.js';

export function registerAuditRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get<{ Querystring: { event?: string; project?: string; user?: string; since?: string; until?: string; after?: number; limit?: number } }>(
    '/api/v1/audit',
    {
      config: { action: 'audit:read', scope: 'global' },
      schema: {
        tags: ['audit'],
        summary: 'Query the operations audit trail, oldest first (after= pages by sequence number)',
        querystring: {
          type: 'object',
          properties: {
            event: { type: 'string', maxLength: 60 },
            project: ID,
            user: { type: 'string', minLength: 1, maxLength: 100, description: 'exact user name of the actor' },
            since: { type: 'string', format: 'date-time', description: 'records at or after this time' },
            until: { type: 'string', format: 'date-time', description: 'records before this time' },
            after: { type: 'integer', minimum: 0 },
            limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
          },
          additionalProperties: false,
        },
      },
    },
    async (req) => listAudit(ctx, req.query),
  );

  app.get(
    '/api/v1/audit/verify',
    {
      config: { action: 'audit:read', scope: 'global' },
      schema: { tags: ['audit'], summary: 'Verify the hash chain; names the first record that does not verify' },
    },
    async () => verifyTrail(ctx),
  );

  app.get<{ Querystring: { format?: 'jsonl' | 'csv' } }>(
    '/api/v1/audit/export',
    {
      config: { action: 'audit:read', scope: 'global' },
      schema: {
        tags: ['audit'],
        summary: 'Export the whole trail as JSON lines or CSV',
        querystring: { type: 'object', properties: { format: { type: 'string', enum: ['jsonl', 'csv'], default: 'jsonl' } }, additionalProperties: false },
      },
    },
    async (req, reply) => {
      const format = req.query.format ?? 'jsonl';
      reply.type(format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson');
      reply.header('content-disposition', `attachment; filename="vigil-audit.${format}"`);
      return reply.send(Readable.from(exportTrail(ctx, format)));
    },
  );
}
