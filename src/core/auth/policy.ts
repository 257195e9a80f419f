// Roles and policy evaluation: given a user's bindings (role or fine-grained
// action grants, each on one project or on all projects), is an action
// allowed on a project? Pure; the server's central hook calls it.
import { ACTIONS, actionInfo } from './actions.js';

export const ROLES = ['Administrator', 'FullAccess', 'ReadOnlyAccess', 'Custom'] as const;
export type RoleName = (typeof ROLES)[number];

export interface Binding {
  role: RoleName;
  /** null: all projects. */
  projectId: string | null;
  /** For Custom: the granted action ids. */
  actions: readonly string[];
}

/** How a route finds the project an action applies to. */
export type Scope = 'public' | 'global' | 'project' | 'self';

/**
 * Actions on the caller's own account, granted by every role: see who they
 * are, log out, and manage their own API tokens (a token acts with its
 * user's bindings, so it never has more than the user: a ReadOnlyAccess user's
 * token is a read-only token for automation).
 */
export const SELF_ACTIONS: readonly string[] = ['session:self', 'token:create', 'token:delete', 'token:read'];

function roleActions(role: RoleName): Set<string> {
  switch (role) {
    case 'Administrator':
      return new Set(ACTIONS.map((x) => x.id));
    case 'FullAccess':
      return new Set([...ACTIONS.filter((x) => !x.admin).map((x) => x.id), ...SELF_ACTIONS]);
    case 'ReadOnlyAccess':
      return new Set([...ACTIONS.filter((x) => x.read && !x.admin).map((x) => x.id), ...SELF_ACTIONS]);
    case 'Custom':
      return new Set(SELF_ACTIONS);
  }
}

const ROLE_ACTIONS = new Map(ROLES.map((r) => [r, roleActions(r)]));

export function grants(b: Binding, action: string): boolean {
  if (ROLE_ACTIONS.get(b.role)!.has(action)) return true;
  // Fine-grained grants never reach the admin domain unless on all projects.
  if (b.role === 'Custom' && b.actions.includes(action)) return !actionInfo(action)?.admin || b.projectId === null;
  return false;
}

export function isRole(s: string): s is RoleName {
  return (ROLES as readonly string[]).includes(s);
}

/**
 * The decision for one request:
 * - global: needs a binding on all projects;
 * - project with a project id: a binding on that project or on all;
 * - project without an id (cross-project lists): allowed when some binding grants it;
 *   the handler restricts results to `projectsFor`;
 * - self: any binding granting the action.
 */
export function authorize(bindings: readonly Binding[], action: string, scope: Scope, projectId?: string): boolean {
  if (scope === 'public') return true;
  const matching = bindings.filter((b) => grants(b, action));
  if (scope === 'global') return matching.some((b) => b.projectId === null);
  if (scope === 'project' && projectId !== undefined) return matching.some((b) => b.projectId === null || b.projectId === projectId);
  return matching.length > 0;
}

/** Projects on which an action is granted: 'all', or a list of ids. */
export function projectsFor(bindings: readonly Binding[], action: string): 'all' | string[] {
  const matching = bindings.filter((b) => grants(b, action));
  if (matching.some((b) => b.projectId === null)) return 'all';
  return [...new Set(matching.map((b) => b.projectId!))];
}
