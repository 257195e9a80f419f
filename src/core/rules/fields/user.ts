// Field family `user.*` and `group.*`: who runs the process.
import { field, syscallFamily } from './helpers.js';

export const userFields = syscallFamily('user', [
  field('user.uid', 'number', 'Effective user id.', (e) => e.proc.uid),
  field('user.name', 'string', "User name (the sensor resolves it in the process's namespace).", (e) => e.proc.user),
  field('user.loginuid', 'number', 'Login uid (auid), -1 when unset.', (e) =>
    e.proc.loginuid === undefined || e.proc.loginuid === 4294967295 ? -1 : e.proc.loginuid,
  ),
  field('user.loginname', 'string', 'Name of the login user, when known.', (e) => (e.proc.loginuid === e.proc.uid ? e.proc.user : undefined)),
  field('group.gid', 'number', 'Group id.', (e) => e.proc.gid),
  field('group.name', 'string', 'Group name.', (e) => e.proc.group),
]);
