// Server settings (stored under `cfg.<key>`) and notification targets
// (webhook, syslog; secrets encrypted at rest, never returned).
import { newId } from '../store/ids.js';
import type { Store } from '../store/store.js';
import { badRequest } from './errors.js';
import { mutate } from './mutate.js';
import { requireTouched, toApi, type Caller, type ServiceDeps } from './common.js';

type Api = Record<string, unknown>;

/** Settings users may change; stored under `cfg.<key>`. */
export const SETTINGS: Record<string, { type: 'string' | 'integer' | 'boolean'; description: string }> = {
  defaultRescanCron: { type: 'string', description: 'cron of the daily rescan of new projects' },
  alertRetentionDays: { type: 'integer', description: 'days alert groups are kept after last seen' },
  loginBanner: { type: 'string', description: 'text the console shows at login' },
};

export async function readSettings(s: ServiceDeps): Promise<Record<string, unknown>> {
  const rows = await s.store.db.selectFrom('settings').selectAll().where('key', 'like', 'cfg.%').execute();
  return Object.fromEntries(rows.map((r) => [r.key.slice(4), JSON.parse(r.value)]));
}

export async function setSetting(s: ServiceDeps, by: Caller, key: string, v: unknown): Promise<void> {
  const spec = SETTINGS[key];
  if (!spec) throw badRequest('BAD_SETTING', `unknown setting ${key}`);
  if ((spec.type === 'integer' && !Number.isInteger(v)) || (spec.type !== 'integer' && typeof v !== spec.type))
    throw badRequest('BAD_SETTING', `${key} must be a ${spec.type}`);
  await mutate(s, by, { resourceType: 'setting', resourceId: key, summary: { value: v } }, async (trx) => {
    const now = s.clock().toISOString();
    await trx
      .insertInto('settings')
      .values({ key: `cfg.${key}`, value: JSON.stringify(v), updated_at: now })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value: JSON.stringify(v), updated_at: now }))
      .execute();
  });
}

export async function listNotifiers(s: ServiceDeps): Promise<{ items: Api[] }> {
  return {
    items: (await s.store.db.selectFrom('notifiers').selectAll().orderBy('id').execute()).map((n) => {
      const o = toApi(n);
      const c = o.config as Record<string, unknown>;
      if (c.secret) c.secret = '***';
      return o;
    }),
  };
}

export interface NotifierBody {
  name: string;
  kind: 'webhook' | 'syslog';
  projectId?: string | null;
  url?: string;
  secret?: string;
  host?: string;
  port?: number;
  protocol?: 'udp' | 'tcp';
  facility?: number;
  minSeverity?: string;
  types?: string[];
  events?: string[];
}

export async function addNotifier(s: ServiceDeps, by: Caller, b: NotifierBody): Promise<{ id: string }> {
  if (b.kind === 'webhook' && !b.url) throw badRequest('NOTIFIER', 'a webhook needs url');
  if (b.kind === 'syslog' && (!b.host || !b.port)) throw badRequest('NOTIFIER', 'syslog needs host and port');
  const config =
    b.kind === 'webhook'
      ? { url: b.url, secret: b.secret ? s.secrets.seal(b.secret) : '' }
      : { host: b.host, port: b.port, protocol: b.protocol ?? 'udp', facility: b.facility };
  const id = await mutate(s, by, { resourceType: 'notifier', resourceId: (r: string) => r, projectId: b.projectId ?? undefined, summary: b }, async (trx) => {
    const nid = newId();
    await trx
      .insertInto('notifiers')
      .values({
        id: nid,
        project_id: b.projectId ?? null,
        name: b.name,
        kind: b.kind,
        config: JSON.stringify(config),
        min_severity: b.minSeverity ?? 'info',
        types: JSON.stringify(b.types ?? []),
        events: JSON.stringify(b.events ?? []),
        created_at: s.clock().toISOString(),
      })
      .execute();
    return nid;
  });
  s.notifier.invalidate();
  return { id };
}

export async function deleteNotifier(s: ServiceDeps, by: Caller, notifierId: string): Promise<void> {
  await mutate(s, by, { resourceType: 'notifier', resourceId: notifierId }, async (trx) => {
    requireTouched(await trx.deleteFrom('notifiers').where('id', '=', notifierId).executeTakeFirst(), 'notifier');
  });
  s.notifier.invalidate();
}

/** An internal settings row's value (schedule bases, the deployment's vulnerability DB). */
export async function settingValue(store: Store, key: string): Promise<string | undefined> {
  return (await store.db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst())?.value;
}

/**
 * Compare-and-set of an internal settings row: true when this process moved
 * it from `from` (undefined: the row did not exist) to `to`. Replicas use it
 * to fire a schedule slot or a DB rescan once.
 */
export async function claimSetting(store: Store, key: string, from: string | undefined, to: string, now: Date): Promise<boolean> {
  if (from === undefined) {
    const r = await store.db
      .insertInto('settings')
      .values({ key, value: to, updated_at: now.toISOString() })
      .onConflict((oc) => oc.column('key').doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0n) === 1;
  }
  const r = await store.db
    .updateTable('settings')
    .set({ value: to, updated_at: now.toISOString() })
    .where('key', '=', key)
    .where('value', '=', from)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}
