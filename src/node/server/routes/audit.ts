// The audit trail over HTTP: query, verify the hash chain, export (JSON lines, CSV).
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import { exportTrail, listAudit, verifyTrail, type AuditFilterParams } from '../../services/audit.js';
import { ID, routes } from './common.js';

/** The filters the query and the export share. */
const FILTERS = {
  event: { type: 'string', maxLength: 60 },
  project: ID,
  user: { type: 'string', minLength: 1, maxLength: 100, description: 'exact user name of the actor' },
  since: { type: 'string', format: 'date-time', description: 'records at or after this time' },
  until: { type: 'string', format: 'date-time', description: 'records before this time' },
} as const;

/** The most records one export writes (a bound on its time; narrow the filters or page by time for more). */
export const MAX_EXPORT_RECORDS = 1_000_000;

export function registerAuditRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const route = routes(app, { tag: 'audit', scope: 'global' });
  route<{ Querystring: AuditFilterParams & { after?: number; limit?: number } }>(
    'GET /api/v1/audit',
    {
      action: 'audit:read',
      summary: 'Query the operations audit trail, oldest first (after= pages by sequence number)',
      querystring: {
        type: 'object',
        properties: {
          ...FILTERS,
          after: { type: 'integer', minimum: 0 },
          limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
        },
        additionalProperties: false,
      },
    },
    (req) => listAudit(ctx, req.query),
  );
  route('GET /api/v1/audit/verify', { action: 'audit:read', summary: 'Verify the hash chain; names the first record that does not verify' }, () =>
    verifyTrail(ctx),
  );
  route<{ Querystring: AuditFilterParams & { format?: 'jsonl' | 'csv'; limit?: number } }>(
    'GET /api/v1/audit/export',
    {
      action: 'audit:read',
      summary: 'Export the records the filters select (the whole trail without), oldest first, as JSON lines or CSV, streamed',
      querystring: {
        type: 'object',
        properties: {
          ...FILTERS,
          format: { type: 'string', enum: ['jsonl', 'csv'], default: 'jsonl' },
          limit: { type: 'integer', minimum: 1, maximum: MAX_EXPORT_RECORDS, default: MAX_EXPORT_RECORDS, description: 'at most this many records' },
        },
        additionalProperties: false,
      },
    },
    (req, reply) => {
      const { format = 'jsonl', limit, ...filters } = req.query;
      reply.type(format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson');
      reply.header('content-disposition', `attachment; filename="vigil-audit.${format}"`);
      return reply.send(Readable.from(exportTrail(ctx, format, { ...filters, max: limit ?? MAX_EXPORT_RECORDS })));
    },
  );
}
