// What every service shares: its dependencies (`ServiceDeps`, which the
// server's context satisfies), who calls (`Caller`: the actor and the audit
// event of the state change), row -> API object mapping (camelCase, JSON
// columns parsed, secrets dropped), and lookups that 404 when a resource is
// not in the project named (so a user of project A never learns about
// project B's ids).
import type { Db, Store, Tx } from '../store/store.js';
import type { Actor } from '../store/audit-log.js';
import type { ChangeBus, ChangeTopic } from '../store/changes.js';
import type { SecretBox } from '../crypto/secret-box.js';
import { notFound } from './errors.js';
import { mutate } from './mutate.js';

export interface ServiceDeps {
  store: Store;
  clock: () => Date;
  secrets: SecretBox;
  config: { rescanCron: string };
  /** Sends queued scans to the workers after commit (the jobs layer's ScanService). */
  scans: { dispatch(scanIds: readonly string[]): Promise<void> };
  /** Cached token identities, cleared on every change to tokens, users or bindings. */
  authCache: { clear(): void };
  /** Cached notification targets, invalidated on every change to them. */
  notifier: { invalidate(): void };
  /** Whether the server may open an image reference for its users (throws an InputError naming why not). */
  imagePolicy: { check(ref: string): Promise<void> };
  /** Change notifications after commit (src/node/store/changes.ts): agents re-read their policies. */
  changes?: Pick<ChangeBus, 'publish'>;
}

/** Tells the other processes (and this one) after a commit; a failed notification never fails the change. */
export function published(s: Pick<ServiceDeps, 'changes'>, topic: ChangeTopic, projectId: string): void {
  void s.changes?.publish(topic, projectId).catch(() => {});
}

/** Who changes state: the actor of the audit record and the event name (the route's declared `event`). */
export interface Caller {
  actor: Actor;
  event: string;
}

const JSON_COLUMNS = new Set(['actions', 'document', 'sample', 'summary', 'types', 'events', 'data', 'config', 'sensor_health']);
const HIDDEN = new Set(['password_hash', 'password_enc', 'token_hash']);

// Column names are few and fixed: convert each once (list responses map thousands of keys a second).
const camel = new Map<string, string>();
const camelOf = (k: string): string => {
  let c = camel.get(k);
  if (c === undefined) {
    c = k.replace(/_([a-z])/g, (_, ch: string) => ch.toUpperCase());
    if (camel.size < 1000) camel.set(k, c);
  }
  return c;
};

/** Flags stored as 0/1 (SQLite has no boolean): the API answers true/false. */
const BOOLEAN_COLUMNS = new Set(['disabled', 'insecure', 'ignored', 'protected', 'expired']);

export function toApi<T extends object>(row: T): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k in row) {
    if (HIDDEN.has(k)) continue;
    const v = row[k];
    out[camelOf(k)] = JSON_COLUMNS.has(k) && typeof v === 'string' ? safeParse(v) : BOOLEAN_COLUMNS.has(k) && typeof v === 'number' ? v !== 0 : v;
  }
  return out;
}

function safeParse(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return s;
  }
}

type ProjectTable = 'images' | 'registries' | 'policies' | 'clusters' | 'nodes' | 'scans' | 'alerts' | 'vuln_ignores' | 'custom_rules';

/** The row with this id in this project, or a 404. */
export async function inProject(db: Db | Tx, table: ProjectTable, id: string, projectId: string, what: string): Promise<Record<string, any>> {
  const row = await (db as any).selectFrom(table).selectAll().where('id', '=', id).where('project_id', '=', projectId).executeTakeFirst();
  if (!row) throw notFound(what);
  return row as Record<string, any>;
}

/** 404 unless the project exists. */
export async function requireProject(db: Db | Tx, projectId: string): Promise<void> {
  if (!(await db.selectFrom('projects').select('id').where('id', '=', projectId).executeTakeFirst())) throw notFound('project');
}

/** 404 unless a row of this id is in this project. */
export async function requireInProject(db: Db | Tx, table: ProjectTable, id: string, projectId: string, what: string): Promise<void> {
  if (!(await (db as any).selectFrom(table).select('id').where('id', '=', id).where('project_id', '=', projectId).executeTakeFirst())) throw notFound(what);
}

/** 404 unless the update or delete touched a row. */
export function requireTouched(r: { numUpdatedRows?: bigint; numDeletedRows?: bigint }, what: string): void {
  if (!Number(r.numUpdatedRows ?? r.numDeletedRows ?? 0)) throw notFound(what);
}

/**
 * Deletes the row of this id in this project, with its audit record (resource
 * type `resourceType`, in the same transaction); a 404 naming `resourceType`
 * when the project has no such row.
 */
export async function deleteFromProject(
  s: Pick<ServiceDeps, 'store' | 'clock'>,
  by: Caller,
  table: ProjectTable,
  resourceType: string,
  projectId: string,
  id: string,
): Promise<void> {
  await mutate(s, by, { resourceType, resourceId: id, projectId }, async (trx) => {
    requireTouched(await (trx as any).deleteFrom(table).where('id', '=', id).where('project_id', '=', projectId).executeTakeFirst(), resourceType);
  });
}

/** An API time bound in the store's form (ISO 8601 UTC text, which compares as text); undefined stays undefined. */
export const isoTime = (t?: string): string | undefined => (t ? new Date(t).toISOString() : undefined);
