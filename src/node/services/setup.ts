// First start of a store: the Administrator `admin` (bound to all projects)
// when there is no user, and the `default` project; audited as the system,
// in one transaction. Idempotent; replicas starting together run it one
// after the other (store/startup-lock.ts).
import { sql } from 'kysely';
import { appendAudit, SYSTEM_ACTOR } from '../store/audit-log.js';
import { createProject, projectByName } from './projects.js';
import { createUser, hasUsers, insertBinding } from './users.js';
import type { ServiceDeps } from './common.js';

export async function firstStart(s: ServiceDeps, adminPassword: string): Promise<{ adminCreated: boolean; defaultProjectId: string }> {
  return s.store.db.transaction().execute(async (trx) => {
    // SQLite: take the write lock before reading, so a second process starting
    // on the same file waits here instead of also finding no user.
    if (s.store.dialect === 'sqlite') await sql`update vigil_migrations set applied_at = applied_at where 0 = 1`.execute(trx);
    const adminCreated = !(await hasUsers(trx));
    if (adminCreated) {
      const uid = await createUser(s, trx, 'admin', adminPassword);
      await insertBinding(s, trx, uid, 'Administrator', null);
      await appendAudit(
        trx,
        s.store,
        SYSTEM_ACTOR,
        { event: 'addUser', resourceType: 'user', resourceId: uid, summary: { username: 'admin', role: 'Administrator' } },
        s.clock(),
      );
    }
    let project = await projectByName(trx, 'default');
    if (!project) {
      const id = await createProject(s, trx, 'default', 'created on first start');
      await appendAudit(
        trx,
        s.store,
        SYSTEM_ACTOR,
        { event: 'addProject', resourceType: 'project', resourceId: id, projectId: id, summary: { name: 'default' } },
        s.clock(),
      );
      project = { id };
    }
    return { adminCreated, defaultProjectId: project.id };
  });
}
