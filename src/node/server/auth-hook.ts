// Authentication and authorization, in one onRequest hook so that both run
// before body validation (an anonymous call gets 401, never 400): the bearer
// token (session or API token, stored as sha256) identifies the user; the
// route's declared `action` and `scope` are checked against the user's
// bindings. A route without an action is refused (fail closed).
import { createHash, randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { authorize, isRole, projectsFor, type Binding } from '../../core/auth/policy.js';
import type { ServerContext } from './context.js';
import { auditOnly, type Actor } from '../store/audit-log.js';

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** A new bearer secret: prefix says what it is (vgs_ session, vga_ API, vgr_ agent registration). */
export function newTokenSecret(prefix: 'vgs' | 'vga' | 'vgr'): string {
  return `${prefix}_${randomBytes(24).toString('base64url')}`;
}

export function actorOf(req: FastifyRequest): Actor {
  return {
    userId: req.auth?.userId ?? '',
    username: req.auth?.username ?? '',
    sourceIp: req.ip,
    userAgent: String(req.headers['user-agent'] ?? ''),
  };
}

export const AUTH_CACHE_MS = 2000;

export async function lookupToken(ctx: ServerContext, token: string): Promise<FastifyRequest['auth'] | undefined> {
  if (token.length < 10 || token.length > 200) return undefined;
  const key = hashToken(token);
  const hit = ctx.authCache.get(key);
  if (hit && Date.now() - hit.at < AUTH_CACHE_MS) return hit.auth;
  const auth = await lookupTokenInStore(ctx, key);
  if (auth) {
    if (ctx.authCache.size > 10_000) ctx.authCache.clear();
    ctx.authCache.set(key, { at: Date.now(), auth });
  }
  return auth;
}

async function lookupTokenInStore(ctx: ServerContext, tokenHash: string): Promise<FastifyRequest['auth'] | undefined> {
  const now = ctx.clock().toISOString();
  const row = await ctx.store.db.selectFrom('tokens')
    .innerJoin('users', 'users.id', 'tokens.user_id')
    .select(['tokens.id as tokenId', 'tokens.kind', 'tokens.expires_at', 'tokens.revoked_at', 'users.id as userId', 'users.username', 'users.disabled'])
    .where('tokens.token_hash', '=', tokenHash)
    .executeTakeFirst();
  if (!row || row.revoked_at || row.disabled || (row.expires_at && row.expires_at <= now)) return undefined;
  const bindings = await ctx.store.db.selectFrom('role_bindings').select(['role', 'project_id', 'actions']).where('user_id', '=', row.userId).execute();
  return {
    userId: row.userId,
    username: row.username,
    tokenId: row.tokenId,
    tokenKind: row.kind === 'api' ? 'api' : 'session',
    bindings: bindings.filter((b) => isRole(b.role)).map((b): Binding => ({ role: b.role as Binding['role'], projectId: b.project_id, actions: JSON.parse(b.actions) as string[] })),
  };
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
        await auditOnly(ctx.store, actorOf(req), { event: cfg.event, projectId, resourceType: 'request', resourceId: req.routeOptions.url ?? '', summary: { method: req.method }, result: 'failure' });
      }
      return deny(reply, 403, `${cfg.action} not allowed${projectId ? ` on project ${projectId}` : ''}`);
    }
    if (scope === 'project') req.allowedProjects = projectId ? [projectId] : projectsFor(auth.bindings, cfg.action);
  });
}
