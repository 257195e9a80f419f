// The Fastify application: plugins (security headers, rate limit, OpenAPI +
// docs UI), the auth hook, metrics, the error handler and every route
// module. Each route records itself in a route table, which the
// authorization matrix test walks.
import Fastify, { type FastifyInstance, type FastifyError } from 'fastify';
import helmet from '@fastify/helmet';
import rateLimit, { type FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { ServerContext } from './context.js';
import { installAuthHook } from './auth-hook.js';
import { trustedProxyList } from './config.js';
import { sharedRateLimitStore } from './rate-limit-store.js';
import { Ajv } from 'ajv';
import addFormatsImport from 'ajv-formats';
import { HttpError } from '../services/errors.js';
import { InputError } from '../../core/errors.js';
import { auditOnly } from '../store/audit-log.js';
import { actorOf } from './auth-hook.js';
import { registerHealthRoutes } from './routes/health.js';
import { registerAuthRoutes } from './routes/auth.js';
import { registerUserRoutes } from './routes/users.js';
import { registerProjectRoutes } from './routes/projects.js';
import { registerRegistryRoutes } from './routes/registries.js';
import { registerImageRoutes } from './routes/images.js';
import { registerPolicyRoutes } from './routes/policies.js';
import { registerIntelRoutes } from './routes/intel.js';
import { registerAdmissionRoutes } from './routes/admission.js';
import { registerClusterRoutes } from './routes/clusters.js';
import { registerAlertRoutes } from './routes/alerts.js';
import { registerAuditRoutes } from './routes/audit.js';
import { registerSettingRoutes } from './routes/settings.js';
import { registerOverviewRoutes } from './routes/overview.js';
import { registerConsole } from './console.js';
import { RESPONSES } from './responses.js';

export interface RouteInfo {
  method: string;
  url: string;
  action?: string;
  scope?: string;
  event?: string;
}

const routeTables = new WeakMap<FastifyInstance, RouteInfo[]>();

/** Every route of the app with its declared action and scope. */
export function routeTable(app: FastifyInstance): RouteInfo[] {
  return routeTables.get(app) ?? [];
}

export const DOCS_PREFIX = '/api/docs';

// ajv-formats is CommonJS: under tsx and node its default import is the function (as in agent/link-server.ts).
const addFormats = addFormatsImport as unknown as (a: Ajv) => void;

/**
 * Request validators: bodies are JSON and must have the declared types (no
 * coercion: `{"name":123}` is a 400, not the string "123"); query strings,
 * path parameters and headers are text and are coerced to the declared
 * number/boolean types.
 */
function validatorCompilers(): { body: Ajv; text: Ajv } {
  const base = { removeAdditional: false, useDefaults: true, allErrors: false, strict: false, addUsedSchema: false } as const;
  const body = new Ajv({ ...base, coerceTypes: false });
  const text = new Ajv({ ...base, coerceTypes: 'array' });
  addFormats(body);
  addFormats(text);
  return { body, text };
}

/** The error code of a 4xx that a plugin raised (e.g. the rate limit's 429). */
function clientErrorCode(status: number, code: string | undefined): string {
  if (status === 429) return 'RATE_LIMITED';
  if (status === 413) return 'BODY_TOO_LARGE';
  if (status === 415) return 'UNSUPPORTED_MEDIA_TYPE';
  return code && /^[A-Z][A-Z0-9_]*$/.test(code) && !code.startsWith('FST_') ? code : 'BAD_REQUEST';
}

function isUniqueViolation(e: unknown): boolean {
  const code = (e as { code?: string })?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/**
 * `schemaSerializer: false` (tests only) answers with JSON.stringify instead of the response schemas' serializers,
 * which drop fields a schema does not list: the response-schema test then sees every field a service returns.
 */
export async function buildApp(ctx: ServerContext, o: { schemaSerializer?: boolean } = {}): Promise<FastifyInstance> {
  const proxies = trustedProxyList(ctx.config.trustedProxies);
  const app = Fastify({
    loggerInstance: ctx.log,
    // req.ip: the peer, or the X-Forwarded-For client when the peer is a configured proxy.
    trustProxy: proxies.length ? proxies : false,
    bodyLimit: ctx.config.bodyLimitBytes,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true } },
  });
  const compilers = validatorCompilers();
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? compilers.body : compilers.text).compile(schema));
  if (o.schemaSerializer === false) app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  const table: RouteInfo[] = [];
  routeTables.set(app, table);
  app.addHook('onRoute', (r) => {
    // The docs plugin's routes are public by definition; every other route must declare its own action.
    if (r.url.startsWith(DOCS_PREFIX) && !r.config?.action) r.config = { ...(r.config ?? {}), action: 'public:docs', scope: 'public' };
    const methods = Array.isArray(r.method) ? r.method : [r.method];
    for (const m of methods) if (m !== 'HEAD') table.push({ method: m, url: r.url, action: r.config?.action, scope: r.config?.scope, event: r.config?.event });
  });

  await app.register(helmet, {
    // The console's scripts are bundled files of this origin; its component library injects <style> elements (hence 'unsafe-inline' for styles only).
    contentSecurityPolicy: {
      directives: {
        'script-src': ["'self'"],
        'style-src': ["'self'", "'unsafe-inline'"],
        'img-src': ["'self'", 'data:', 'validator.swagger.io'],
        'connect-src': ["'self'"],
        'worker-src': ["'self'", 'blob:'],
      },
    },
  });
  // Limits per client address (req.ip); on PostgreSQL counted in the shared database, so they hold across replicas.
  await app.register(rateLimit, {
    global: ctx.config.apiRateLimit > 0,
    max: ctx.config.apiRateLimit || 1,
    timeWindow: '1 minute',
    keyGenerator: (req) => req.ip,
    allowList: (req) => req.url === '/healthz',
    ...(ctx.store.dialect === 'postgres'
      ? { store: sharedRateLimitStore(ctx.store.db, (e) => ctx.log.warn({ err: e }, 'rate limit sweep failed')) as unknown as FastifyRateLimitStoreCtor }
      : {}),
  });
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Vigil management API',
        version: '1',
        description: 'REST API of the Vigil management server. Authenticate with `Authorization: Bearer <token>` (login or API token).',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: DOCS_PREFIX, staticCSP: true });

  app.setErrorHandler(async (err: FastifyError | HttpError | InputError | Error, req, reply) => {
    let status: number;
    let body: { error: string; message: string };
    if (err instanceof HttpError) [status, body] = [err.statusCode, { ...err.details, error: err.code, message: err.message }];
    else if ((err as FastifyError).validation) [status, body] = [400, { error: 'VALIDATION', message: err.message }];
    else if (err instanceof InputError) [status, body] = [400, { error: err.code, message: err.message }];
    else if (isUniqueViolation(err)) [status, body] = [409, { error: 'CONFLICT', message: 'already exists' }];
    else {
      const s = (err as FastifyError).statusCode;
      if (!s || s < 400 || s >= 500) {
        req.log.error({ err }, 'request failed');
        return reply.code(500).send({ error: 'INTERNAL', message: 'internal error' });
      }
      [status, body] = [s, { error: clientErrorCode(s, (err as FastifyError).code), message: err.message }];
    }
    // A refused or failed change is in the trail with its result, as cloud audit services record them
    // (403s are recorded by the auth hook; a service's own failure records are marked `audited`).
    const event = req.routeOptions.config?.event;
    if (event && req.auth && status !== 401 && status !== 429 && !(err as { audited?: boolean }).audited) {
      const params = (req.params ?? {}) as Record<string, string>;
      await auditOnly(ctx.store, actorOf(req), {
        event,
        projectId: params.projectId,
        resourceType: 'request',
        resourceId: req.routeOptions.url ?? '',
        summary: { method: req.method, status, error: body.error, message: body.message.slice(0, 200) },
        result: 'failure',
      }).catch((e: unknown) => req.log.warn({ err: e }, 'audit of a refused request failed'));
    }
    return reply.code(status).send(body);
  });
  app.setNotFoundHandler((req, reply) => reply.code(404).send({ error: 'NOT_FOUND', message: `no route ${req.method} ${req.url.split('?')[0]}` }));

  installAuthHook(app, ctx);
  app.addHook('onResponse', async (req, reply) => {
    ctx.metrics.observeRequest(req.method, req.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
  });

  // Routes that declare no response schema get theirs from the one table (./responses.ts).
  app.addHook('onRoute', (r) => {
    const methods = Array.isArray(r.method) ? r.method : [r.method];
    const resp = methods.length === 1 ? RESPONSES[`${methods[0]} ${r.url}`] : undefined;
    if (resp && !r.schema?.response) r.schema = { ...(r.schema ?? {}), response: resp };
  });
  registerHealthRoutes(app, ctx);
  registerAuthRoutes(app, ctx);
  registerUserRoutes(app, ctx);
  registerProjectRoutes(app, ctx);
  registerRegistryRoutes(app, ctx);
  registerImageRoutes(app, ctx);
  registerPolicyRoutes(app, ctx);
  registerIntelRoutes(app, ctx);
  registerAdmissionRoutes(app, ctx);
  registerClusterRoutes(app, ctx);
  registerAlertRoutes(app, ctx);
  registerAuditRoutes(app, ctx);
  registerSettingRoutes(app, ctx);
  registerOverviewRoutes(app, ctx);
  await registerConsole(app, ctx.config.consoleDir);
  await app.ready();
  return app;
}
