// What the cluster pipeline remembers between audit events about RBAC roles:
// which Roles/ClusterRoles were created with high privileges, so a later
// binding to one of them is recognised (`ka.req.binding.role.high_privilege`).
// Bounded: the oldest names are forgotten first.

/** Attached (non-enumerable) to a K8sAuditEvent by the pipeline, read by the field. */
export const ROLE_MEMORY = Symbol('vigil.k8s.roleMemory');

export class RoleMemory {
  private readonly roles = new Map<string, true>();
  constructor(private readonly max = 10_000) {}

  static key(kind: string, name: string, namespace?: string): string {
    return kind === 'Role' ? `Role/${namespace ?? ''}/${name}` : `ClusterRole/${name}`;
  }

  remember(key: string): void {
    this.roles.delete(key);
    this.roles.set(key, true);
    if (this.roles.size > this.max) this.roles.delete(this.roles.keys().next().value!);
  }

  forget(key: string): void {
    this.roles.delete(key);
  }

  has(key: string): boolean {
    return this.roles.has(key);
  }

  get size(): number {
    return this.roles.size;
  }
}
