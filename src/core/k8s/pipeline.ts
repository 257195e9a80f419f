// The cluster detection pipeline: audit events in, `cluster/*` (and user
// `custom/*`) alerts out. Around the rules engine it adds what is specific to
// audit streams: one request shows up at ResponseStarted and again at
// ResponseComplete, so at most one alert per rule and auditID is kept (a
// bounded LRU of seen pairs); the RBAC roles created with high privileges are
// remembered so later bindings to them are recognised; alerts get the
// object's name from the response when the request had none (creates).
import type { Alert } from '../alerts/types.js';
import type { EngineEvent, K8sAuditEvent } from '../events/event.js';
import { ROLE_MEMORY, RoleMemory } from './role-memory.js';

export interface AlertEngine {
  process(e: EngineEvent): Alert[];
}

export interface K8sPipelineOptions {
  /** Remembered (rule, auditID) pairs; older ones are forgotten first. */
  dedupSize?: number;
  roleMemorySize?: number;
}

/** The built-in rule whose alerts mark a role as high-privilege. */
export const HIGH_PRIVILEGE_ROLE_RULE = 'K8s High-Privilege Role Created';

export interface PipelineStats {
  events: number;
  alerts: number;
  duplicates: number;
}

type Obj = Record<string, unknown>;
const o = (v: unknown): Obj | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined);

export class K8sAuditPipeline {
  private readonly seen = new Map<string, true>();
  private readonly dedupSize: number;
  readonly roles: RoleMemory;
  readonly stats: PipelineStats = { events: 0, alerts: 0, duplicates: 0 };

  constructor(
    private readonly engine: AlertEngine,
    opts: K8sPipelineOptions = {},
  ) {
    this.dedupSize = opts.dedupSize ?? 50_000;
    this.roles = new RoleMemory(opts.roleMemorySize);
  }

  process(e: K8sAuditEvent): Alert[] {
    this.stats.events++;
    // Only bindings read the role memory; a symbol key stays out of JSON and Object.keys.
    const resource = o(e.audit.objectRef)?.resource;
    if (resource === 'rolebindings' || resource === 'clusterrolebindings') (e as unknown as Record<symbol, RoleMemory>)[ROLE_MEMORY] = this.roles;
    const raw = this.engine.process(e);
    if (resource === 'roles' || resource === 'clusterroles') this.learnRoles(e, raw);
    if (raw.length === 0) return raw;
    const auditID = typeof e.audit.auditID === 'string' ? e.audit.auditID : '';
    const out: Alert[] = [];
    for (const a of raw) {
      const key = `${a.rule}\u001f${auditID}`;
      if (auditID && this.seen.has(key)) {
        this.stats.duplicates++;
        continue;
      }
      if (auditID) {
        this.seen.set(key, true);
        if (this.seen.size > this.dedupSize) this.seen.delete(this.seen.keys().next().value!);
      }
      if (a.k8s && !a.k8s.name) {
        const name = o(o(e.audit.responseObject)?.metadata)?.name ?? o(o(e.audit.requestObject)?.metadata)?.name;
        if (typeof name === 'string') a.k8s.name = name;
      }
      out.push(a);
    }
    this.stats.alerts += out.length;
    return out;
  }

  private learnRoles(e: K8sAuditEvent, alerts: Alert[]): void {
    const ref = o(e.audit.objectRef);
    const resource = ref?.resource;
    if (resource !== 'roles' && resource !== 'clusterroles') return;
    const kind = resource === 'roles' ? 'Role' : 'ClusterRole';
    const name = ref?.name ?? o(o(e.audit.requestObject)?.metadata)?.name;
    if (typeof name !== 'string') return;
    const key = RoleMemory.key(kind, name, typeof ref?.namespace === 'string' ? ref.namespace : undefined);
    if (e.audit.verb === 'delete') this.roles.forget(key);
    else if (alerts.some((a) => a.rule === HIGH_PRIVILEGE_ROLE_RULE)) this.roles.remember(key);
  }
}
