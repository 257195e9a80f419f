// Users and role bindings (Administrator domain) and a user's own API tokens
// (shown once, stored hashed, expiring, revocable).
import { hashPassword } from '../../core/auth/password.js';
import { isRole } from '../../core/auth/policy.js';
import { isAction } from '../../core/auth/actions.js';
import { hashToken, newTokenSecret } from '../crypto/tokens.js';
import { newId } from '../store/ids.js';
import type { Tx } from '../store/store.js';
import { badRequest, conflict, notFound } from './errors.js';
import { mutate } from './mutate.js';
import { mapPage, pageOf, type Page, type PageQuery } from './page.js';
import { requireTouched, toApi, type Caller, type ServiceDeps } from './common.js';

type Api = Record<string, unknown>;

export async function createUser(s: Pick<ServiceDeps, 'clock'>, trx: Tx, username: string, password: string): Promise<string> {
  const id = newId();
  const exists = await trx.selectFrom('users').select('id').where('username', '=', username).executeTakeFirst();
  if (exists) throw conflict(`user ${username} exists`);
  await trx
    .insertInto('users')
    .values({ id, username, password_hash: await hashPassword(password), disabled: 0, created_at: s.clock().toISOString() })
    .execute();
  return id;
}

export async function insertBinding(
  s: Pick<ServiceDeps, 'clock'>,
  trx: Tx,
  userId: string,
  role: string,
  projectId: string | null,
  actions: string[] = [],
): Promise<string> {
  const id = newId();
  await trx
    .insertInto('role_bindings')
    .values({
      id,
      user_id: userId,
      role,
      project_id: projectId,
      actions: JSON.stringify(role === 'Custom' ? actions : []),
      created_at: s.clock().toISOString(),
    })
    .execute();
  return id;
}

/** Whether the store has any user (first start: none). */
export async function hasUsers(trx: Tx): Promise<boolean> {
  return !!(await trx.selectFrom('users').select('id').limit(1).executeTakeFirst());
}

export async function listUsers(s: ServiceDeps, q: PageQuery & { username?: string }): Promise<Page<Api>> {
  let qb = s.store.db.selectFrom('users').selectAll();
  if (q.username) qb = qb.where('username', '=', q.username);
  return mapPage(await pageOf(qb, q, { username: 'username', createdAt: 'created_at' }, 'users'), toApi);
}

export async function addUser(
  s: ServiceDeps,
  by: Caller,
  b: { username: string; password: string; role?: string; projectId?: string | null },
): Promise<{ id: string; username: string }> {
  const id = await mutate(
    s,
    by,
    { resourceType: 'user', resourceId: (r: string) => r, summary: { username: b.username, role: b.role, projectId: b.projectId } },
    async (trx) => {
      const uid = await createUser(s, trx, b.username, b.password);
      if (b.role) await insertBinding(s, trx, uid, b.role, b.projectId ?? null);
      return uid;
    },
  );
  return { id, username: b.username };
}

export async function getUser(s: ServiceDeps, userId: string): Promise<Api> {
  const u = await s.store.db.selectFrom('users').selectAll().where('id', '=', userId).executeTakeFirst();
  if (!u) throw notFound('user');
  const bindings = await s.store.db.selectFrom('role_bindings').selectAll().where('user_id', '=', u.id).execute();
  return { ...toApi(u), bindings: bindings.map(toApi) };
}

export async function updateUser(s: ServiceDeps, by: Caller, userId: string, b: { password?: string; disabled?: boolean }): Promise<void> {
  await mutate(s, by, { resourceType: 'user', resourceId: userId, summary: b }, async (trx) => {
    const set: Record<string, unknown> = {};
    if (b.password) set.password_hash = await hashPassword(b.password);
    if (b.disabled !== undefined) set.disabled = b.disabled ? 1 : 0;
    requireTouched(await trx.updateTable('users').set(set).where('id', '=', userId).executeTakeFirst(), 'user');
    // A new password or a disabled account ends existing sessions.
    await trx
      .updateTable('tokens')
      .set({ revoked_at: s.clock().toISOString() })
      .where('user_id', '=', userId)
      .where('kind', '=', 'session')
      .where('revoked_at', 'is', null)
      .execute();
  });
  s.authCache.clear();
}

export async function deleteUser(s: ServiceDeps, by: Caller, userId: string): Promise<void> {
  if (userId === by.actor.userId) throw badRequest('SELF_DELETE', 'you cannot delete yourself');
  await mutate(s, by, { resourceType: 'user', resourceId: userId }, async (trx) => {
    requireTouched(await trx.deleteFrom('users').where('id', '=', userId).executeTakeFirst(), 'user');
  });
  s.authCache.clear();
}

export async function listBindings(s: ServiceDeps, userId: string): Promise<{ items: Api[] }> {
  return { items: (await s.store.db.selectFrom('role_bindings').selectAll().where('user_id', '=', userId).orderBy('id').execute()).map(toApi) };
}

export async function addBinding(
  s: ServiceDeps,
  by: Caller,
  userId: string,
  b: { role: string; projectId?: string | null; actions?: string[] },
): Promise<{ id: string }> {
  const { role, projectId = null, actions = [] } = b;
  if (!isRole(role)) throw badRequest('BAD_ROLE', `unknown role ${role}`);
  const unknown = actions.filter((x) => !isAction(x));
  if (unknown.length) throw badRequest('BAD_ACTION', `unknown actions: ${unknown.join(', ')}`);
  if (role === 'Custom' && actions.length === 0) throw badRequest('BAD_ACTION', 'a Custom binding needs actions');
  const id = await mutate(
    s,
    by,
    { resourceType: 'rolebinding', resourceId: (r: string) => r, projectId: projectId ?? undefined, summary: { userId, role, projectId, actions } },
    async (trx) => {
      if (!(await trx.selectFrom('users').select('id').where('id', '=', userId).executeTakeFirst())) throw notFound('user');
      if (projectId && !(await trx.selectFrom('projects').select('id').where('id', '=', projectId).executeTakeFirst())) throw notFound('project');
      return insertBinding(s, trx, userId, role, projectId, actions);
    },
  );
  s.authCache.clear();
  return { id };
}

export async function deleteBinding(s: ServiceDeps, by: Caller, userId: string, bindingId: string): Promise<void> {
  await mutate(s, by, { resourceType: 'rolebinding', resourceId: bindingId }, async (trx) => {
    requireTouched(await trx.deleteFrom('role_bindings').where('id', '=', bindingId).where('user_id', '=', userId).executeTakeFirst(), 'role binding');
  });
  s.authCache.clear();
}

/** The caller's API tokens, never their secrets. */
export async function listTokens(s: ServiceDeps, userId: string): Promise<{ items: Api[] }> {
  return {
    items: (
      await s.store.db
        .selectFrom('tokens')
        .select(['id', 'name', 'created_at', 'expires_at', 'revoked_at', 'last_used_at'])
        .where('user_id', '=', userId)
        .where('kind', '=', 'api')
        .orderBy('id')
        .execute()
    ).map(toApi),
  };
}

/** A new API token of the caller; the secret is in this result only. */
export async function createToken(
  s: ServiceDeps,
  by: Caller,
  b: { name: string; expiresInDays?: number },
): Promise<{ id: string; token: string; expiresAt: string }> {
  const token = newTokenSecret('vga');
  const now = s.clock();
  const expiresAt = new Date(now.getTime() + (b.expiresInDays ?? 90) * 86400_000).toISOString();
  const id = await mutate(s, by, { resourceType: 'token', resourceId: (r: string) => r, summary: { name: b.name, expiresAt } }, async (trx) => {
    const tid = newId();
    await trx
      .insertInto('tokens')
      .values({
        id: tid,
        user_id: by.actor.userId,
        kind: 'api',
        name: b.name,
        token_hash: hashToken(token),
        created_at: now.toISOString(),
        expires_at: expiresAt,
        revoked_at: null,
        last_used_at: null,
      })
      .execute();
    return tid;
  });
  return { id, token, expiresAt };
}

export async function revokeToken(s: ServiceDeps, by: Caller, tokenId: string): Promise<void> {
  await mutate(s, by, { resourceType: 'token', resourceId: tokenId }, async (trx) => {
    requireTouched(
      await trx
        .updateTable('tokens')
        .set({ revoked_at: s.clock().toISOString() })
        .where('id', '=', tokenId)
        .where('user_id', '=', by.actor.userId)
        .where('kind', '=', 'api')
        .executeTakeFirst(),
      'token',
    );
  });
  s.authCache.clear();
}
