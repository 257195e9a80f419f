// Health and metrics: `/healthz` (public: checks the store answers) and
// Prometheus `/metrics` (needs metrics:read unless --metrics-public).
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import { storeAnswers } from '../../services/health.js';
import { vulnDbStatus } from '../../jobs/vulndb-identity.js';
import { routes } from './common.js';

export function registerHealthRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const route = routes(app, { tag: 'health', scope: 'public' });
  route('GET /healthz', { action: 'public:health', summary: 'Liveness and store health' }, async (_req, reply) => {
    try {
      // Which vulnerability DB this replica serves, and whether it is behind the deployment's newest.
      if (await storeAnswers(ctx)) return { status: 'ok', db: ctx.store.dialect, vulnDb: await vulnDbStatus(ctx.store, ctx.vulnDb) };
    } catch {
      // the store answered the probe but not the DB status: unavailable too
    }
    return reply.code(503).send({ status: 'unavailable', db: ctx.store.dialect });
  });
  route(
    'GET /metrics',
    {
      ...(ctx.config.metricsPublic ? { action: 'public:metrics' } : { action: 'metrics:read', scope: 'global' }),
      summary: 'Prometheus metrics (text format)',
    },
    (_req, reply) => {
      reply.type('text/plain; version=0.0.4');
      return ctx.metrics.render();
    },
  );
}
