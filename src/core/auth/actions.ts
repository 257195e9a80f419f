// The actions the management server authorizes: `resource:verb`. Every
// route declares one; roles and fine-grained policies grant them. Adding a
// route for a new operation starts by adding its action here.

export interface ActionInfo {
  id: string;
  /** Reads change nothing; ReadOnlyAccess gets exactly the reads outside the admin domain. */
  read: boolean;
  /** Administrator-only domain: users, role bindings, settings (product.md section 7). */
  admin: boolean;
  description: string;
}

const a = (id: string, description: string, opts: { admin?: boolean } = {}): ActionInfo => ({
  id,
  description,
  read: id.endsWith(':read'),
  admin: opts.admin ?? false,
});

export const ACTIONS: readonly ActionInfo[] = [
  a('admission:evaluate', 'evaluate a pod, workload or image against the admission policies (what would happen)'),
  a('alert:ingest', 'send alerts (agents, runtime and cluster pipelines)'),
  a('alert:read', 'list and read alerts'),
  a('alert:update', 'change the status of alerts'),
  a('audit:read', 'query, export and verify the audit trail'),
  a('cluster:create', 'add clusters'),
  a('cluster:delete', 'remove clusters'),
  a('cluster:protect', 'open and close cluster protection'),
  a('cluster:read', 'list and read clusters'),
  a('cluster:token', 'mint agent registration tokens'),
  a('image:create', 'add images'),
  a('image:delete', 'remove images'),
  a('image:read', 'list and read images, scans, findings and software'),
  a('image:scan', 'scan images, rescan'),
  a('metrics:read', 'read Prometheus metrics'),
  a('node:read', 'list and read nodes and agents'),
  a('node:revoke', "revoke a node's agent certificate (its link is closed and refused from then on)"),
  a('node:update', 'register nodes and report their status'),
  a('notifier:create', 'add notification targets', { admin: true }),
  a('notifier:delete', 'remove notification targets', { admin: true }),
  a('notifier:read', 'list notification targets', { admin: true }),
  a('policy:apply', 'apply policies to images'),
  a('policy:create', 'add policies'),
  a('policy:delete', 'remove policies'),
  a('policy:read', 'list and read policies'),
  a('policy:update', 'change policies'),
  a('project:create', 'add projects'),
  a('project:delete', 'remove projects'),
  a('project:read', 'list and read projects'),
  a('project:update', 'change projects and their rescan schedule'),
  a('registry:create', 'add registries (grant access: registerCgsAgency)'),
  a('registry:delete', 'remove registries'),
  a('registry:read', 'list and read registries'),
  a('registry:sync', 'synchronise the image list of a registry'),
  a('registry:update', 'change registries'),
  a('rule:create', 'upload custom rule files'),
  a('rule:delete', 'remove custom rule files'),
  a('rule:read', 'list and read custom rule files'),
  a('rule:update', 'enable, disable and replace custom rule files'),
  a('rolebinding:create', 'bind roles and policies to users', { admin: true }),
  a('rolebinding:delete', 'remove role bindings', { admin: true }),
  a('rolebinding:read', 'list role bindings', { admin: true }),
  a('session:self', 'read the own identity, log out'),
  a('setting:read', 'read server settings', { admin: true }),
  a('setting:update', 'change server settings', { admin: true }),
  a('threatip:create', 'add threat-IP entries'),
  a('threatip:delete', 'remove threat-IP entries'),
  a('threatip:read', 'list threat-IP entries'),
  a('token:create', 'create own API tokens'),
  a('token:delete', 'revoke own API tokens'),
  a('token:read', 'list own API tokens'),
  a('user:create', 'add users', { admin: true }),
  a('user:delete', 'remove users', { admin: true }),
  a('user:read', 'list and read users', { admin: true }),
  a('user:update', 'change users and passwords', { admin: true }),
  a('vuln:ignore', 'ignore vulnerabilities and cancel ignores'),
  a('vuln:read', 'read vulnerability ignores'),
];

const byId = new Map<string, ActionInfo>();
for (const x of ACTIONS) {
  if (byId.has(x.id)) throw new Error(`duplicate action ${x.id}`);
  byId.set(x.id, x);
}

export function actionInfo(id: string): ActionInfo | undefined {
  return byId.get(id);
}

export function isAction(id: string): boolean {
  return byId.has(id);
}
