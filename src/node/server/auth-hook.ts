// Authentication and authorization, in one onRequest hook so that both run
// before body validation (an anonymous call gets 401, never 400): the bearer
// token (session or API token, stored as sha256) identifies the user; the
// route's declared `action` and `scope` are checked against the user's
// bindings. A route without an action is refused (fail closed).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { authorize, projectsFor } from '../../core/auth/policy.js';
import type { ServerContext } from './context.js';
import { auditOnly, type Actor } from '../store/audit-log.js';
import { hashToken } from '../crypto/tokens.js';
import { identityOfToken } from '../services/auth.js';
import type { Caller } from '../services/common.js';

export function actorOf(req: FastifyRequest): Actor {
  return {
    userId: req.auth?.userId ?? '',
    username: req.auth?.username ?? '',
    sourceIp: req.ip,
    userAgent: String(req.headers['user-agent'] ?? ''),
  };
}

/** The caller of a state-changing route: its actor and the route's declared audit event. */
export function callerOf(req: FastifyRequest): Caller {
  return { actor: actorOf(req), event: req.routeOptions.config?.event ?? '' };
}

export const AUTH_CACHE_MS = 2000;

export async function lookupToken(ctx: ServerContext, token: string): Promise<FastifyRequest['auth'] | undefined> {
  if (token.length < 10 || token.length > 200) return undefined;
  const key = hashToken(token);
  const hit = ctx.authCache.get(key);
  if (hit && Date.now() - hit.at < AUTH_CACHE_MS) return hit.auth;
  const auth = await identityOfToken(ctx, key);
  if (auth) {
    if (ctx.authCache.size > 10_000) ctx.authCache.clear();
    ctx.authCache.set(key, { at: Date.now(), auth });
  }
  return auth;
}

function deny(reply: FastifyReply, status: 401 | 403, message: string): FastifyReply {
  if (status === 401) reply.header('www-authenticate', 'Bearer');
  return reply.code(status).send({ error: status === 401 ? 'UNAUTHENTICATED' : 'FORBIDDEN', message });
}

export function installAuthHook(app: FastifyInstance, ctx: ServerContext): void {
  app.addHook('onRequest', async (req, reply) => {
    const cfg = req.routeOptions.config ?? {};
    const scope = cfg.scope;
    if (scope === 'public') return;
    const h = req.headers.authorization;
    const m = typeof h === 'string' ? /^Bearer\s+(\S+)$/i.exec(h) : null;
    const auth = m ? await lookupToken(ctx, m[1]!) : undefined;
    if (!auth) return deny(reply, 401, m ? 'invalid or expired token' : 'authentication required: Authorization: Bearer <token>');
    req.auth = auth;
    // No action declared (or an unknown URL): refuse rather than guess.
    if (!cfg.action || !scope) return reply.code(404).send({ error: 'NOT_FOUND', message: `no route ${req.method} ${req.url.split('?')[0]}` });
    const params = (req.params ?? {}) as Record<string, string>;
    const query = (req.query ?? {}) as Record<string, unknown>;
    const projectId = params.projectId ?? (typeof query.project === 'string' ? query.project : undefined);
    if (!authorize(auth.bindings, cfg.action, scope, projectId)) {
      if (cfg.event) {
        await auditOnly(ctx.store, actorOf(req), {
          event: cfg.event,
          projectId,
          resourceType: 'request',
          resourceId: req.routeOptions.url ?? '',
          summary: { method: req.method },
          result: 'failure',
        });
      }
      return deny(reply, 403, `${cfg.action} not allowed${projectId ? ` on project ${projectId}` : ''}`);
    }
    if (scope === 'project') req.allowedProjects = projectId ? [projectId] : projectsFor(auth.bindings, cfg.action);
  });
}
