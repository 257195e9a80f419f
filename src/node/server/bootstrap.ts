// First start: when there is no user, create the Administrator `admin` with
// VIGIL_ADMIN_PASSWORD or a generated one-time password (printed once by
// the caller), bound to all projects; and a `default` project. Idempotent;
// replicas starting together run it one after the other (startup-lock.ts).
import { sql } from 'kysely';
import { randomBytes } from 'node:crypto';
import type { ServerContext } from './context.js';
import { newId } from '../store/ids.js';
import { appendAudit, SYSTEM_ACTOR } from '../store/audit-log.js';
import { createUser } from './routes/users.js';
import { createProject } from './routes/projects.js';

export interface BootstrapResult {
  /** Set when the admin was created now. */
  admin?: { username: string; password: string; generated: boolean };
  defaultProjectId: string;
}

export async function bootstrap(ctx: ServerContext): Promise<BootstrapResult> {
  return ctx.store.db.transaction().execute(async (trx) => {
    // SQLite: take the write lock before reading, so a second process starting
    // on the same file waits here instead of also finding no user.
    if (ctx.store.dialect === 'sqlite') await sql`update vigil_migrations set applied_at = applied_at where 0 = 1`.execute(trx);
    let admin: BootstrapResult['admin'];
    const anyUser = await trx.selectFrom('users').select('id').limit(1).executeTakeFirst();
    if (!anyUser) {
      const generated = !ctx.config.adminPassword;
      const password = ctx.config.adminPassword ?? randomBytes(12).toString('base64url');
      const uid = await createUser(ctx, trx, 'admin', password);
      await trx.insertInto('role_bindings').values({ id: newId(), user_id: uid, role: 'Administrator', project_id: null, actions: '[]', created_at: ctx.clock().toISOString() }).execute();
      await appendAudit(trx, ctx.store, SYSTEM_ACTOR, { event: 'addUser', resourceType: 'user', resourceId: uid, summary: { username: 'admin', role: 'Administrator' } }, ctx.clock());
      admin = { username: 'admin', password, generated };
    }
    let project = await trx.selectFrom('projects').select('id').where('name', '=', 'default').executeTakeFirst();
    if (!project) {
      const id = await createProject(ctx, trx, 'default', 'created on first start');
      await appendAudit(trx, ctx.store, SYSTEM_ACTOR, { event: 'addProject', resourceType: 'project', resourceId: id, projectId: id, summary: { name: 'default' } }, ctx.clock());
      project = { id };
    }
    return { admin, defaultProjectId: project.id };
  });
}
