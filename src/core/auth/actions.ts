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

/** The domain of an action: everyone's (`ANY`) or the administrators' (`ADMIN`). */
const ANY = false;
const ADMIN = true;

const a = (id: string, description: string, admin: boolean): ActionInfo => ({ id, description, read: id.endsWith(':read'), admin });

export const ACTIONS: readonly ActionInfo[] = [
  a('admission:evaluate', 'evaluate a pod, workload or image against the admission policies (what would happen)', ANY),
  a('alert:ingest', 'send alerts (agents, runtime and cluster pipelines)', ANY),
  a('alert:read', 'list and read alerts', ANY),
  a('alert:update', 'change the status of alerts', ANY),
  a('audit:read', 'query, export and verify the audit trail', ANY),
  a('cluster:create', 'add clusters', ANY),
  a('cluster:delete', 'remove clusters', ANY),
  a('cluster:protect', 'open and close cluster protection', ANY),
  a('cluster:read', 'list and read clusters', ANY),
  a('cluster:token', 'mint agent registration tokens', ANY),
  a('image:create', 'add images', ANY),
  a('image:delete', 'remove images', ANY),
  a('image:read', 'list and read images, scans, findings and software', ANY),
  a('image:scan', 'scan images, rescan', ANY),
  a('metrics:read', 'read Prometheus metrics', ANY),
  a('node:read', 'list and read nodes and agents', ANY),
  a('node:revoke', "revoke a node's agent certificate (its link is closed and refused from then on)", ANY),
  a('node:update', 'register nodes and report their status', ANY),
  a('notifier:create', 'add notification targets', ADMIN),
  a('notifier:delete', 'remove notification targets', ADMIN),
  a('notifier:read', 'list notification targets', ADMIN),
  a('policy:apply', 'apply policies to images', ANY),
  a('policy:create', 'add policies', ANY),
  a('policy:delete', 'remove policies', ANY),
  a('policy:read', 'list and read policies', ANY),
  a('policy:update', 'change policies', ANY),
  a('project:create', 'add projects', ANY),
  a('project:delete', 'remove projects', ANY),
  a('project:read', 'list and read projects', ANY),
  a('project:update', 'change projects and their rescan schedule', ANY),
  a('registry:create', 'add registries (grant access: registerCgsAgency)', ANY),
  a('registry:delete', 'remove registries', ANY),
  a('registry:read', 'list and read registries', ANY),
  a('registry:sync', 'synchronise the image list of a registry', ANY),
  a('registry:update', 'change registries', ANY),
  a('rule:create', 'upload custom rule files', ANY),
  a('rule:delete', 'remove custom rule files', ANY),
  a('rule:read', 'list and read custom rule files', ANY),
  a('rule:update', 'enable, disable and replace custom rule files', ANY),
  a('rolebinding:create', 'bind roles and policies to users', ADMIN),
  a('rolebinding:delete', 'remove role bindings', ADMIN),
  a('rolebinding:read', 'list role bindings', ADMIN),
  a('session:self', 'read the own identity, log out', ANY),
  a('setting:read', 'read server settings', ADMIN),
  a('setting:update', 'change server settings', ADMIN),
  a('threatip:create', 'add threat-IP entries', ANY),
  a('threatip:delete', 'remove threat-IP entries', ANY),
  a('threatip:read', 'list threat-IP entries', ANY),
  a('token:create', 'create own API tokens', ANY),
  a('token:delete', 'revoke own API tokens', ANY),
  a('token:read', 'list own API tokens', ANY),
  a('user:create', 'add users', ADMIN),
  a('user:delete', 'remove users', ADMIN),
  a('user:read', 'list and read users', ADMIN),
  a('user:update', 'change users and passwords', ADMIN),
  a('vuln:ignore', 'ignore vulnerabilities and cancel ignores', ANY),
  a('vuln:read', 'read vulnerability ignores', ANY),
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
