// Users and role bindings (Administrator domain) and a user's own API tokens
// (shown once, stored hashed, expiring, revocable).
import { hashPassword } from '../../core/auth/password.js';
import { passwordProblem } from '../../core/auth/password-policy.js';
import { isRole } from '../../core/auth/policy.js';
import { isAction } from '../../core/auth/actions.js';
import { hashToken, newTokenSecret } from '../crypto/tokens.js';
import { newId } from '../store/ids.js';
import { insertRow } from '../store/insert.js';
import type { Tx } from '../store/store.js';
import { HttpError, badRequest, conflict, notFound } from './errors.js';
import { mutate } from './mutate.js';
import { appendAudit } from '../store/audit-log.js';
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
  return insertRow(trx, 'role_bindings', {
    user_id: userId,
    role,
    project_id: projectId,
    actions: JSON.stringify(role === 'Custom' ? actions : []),
    created_at: s.clock().toISOString(),
  });
}

/** 400 unless the password passes the rules of src/core/auth/password-policy.ts (NIST SP 800-63B). */
export function requireGoodPassword(password: string, username: string): void {
  const problem = passwordProblem(password, { username });
  if (problem) throw badRequest('WEAK_PASSWORD', problem);
}

/** Enabled users with Administrator on all projects. */
async function globalAdministrators(trx: Tx): Promise<string[]> {
  const rows = await trx
    .selectFrom('role_bindings')
    .innerJoin('users', 'users.id', 'role_bindings.user_id')
    .select('users.id')
    .where('role_bindings.role', '=', 'Administrator')
    .where('role_bindings.project_id', 'is', null)
    .where('users.disabled', '=', 0)
    .execute();
  return [...new Set(rows.map((r) => r.id))];
}

/** Whether the user has a binding of Administrator on all projects (other than `except`). */
async function hasGlobalAdministratorBinding(trx: Tx, userId: string, except?: string): Promise<boolean> {
  let q = trx.selectFrom('role_bindings').select('id').where('user_id', '=', userId).where('role', '=', 'Administrator').where('project_id', 'is', null);
  if (except) q = q.where('id', '!=', except);
  return (await q.executeTakeFirst()) !== undefined;
}

/** 409 when this change would leave no enabled user with Administrator on all projects (nobody could manage users again). */
async function requireAnotherAdministrator(trx: Tx, userId: string, change: string): Promise<void> {
  const admins = await globalAdministrators(trx);
  if (admins.length === 1 && admins[0] === userId) {
    throw new HttpError(
      409,
      'LAST_ADMINISTRATOR',
      `cannot ${change}: it is the last user with Administrator on all projects (vigil server reset-admin recovers access from the host)`,
    );
  }
}

/** Revokes every live token of a user: sessions and API tokens. */
export async function revokeAllTokens(trx: Tx, userId: string, now: Date): Promise<void> {
  await trx.updateTable('tokens').set({ revoked_at: now.toISOString() }).where('user_id', '=', userId).where('revoked_at', 'is', null).execute();
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
      requireGoodPassword(b.password, b.username);
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

/**
 * Changes a password or disables / enables a user. A new password or a
 * disabled account revokes all of the user's tokens (sessions and API
 * tokens), so enabling the account again brings none of them back. The last
 * enabled user with Administrator on all projects cannot be disabled.
 */
export async function updateUser(s: ServiceDeps, by: Caller, userId: string, b: { password?: string; disabled?: boolean }): Promise<void> {
  await mutate(s, by, { resourceType: 'user', resourceId: userId, summary: b }, async (trx) => {
    const user = await trx.selectFrom('users').select(['id', 'username']).where('id', '=', userId).executeTakeFirst();
    if (!user) throw notFound('user');
    const set: Record<string, unknown> = {};
    if (b.password !== undefined) {
      requireGoodPassword(b.password, user.username);
      set.password_hash = await hashPassword(b.password);
    }
    if (b.disabled === true) await requireAnotherAdministrator(trx, userId, 'disable this user');
    if (b.disabled !== undefined) set.disabled = b.disabled ? 1 : 0;
    requireTouched(await trx.updateTable('users').set(set).where('id', '=', userId).executeTakeFirst(), 'user');
    if (b.password !== undefined || b.disabled === true) await revokeAllTokens(trx, userId, s.clock());
  });
  s.authCache.clear();
}

export async function deleteUser(s: ServiceDeps, by: Caller, userId: string): Promise<void> {
  await mutate(s, by, { resourceType: 'user', resourceId: userId }, async (trx) => {
    if (userId === by.actor.userId) throw badRequest('SELF_DELETE', 'you cannot delete yourself');
    await requireAnotherAdministrator(trx, userId, 'delete this user');
    await revokeAllTokens(trx, userId, s.clock());
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
    const b = await trx.selectFrom('role_bindings').select(['role', 'project_id']).where('id', '=', bindingId).where('user_id', '=', userId).executeTakeFirst();
    if (b?.role === 'Administrator' && b.project_id === null) {
      if (!(await hasGlobalAdministratorBinding(trx, userId, bindingId))) await requireAnotherAdministrator(trx, userId, 'remove this Administrator binding');
    }
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

/** Stores a token (only the hash of its secret); returns its id. */
export async function insertToken(
  trx: Tx,
  t: { userId: string; kind: 'api' | 'session'; name: string; secret: string; now: Date; expiresAt: string },
): Promise<string> {
  return insertRow(trx, 'tokens', {
    user_id: t.userId,
    kind: t.kind,
    name: t.name,
    token_hash: hashToken(t.secret),
    created_at: t.now.toISOString(),
    expires_at: t.expiresAt,
    revoked_at: null,
    last_used_at: null,
  });
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
    return insertToken(trx, { userId: by.actor.userId, kind: 'api', name: b.name, secret: token, now, expiresAt });
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

/**
 * Recovers access from the server host (`vigil server reset-admin`, as
 * Grafana's reset-admin-password): the user (created when missing) gets this
 * password, is enabled, holds Administrator on all projects, and loses every
 * token issued before. Audited as resetAdmin by the host.
 */
export async function resetAdministrator(
  s: Pick<ServiceDeps, 'store' | 'clock'>,
  username: string,
  password: string,
): Promise<{ userId: string; created: boolean }> {
  return s.store.db.transaction().execute(async (trx) => {
    const existing = await trx.selectFrom('users').select('id').where('username', '=', username).executeTakeFirst();
    let userId: string;
    if (existing) {
      userId = existing.id;
      await trx
        .updateTable('users')
        .set({ password_hash: await hashPassword(password), disabled: 0 })
        .where('id', '=', userId)
        .execute();
      await revokeAllTokens(trx, userId, s.clock());
    } else {
      userId = await createUser(s, trx, username, password);
    }
    if (!(await hasGlobalAdministratorBinding(trx, userId))) await insertBinding(s, trx, userId, 'Administrator', null);
    await appendAudit(
      trx,
      s.store,
      { userId: '', username: 'host', sourceIp: '', userAgent: 'vigil server reset-admin' },
      { event: 'resetAdmin', resourceType: 'user', resourceId: userId, summary: { username, created: !existing } },
      s.clock(),
    );
    return { userId, created: !existing };
  });
}
