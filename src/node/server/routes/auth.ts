// Login (rate limited, public), logout and "who am I".
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import { verifyPassword } from '../../../core/auth/password.js';
import { hashToken, newTokenSecret, actorOf } from '../auth-hook.js';
import { newId } from '../../store/ids.js';
import { appendAudit, auditOnly } from '../../store/audit-log.js';
import { HttpError } from '../http-errors.js';

// A fixed hash so unknown users take as long as known ones.
const DUMMY_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';

export function registerAuthRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.post<{ Body: { username: string; password: string } }>('/api/v1/auth/login', {
    config: { action: 'public:login', scope: 'public', rateLimit: { max: ctx.config.loginRateLimit, timeWindow: '1 minute' } },
    schema: {
      tags: ['auth'], summary: 'Log in with a local user; returns a session token (Bearer)',
      body: { type: 'object', properties: { username: { type: 'string', minLength: 1, maxLength: 100 }, password: { type: 'string', minLength: 1, maxLength: 200 } }, required: ['username', 'password'], additionalProperties: false },
      response: { 200: { type: 'object', properties: { token: { type: 'string' }, expiresAt: { type: 'string' }, userId: { type: 'string' } } } },
    },
  }, async (req) => {
    const { username, password } = req.body;
    const user = await ctx.store.db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
    const ok = await verifyPassword(password, user?.password_hash ?? DUMMY_HASH);
    if (!user || !ok || user.disabled) {
      await auditOnly(ctx.store, { ...actorOf(req), username }, { event: 'login', resourceType: 'user', resourceId: user?.id ?? '', result: 'failure' });
      throw new HttpError(401, 'BAD_CREDENTIALS', 'wrong username or password');
    }
    const token = newTokenSecret('vgs');
    const now = ctx.clock();
    const expiresAt = new Date(now.getTime() + ctx.config.sessionTtlHours * 3600_000).toISOString();
    await ctx.store.db.transaction().execute(async (trx) => {
      await trx.insertInto('tokens').values({ id: newId(), user_id: user.id, kind: 'session', name: 'login', token_hash: hashToken(token), created_at: now.toISOString(), expires_at: expiresAt, revoked_at: null, last_used_at: null }).execute();
      await appendAudit(trx, ctx.store, { ...actorOf(req), userId: user.id, username }, { event: 'login', resourceType: 'user', resourceId: user.id }, now);
    });
    return { token, expiresAt, userId: user.id };
  });

  app.post('/api/v1/auth/logout', {
    config: { action: 'session:self', scope: 'self', event: 'logout' },
    schema: { tags: ['auth'], summary: 'Revoke the token of this request' },
  }, async (req) => {
    const now = ctx.clock();
    await ctx.store.db.transaction().execute(async (trx) => {
      await trx.updateTable('tokens').set({ revoked_at: now.toISOString() }).where('id', '=', req.auth!.tokenId).execute();
      await appendAudit(trx, ctx.store, actorOf(req), { event: 'logout', resourceType: 'token', resourceId: req.auth!.tokenId }, now);
    });
    ctx.authCache.clear();
    return { ok: true };
  });

  app.get('/api/v1/auth/me', {
    config: { action: 'session:self', scope: 'self' },
    schema: { tags: ['auth'], summary: 'The authenticated user and their role bindings' },
  }, async (req) => ({ userId: req.auth!.userId, username: req.auth!.username, tokenKind: req.auth!.tokenKind, bindings: req.auth!.bindings }));
}
