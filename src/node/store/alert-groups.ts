// Alert storage: incoming alerts are grouped by type + subject per project;
// a group keeps a count, first/last seen, the worst severity seen and the
// latest alert as a sample. Ingest upserts whole batches in one transaction.
// Listing uses keyset pagination on (last_seen, id) over covering indexes.
import { sql, type RawBuilder } from 'kysely';
import type { Alert, Severity } from '../../core/alerts/types.js';
import type { Store, Tx } from './store.js';
import { newId } from './ids.js';
import { InputError } from '../../core/errors.js';
import type { AlertTable } from './schema.js';

export const SEVERITY_RANK: Record<Severity, number> = { info: 0, low: 1, medium: 2, high: 3, critical: 4 };
export const ALERT_STATUSES = ['open', 'handled', 'ignored', 'false-positive'] as const;

/** What an alert is about: the container, else the Kubernetes object, else the host. */
export function alertSubject(a: Alert): string {
  if (a.container?.id) return `container:${a.container.id}`;
  if (a.k8s && (a.k8s.name || a.k8s.resource)) return `k8s:${a.k8s.namespace ?? ''}/${a.k8s.resource ?? ''}/${a.k8s.name ?? ''}`;
  if (a.image) return `image:${a.image.ref}:${a.image.file ?? ''}`;
  return `host:${a.host}`;
}

export interface IngestResult {
  received: number;
  groups: number;
}

const COLS = [
  'id',
  'project_id',
  'type',
  'severity',
  'severity_rank',
  'subject',
  'status',
  'count',
  'first_seen',
  'last_seen',
  'message',
  'rule',
  'host',
  'sample',
] as const;

// One merge rule for both dialects: counts add up, first/last seen widen, the
// newest alert's text wins, severity only rises, and a handled group that
// fires again is open again.
const ON_CONFLICT = `on conflict (project_id, type, subject) do update set
  count = alerts.count + excluded.count,
  first_seen = case when excluded.first_seen < alerts.first_seen then excluded.first_seen else alerts.first_seen end,
  message = case when excluded.last_seen >= alerts.last_seen then excluded.message else alerts.message end,
  sample = case when excluded.last_seen >= alerts.last_seen then excluded.sample else alerts.sample end,
  host = case when excluded.last_seen >= alerts.last_seen then excluded.host else alerts.host end,
  rule = case when excluded.last_seen >= alerts.last_seen then excluded.rule else alerts.rule end,
  last_seen = case when excluded.last_seen >= alerts.last_seen then excluded.last_seen else alerts.last_seen end,
  severity = case when excluded.severity_rank > alerts.severity_rank then excluded.severity else alerts.severity end,
  severity_rank = case when excluded.severity_rank > alerts.severity_rank then excluded.severity_rank else alerts.severity_rank end,
  status = case when alerts.status = 'handled' then 'open' else alerts.status end`;

const sqliteStatements = new WeakMap<object, { run(...a: unknown[]): unknown }>();

/** SQLite: one prepared statement per row, inside the caller's transaction (it holds the connection). */
function upsertSqlite(store: Store, rows: AlertTable[]): void {
  const native = store.sqlite!;
  let stmt = sqliteStatements.get(native);
  if (!stmt) {
    stmt = native.prepare(`insert into alerts (${COLS.join(', ')}) values (${COLS.map(() => '?').join(', ')}) ${ON_CONFLICT}`);
    sqliteStatements.set(native, stmt);
  }
  for (const r of rows) stmt.run(...COLS.map((c) => r[c]));
}

/**
 * PostgreSQL: the whole batch as column arrays in one statement (unnest),
 * chunked to bound memory. Rows go in key order, so two commits that
 * overlap (the agent link runs two at once) lock the groups they share in
 * the same order: the second waits, neither deadlocks.
 */
async function upsertPostgres(trx: Tx, rows: AlertTable[]): Promise<void> {
  rows.sort((a, b) => (a.type < b.type ? -1 : a.type > b.type ? 1 : a.subject < b.subject ? -1 : a.subject > b.subject ? 1 : 0));
  const ints = new Set(['severity_rank', 'count']);
  for (let i = 0; i < rows.length; i += 5000) {
    const part = rows.slice(i, i + 5000);
    const arrays = COLS.map((c) => sql`${part.map((r) => r[c])}::${sql.raw(ints.has(c) ? 'int[]' : 'text[]')}`);
    await sql`insert into alerts (${sql.raw(COLS.join(', '))}) select * from unnest(${sql.join(arrays)}) ${sql.raw(ON_CONFLICT)}`.execute(trx);
  }
}

function groupAlerts(projectId: string, alerts: readonly Alert[]): AlertTable[] {
  const groups = new Map<string, AlertTable>();
  for (const a of alerts) {
    const subject = alertSubject(a);
    const key = `${a.type}\u0000${subject}`;
    const g = groups.get(key);
    if (!g) {
      groups.set(key, {
        id: newId(),
        project_id: projectId,
        type: a.type,
        severity: a.severity,
        severity_rank: SEVERITY_RANK[a.severity],
        subject,
        status: 'open',
        count: 1,
        first_seen: a.time,
        last_seen: a.time,
        message: a.message,
        rule: a.rule,
        host: a.host,
        sample: JSON.stringify(a),
      });
      continue;
    }
    g.count++;
    if (a.time < g.first_seen) g.first_seen = a.time;
    if (a.time >= g.last_seen) {
      g.last_seen = a.time;
      g.message = a.message;
      g.sample = JSON.stringify(a);
      g.host = a.host;
      g.rule = a.rule;
    }
    if (SEVERITY_RANK[a.severity] > g.severity_rank) {
      g.severity_rank = SEVERITY_RANK[a.severity];
      g.severity = a.severity;
    }
  }
  return [...groups.values()];
}

const sqliteIdStatements = new WeakMap<object, { run(...a: unknown[]): { changes: number } }>();

/**
 * The alerts whose IDs this project has not stored yet, recording theirs
 * (inside the caller's transaction, so a rolled back ingest forgets them).
 * An ID repeated within the batch counts once.
 */
async function firstSeen(store: Store, trx: Tx, projectId: string, alerts: readonly Alert[], now: string): Promise<Alert[]> {
  const fresh: Alert[] = [];
  if (store.sqlite) {
    let stmt = sqliteIdStatements.get(store.sqlite);
    if (!stmt) {
      stmt = store.sqlite.prepare('insert into agent_alert_ids (project_id, alert_id, received_at) values (?, ?, ?) on conflict do nothing') as never;
      sqliteIdStatements.set(store.sqlite, stmt!);
    }
    for (const a of alerts) if (stmt!.run(projectId, a.id, now).changes === 1) fresh.push(a);
    return fresh;
  }
  for (let i = 0; i < alerts.length; i += 5000) {
    const part = alerts.slice(i, i + 5000);
    // In ID order: overlapping commits that carry the same IDs (a replay) take their locks in one order.
    const ids = part.map((a) => a.id).sort();
    const r = await sql<{ alert_id: string }>`insert into agent_alert_ids (project_id, alert_id, received_at)
      select ${projectId}, x, ${now} from unnest(${ids}::text[]) as x on conflict do nothing returning alert_id`.execute(trx);
    const got = new Set(r.rows.map((x) => x.alert_id));
    for (const a of part) if (got.delete(a.id)) fresh.push(a);
  }
  return fresh;
}

export interface IngestOptions {
  /** Store each alert ID once per project (agent replays); `received` then counts the new ones. */
  dedupeIds?: boolean;
  /** Receive time recorded with the IDs (default now). */
  now?: string;
  /** Told which alerts were stored (with dedupeIds: the new ones), before `inTx` runs. */
  onFresh?: (alerts: readonly Alert[]) => void;
}

/** `inTx` runs in the same transaction (the route writes its audit record there). */
export async function ingestAlerts(
  store: Store,
  projectId: string,
  alerts: readonly Alert[],
  inTx?: (trx: Tx) => Promise<void>,
  o: IngestOptions = {},
): Promise<IngestResult> {
  return store.db.transaction().execute(async (trx) => {
    const take = o.dedupeIds ? await firstSeen(store, trx, projectId, alerts, o.now ?? new Date().toISOString()) : alerts;
    const rows = groupAlerts(projectId, take);
    if (rows.length) {
      if (store.sqlite) upsertSqlite(store, rows);
      else await upsertPostgres(trx, rows);
    }
    o.onFresh?.(take);
    if (inTx) await inTx(trx);
    return { received: take.length, groups: rows.length };
  });
}

export interface AlertFilter {
  /** 'all' or the projects the caller may read. */
  projects: 'all' | string[];
  status?: string;
  type?: string;
  severity?: string;
  /** ISO time: only groups last seen at or after. */
  since?: string;
  /** ISO time: only groups last seen before. */
  until?: string;
  /** Only groups whose latest alert came from this node (its host name). */
  node?: string;
  /** Only groups about this container: its id or its name (a few groups: they are found first, then filtered and sorted). */
  container?: string;
  /** Cursor from the previous page. */
  cursor?: string;
  limit: number;
}

export function encodeCursor(lastSeen: string, id: string): string {
  return Buffer.from(`${lastSeen}|${id}`).toString('base64url');
}

export function decodeCursor(c: string): { lastSeen: string; id: string } | undefined {
  const s = Buffer.from(c, 'base64url').toString('utf8');
  const i = s.indexOf('|');
  if (i <= 0 || s.length > 200) return undefined;
  return { lastSeen: s.slice(0, i), id: s.slice(i + 1) };
}

/** The columns of a list entry: every stored column but the sort rank and the sample, which only the single-group read returns. */
type AlertListColumn = Exclude<(typeof COLS)[number], 'severity_rank' | 'sample'>;
export const ALERT_LIST_COLUMNS: readonly AlertListColumn[] = COLS.filter((c): c is AlertListColumn => c !== 'severity_rank' && c !== 'sample');
/** A list entry: its columns and the container's name from its sample ('' when none). */
export type AlertListRow = Pick<AlertTable, AlertListColumn> & { container_name: string };

/**
 * Up to this many projects are listed one index range each and merged; more
 * fall back to one query over all of them (a sort of every matching row).
 */
export const MAX_MERGED_PROJECTS = 64;

type Cursor = { lastSeen: string; id: string };

/** The filter and cursor conditions of a page, shared by the one-query and the merged forms. */
function conditions(f: AlertFilter, cursor: Cursor | undefined): RawBuilder<boolean>[] {
  return [
    ...(f.status ? [sql<boolean>`status = ${f.status}`] : []),
    ...(f.type ? [sql<boolean>`type = ${f.type}`] : []),
    ...(f.severity ? [sql<boolean>`severity = ${f.severity}`] : []),
    ...(f.since ? [sql<boolean>`last_seen >= ${f.since}`] : []),
    ...(f.until ? [sql<boolean>`last_seen < ${f.until}`] : []),
    ...(f.node ? [sql<boolean>`host = ${f.node}`] : []),
    // A row-value comparison is one range on the (..., last_seen, id) index in both databases.
    ...(cursor ? [sql<boolean>`(last_seen, id) < (${cursor.lastSeen}, ${cursor.id})`] : []),
  ];
}

/**
 * A container's groups (by its id, the subject, or its name) in the
 * projects: the few rows found through the two indexes, whatever their
 * time. The projects are checked inside, so the page's query has no project
 * condition of its own: with one, the planners would walk the project's
 * whole time-ordered index looking for them.
 */
function containerGroups(dialect: Store['dialect'], container: string, projects: 'all' | readonly string[]): RawBuilder<boolean> {
  const inProjects = projects === 'all' ? sql`` : sql`and project_id in (${sql.join(projects)})`;
  return sql<boolean>`id in (select id from alerts where subject = ${`container:${container}`} ${inProjects}
    union all select id from alerts where ${containerName(dialect)} = ${container} ${inProjects})`;
}

/**
 * The container's name in a group's latest alert (its sample), as the
 * expression index of migration 0019 spells it (the planners use that
 * index only for the same expression): read, not stored twice.
 */
export function containerName(dialect: Store['dialect']): RawBuilder<string | null> {
  return dialect === 'postgres' ? sql`(sample::json -> 'container' ->> 'name')` : sql`json_extract(sample, '$.container.name')`;
}

function pageQuery(store: Store, f: AlertFilter, projects: 'all' | string[], cursor: Cursor | undefined) {
  let q = store.db
    .selectFrom('alerts')
    .select(ALERT_LIST_COLUMNS)
    .select(sql<string>`coalesce(${containerName(store.dialect)}, '')`.as('container_name'));
  if (f.container) q = q.where(containerGroups(store.dialect, f.container, projects));
  else if (projects !== 'all') q = projects.length === 1 ? q.where('project_id', '=', projects[0]!) : q.where('project_id', 'in', projects);
  for (const c of conditions(f, cursor)) q = q.where(c);
  return q
    .orderBy('last_seen', 'desc')
    .orderBy('id', 'desc')
    .limit(f.limit + 1);
}

/**
 * Several projects' pages as one statement: per project, the newest
 * `limit + 1` groups from the index of the filter shape, merged by the outer
 * ORDER BY. PostgreSQL runs a LATERAL subquery per project id; SQLite (no
 * LATERAL) a UNION ALL of per-project key lists (the indexes cover last_seen
 * and id, so no row is read), then only the rows of the page. Written as SQL
 * text because the query builder would build and compile one subquery per
 * project on every request.
 */
function mergedPage(dialect: Store['dialect'], f: AlertFilter, projects: readonly string[], cursor: Cursor | undefined) {
  const filters = conditions(f, cursor);
  const where = (project: RawBuilder<unknown>) => sql.join([sql`project_id = ${project}`, ...filters], sql` and `);
  const n = f.limit + 1;
  const cols = sql.join([...ALERT_LIST_COLUMNS.map((c) => sql.ref(c)), sql`coalesce(${containerName(dialect)}, '') as container_name`]);
  if (dialect === 'postgres') {
    return sql<AlertListRow>`select a.* from unnest(${[...projects]}::text[]) as p(id) cross join lateral (
      select ${cols} from alerts where ${where(sql`p.id`)} order by last_seen desc, id desc limit ${n}
    ) as a order by a.last_seen desc, a.id desc limit ${n}`;
  }
  const branches = projects.map(
    (p, i) => sql`select * from (select id, last_seen from alerts where ${where(sql`${p}`)}
    order by last_seen desc, id desc limit ${n}) as ${sql.raw(`b${i}`)}`,
  );
  return sql<AlertListRow>`select ${cols} from alerts where id in (
    select id from (${sql.join(branches, sql` union all `)}) as k order by last_seen desc, id desc limit ${n}
  ) order by last_seen desc, id desc`;
}

/**
 * One page of alert groups, newest first (keyset pagination on last_seen, id).
 * Every page is index range scans: one project uses the index of its filter
 * shape; several projects (or all projects with a filter, which walked over
 * the all-projects index would read every row when few match) are listed one
 * project at a time and merged in one statement.
 */
export async function listAlerts(store: Store, f: AlertFilter): Promise<{ items: AlertListRow[]; next?: string }> {
  const db = store.db;
  let cursor: Cursor | undefined;
  if (f.cursor) {
    cursor = decodeCursor(f.cursor);
    if (!cursor) throw new InputError('BAD_CURSOR', 'cursor is not one this API returned', 'cursor');
  }
  let projects = f.projects;
  if (projects === 'all' && (f.status || f.type || f.severity || f.node)) {
    const ids = await db
      .selectFrom('projects')
      .select('id')
      .limit(MAX_MERGED_PROJECTS + 1)
      .execute();
    if (ids.length <= MAX_MERGED_PROJECTS) projects = ids.map((r) => r.id);
  }
  if (projects !== 'all' && projects.length === 0) return { items: [] };
  let items: AlertListRow[];
  if (f.container || projects === 'all' || projects.length === 1 || projects.length > MAX_MERGED_PROJECTS) {
    items = await pageQuery(store, f, projects, cursor).execute();
  } else {
    items = (await mergedPage(store.dialect, f, projects, cursor).execute(db)).rows;
  }
  let next: string | undefined;
  if (items.length > f.limit) {
    items.length = f.limit;
    const last = items[items.length - 1]!;
    next = encodeCursor(last.last_seen, last.id);
  }
  return { items, next };
}
