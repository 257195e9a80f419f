// Users and role bindings (Administrator domain) and the caller's own API
// tokens (shown once, stored hashed, expiring, revocable).
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import { hashPassword } from '../../../core/auth/password.js';
import { ROLES, isRole } from '../../../core/auth/policy.js';
import { isAction } from '../../../core/auth/actions.js';
import { newId } from '../../store/ids.js';
import { mutate } from '../mutate.js';
import { badRequest, conflict, notFound } from '../http-errors.js';
import { pageOf, pageQuerySchema, type PageQuery } from '../list-query.js';
import { ID, params, toApi } from './common.js';
import { hashToken, newTokenSecret } from '../auth-hook.js';

const passwordSchema = { type: 'string', minLength: 8, maxLength: 200 } as const;

export async function createUser(ctx: ServerContext, trx: import('../../store/store.js').Tx, username: string, password: string): Promise<string> {
  const id = newId();
  const exists = await trx.selectFrom('users').select('id').where('username', '=', username).executeTakeFirst();
  if (exists) throw conflict(`user ${username} exists`);
  await trx.insertInto('users').values({ id, username, password_hash: await hashPassword(password), disabled: 0, created_at: ctx.clock().toISOString() }).execute();
  return id;
}

export function registerUserRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const db = ctx.store.db;
  app.get<{ Querystring: PageQuery & { username?: string } }>('/api/v1/users', {
    config: { action: 'user:read', scope: 'global' },
    schema: { tags: ['users'], summary: 'List users', querystring: { type: 'object', properties: { ...pageQuerySchema, username: { type: 'string', maxLength: 100 } }, additionalProperties: false } },
  }, async (req) => {
    let q = db.selectFrom('users').selectAll();
    if (req.query.username) q = q.where('username', '=', req.query.username);
    const page = await pageOf(q, req.query, { username: 'username', createdAt: 'created_at' }, 'users');
    return { items: page.items.map(toApi), next: page.next };
  });

  app.post<{ Body: { username: string; password: string; role?: string; projectId?: string | null } }>('/api/v1/users', {
    config: { action: 'user:create', scope: 'global', event: 'addUser' },
    schema: {
      tags: ['users'], summary: 'Create a local user, optionally with a first role binding',
      body: { type: 'object', properties: { username: { type: 'string', minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9._@-]+$' }, password: passwordSchema, role: { type: 'string', enum: ROLES.filter((r) => r !== 'Custom') }, projectId: { anyOf: [ID, { type: 'null' }] } }, required: ['username', 'password'], additionalProperties: false },
    },
  }, async (req, reply) => {
    const b = req.body;
    const id = await mutate(ctx, req, { resourceType: 'user', resourceId: (r: string) => r, summary: { username: b.username, role: b.role, projectId: b.projectId } }, async (trx) => {
      const uid = await createUser(ctx, trx, b.username, b.password);
      if (b.role) await trx.insertInto('role_bindings').values({ id: newId(), user_id: uid, role: b.role, project_id: b.projectId ?? null, actions: '[]', created_at: ctx.clock().toISOString() }).execute();
      return uid;
    });
    return reply.code(201).send({ id, username: b.username });
  });

  app.get<{ Params: { userId: string } }>('/api/v1/users/:userId', {
    config: { action: 'user:read', scope: 'global' },
    schema: { tags: ['users'], summary: 'Read a user', params: params('userId') },
  }, async (req) => {
    const u = await db.selectFrom('users').selectAll().where('id', '=', req.params.userId).executeTakeFirst();
    if (!u) throw notFound('user');
    const bindings = await db.selectFrom('role_bindings').selectAll().where('user_id', '=', u.id).execute();
    return { ...toApi(u), bindings: bindings.map(toApi) };
  });

  app.patch<{ Params: { userId: string }; Body: { password?: string; disabled?: boolean } }>('/api/v1/users/:userId', {
    config: { action: 'user:update', scope: 'global', event: 'modifyUser' },
    schema: { tags: ['users'], summary: 'Change a password or disable a user', params: params('userId'), body: { type: 'object', properties: { password: passwordSchema, disabled: { type: 'boolean' } }, additionalProperties: false, minProperties: 1 } },
  }, async (req) => {
    const { userId } = req.params;
    await mutate(ctx, req, { resourceType: 'user', resourceId: userId, summary: req.body }, async (trx) => {
      const set: Record<string, unknown> = {};
      if (req.body.password) set.password_hash = await hashPassword(req.body.password);
      if (req.body.disabled !== undefined) set.disabled = req.body.disabled ? 1 : 0;
      const r = await trx.updateTable('users').set(set).where('id', '=', userId).executeTakeFirst();
      if (!Number(r.numUpdatedRows)) throw notFound('user');
      // A new password or a disabled account ends existing sessions.
      await trx.updateTable('tokens').set({ revoked_at: ctx.clock().toISOString() }).where('user_id', '=', userId).where('kind', '=', 'session').where('revoked_at', 'is', null).execute();
    });
    ctx.authCache.clear();
    return { ok: true };
  });

  app.delete<{ Params: { userId: string } }>('/api/v1/users/:userId', {
    config: { action: 'user:delete', scope: 'global', event: 'deleteUser' },
    schema: { tags: ['users'], summary: 'Delete a user', params: params('userId') },
  }, async (req) => {
    const { userId } = req.params;
    if (userId === req.auth!.userId) throw badRequest('SELF_DELETE', 'you cannot delete yourself');
    await mutate(ctx, req, { resourceType: 'user', resourceId: userId }, async (trx) => {
      const r = await trx.deleteFrom('users').where('id', '=', userId).executeTakeFirst();
      if (!Number(r.numDeletedRows)) throw notFound('user');
    });
    ctx.authCache.clear();
    return { ok: true };
  });

  app.get<{ Params: { userId: string } }>('/api/v1/users/:userId/bindings', {
    config: { action: 'rolebinding:read', scope: 'global' },
    schema: { tags: ['users'], summary: 'List role bindings of a user', params: params('userId') },
  }, async (req) => ({ items: (await db.selectFrom('role_bindings').selectAll().where('user_id', '=', req.params.userId).orderBy('id').execute()).map(toApi) }));

  app.post<{ Params: { userId: string }; Body: { role: string; projectId?: string | null; actions?: string[] } }>('/api/v1/users/:userId/bindings', {
    config: { action: 'rolebinding:create', scope: 'global', event: 'addRoleBinding' },
    schema: {
      tags: ['users'], summary: 'Bind a role (or a fine-grained policy: role Custom + actions) on one project or all (projectId null)',
      params: params('userId'),
      body: { type: 'object', properties: { role: { type: 'string', enum: [...ROLES] }, projectId: { anyOf: [ID, { type: 'null' }] }, actions: { type: 'array', items: { type: 'string', maxLength: 40 }, maxItems: 100 } }, required: ['role'], additionalProperties: false },
    },
  }, async (req, reply) => {
    const { role, projectId = null, actions = [] } = req.body;
    if (!isRole(role)) throw badRequest('BAD_ROLE', `unknown role ${role}`);
    const unknown = actions.filter((x) => !isAction(x));
    if (unknown.length) throw badRequest('BAD_ACTION', `unknown actions: ${unknown.join(', ')}`);
    if (role === 'Custom' && actions.length === 0) throw badRequest('BAD_ACTION', 'a Custom binding needs actions');
    const id = await mutate(ctx, req, { resourceType: 'rolebinding', resourceId: (r: string) => r, projectId: projectId ?? undefined, summary: { userId: req.params.userId, role, projectId, actions } }, async (trx) => {
      if (!(await trx.selectFrom('users').select('id').where('id', '=', req.params.userId).executeTakeFirst())) throw notFound('user');
      if (projectId && !(await trx.selectFrom('projects').select('id').where('id', '=', projectId).executeTakeFirst())) throw notFound('project');
      const bid = newId();
      await trx.insertInto('role_bindings').values({ id: bid, user_id: req.params.userId, role, project_id: projectId, actions: JSON.stringify(role === 'Custom' ? actions : []), created_at: ctx.clock().toISOString() }).execute();
      return bid;
    });
    ctx.authCache.clear();
    return reply.code(201).send({ id });
  });

  app.delete<{ Params: { userId: string; bindingId: string } }>('/api/v1/users/:userId/bindings/:bindingId', {
    config: { action: 'rolebinding:delete', scope: 'global', event: 'deleteRoleBinding' },
    schema: { tags: ['users'], summary: 'Remove a role binding', params: params('userId', 'bindingId') },
  }, async (req) => {
    await mutate(ctx, req, { resourceType: 'rolebinding', resourceId: req.params.bindingId }, async (trx) => {
      const r = await trx.deleteFrom('role_bindings').where('id', '=', req.params.bindingId).where('user_id', '=', req.params.userId).executeTakeFirst();
      if (!Number(r.numDeletedRows)) throw notFound('role binding');
    });
    ctx.authCache.clear();
    return { ok: true };
  });

  // --- own API tokens
  app.get('/api/v1/tokens', {
    config: { action: 'token:read', scope: 'self' },
    schema: { tags: ['tokens'], summary: 'List your API tokens (never their secrets)' },
  }, async (req) => ({
    items: (await db.selectFrom('tokens').select(['id', 'name', 'created_at', 'expires_at', 'revoked_at', 'last_used_at']).where('user_id', '=', req.auth!.userId).where('kind', '=', 'api').orderBy('id').execute()).map(toApi),
  }));

  app.post<{ Body: { name: string; expiresInDays?: number } }>('/api/v1/tokens', {
    config: { action: 'token:create', scope: 'self', event: 'createToken' },
    schema: { tags: ['tokens'], summary: 'Create an API token; the secret is in this response only', body: { type: 'object', properties: { name: { type: 'string', minLength: 1, maxLength: 100 }, expiresInDays: { type: 'integer', minimum: 1, maximum: 3650, default: 90 } }, required: ['name'], additionalProperties: false } },
  }, async (req, reply) => {
    const token = newTokenSecret('vga');
    const now = ctx.clock();
    const expiresAt = new Date(now.getTime() + (req.body.expiresInDays ?? 90) * 86400_000).toISOString();
    const id = await mutate(ctx, req, { resourceType: 'token', resourceId: (r: string) => r, summary: { name: req.body.name, expiresAt } }, async (trx) => {
      const tid = newId();
      await trx.insertInto('tokens').values({ id: tid, user_id: req.auth!.userId, kind: 'api', name: req.body.name, token_hash: hashToken(token), created_at: now.toISOString(), expires_at: expiresAt, revoked_at: null, last_used_at: null }).execute();
      return tid;
    });
    return reply.code(201).send({ id, token, expiresAt });
  });

  app.delete<{ Params: { tokenId: string } }>('/api/v1/tokens/:tokenId', {
    config: { action: 'token:delete', scope: 'self', event: 'revokeToken' },
    schema: { tags: ['tokens'], summary: 'Revoke one of your API tokens', params: params('tokenId') },
  }, async (req) => {
    await mutate(ctx, req, { resourceType: 'token', resourceId: req.params.tokenId }, async (trx) => {
      const r = await trx.updateTable('tokens').set({ revoked_at: ctx.clock().toISOString() }).where('id', '=', req.params.tokenId).where('user_id', '=', req.auth!.userId).where('kind', '=', 'api').executeTakeFirst();
      if (!Number(r.numUpdatedRows)) throw notFound('token');
    });
    ctx.authCache.clear();
    return { ok: true };
  });
}
