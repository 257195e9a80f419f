// Login, logout and the identity behind a bearer token (session or API
// token, stored as sha256).
import { verifyPassword } from '../../core/auth/password.js';
import { isRole, type Binding } from '../../core/auth/policy.js';
import { newTokenSecret } from '../crypto/tokens.js';
import { appendAudit, auditOnly, type Actor } from '../store/audit-log.js';
import { HttpError } from './errors.js';
import { mutate } from './mutate.js';
import { insertToken } from './users.js';
import type { Caller, ServiceDeps } from './common.js';

export interface AuthInfo {
  userId: string;
  username: string;
  tokenId: string;
  tokenKind: 'session' | 'api';
  bindings: Binding[];
}

// A fixed hash so unknown users take as long as known ones.
const DUMMY_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';

/** Checks a local user's password; a session token (audit event `login`, also when it fails). */
export async function login(
  s: ServiceDeps,
  actor: Actor,
  username: string,
  password: string,
  ttlHours: number,
): Promise<{ token: string; expiresAt: string; userId: string }> {
  const user = await s.store.db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
  const ok = await verifyPassword(password, user?.password_hash ?? DUMMY_HASH);
  if (!user || !ok || user.disabled) {
    await auditOnly(s.store, { ...actor, username }, { event: 'login', resourceType: 'user', resourceId: user?.id ?? '', result: 'failure' });
    throw new HttpError(401, 'BAD_CREDENTIALS', 'wrong username or password');
  }
  const token = newTokenSecret('vgs');
  const now = s.clock();
  const expiresAt = new Date(now.getTime() + ttlHours * 3600_000).toISOString();
  await s.store.db.transaction().execute(async (trx) => {
    await insertToken(trx, { userId: user.id, kind: 'session', name: 'login', secret: token, now, expiresAt });
    await appendAudit(trx, s.store, { ...actor, userId: user.id, username }, { event: 'login', resourceType: 'user', resourceId: user.id }, now);
  });
  return { token, expiresAt, userId: user.id };
}

/** Revokes one token (the one of the request); audited (logout). */
export async function logout(s: ServiceDeps, by: Caller, tokenId: string): Promise<{ ok: true }> {
  await mutate(s, by, { resourceType: 'token', resourceId: tokenId }, async (trx) => {
    await trx.updateTable('tokens').set({ revoked_at: s.clock().toISOString() }).where('id', '=', tokenId).execute();
  });
  s.authCache.clear();
  return { ok: true };
}

/** The user and bindings of a live token (by its hash); undefined when unknown, revoked, expired or the user is disabled. */
export async function identityOfToken(s: Pick<ServiceDeps, 'store' | 'clock'>, tokenHash: string): Promise<AuthInfo | undefined> {
  const now = s.clock().toISOString();
  const row = await s.store.db
    .selectFrom('tokens')
    .innerJoin('users', 'users.id', 'tokens.user_id')
    .select(['tokens.id as tokenId', 'tokens.kind', 'tokens.expires_at', 'tokens.revoked_at', 'users.id as userId', 'users.username', 'users.disabled'])
    .where('tokens.token_hash', '=', tokenHash)
    .executeTakeFirst();
  if (!row || row.revoked_at || row.disabled || (row.expires_at && row.expires_at <= now)) return undefined;
  const bindings = await s.store.db.selectFrom('role_bindings').select(['role', 'project_id', 'actions']).where('user_id', '=', row.userId).execute();
  return {
    userId: row.userId,
    username: row.username,
    tokenId: row.tokenId,
    tokenKind: row.kind === 'api' ? 'api' : 'session',
    bindings: bindings
      .filter((b) => isRole(b.role))
      .map((b): Binding => ({ role: b.role as Binding['role'], projectId: b.project_id, actions: JSON.parse(b.actions) as string[] })),
  };
}
