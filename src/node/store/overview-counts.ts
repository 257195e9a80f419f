// The overview's counts (GET /api/v1/projects/{id}/overview), kept by the
// database itself at every write, in the writing transaction (migration
// 0018), so the overview reads a few hundred summary rows instead of
// aggregating 1M alert groups and 500k findings per request:
//
// - overview_image_levels: images per project and level (IMAGE_LEVEL);
// - overview_alert_days: alert groups per project, UTC day of last_seen,
//   severity and type (the trend charts);
// - overview_alert_status: alert groups per project and status (open count);
// - overview_package_images: counted findings per image and package, with
//   the image's project (so a finding deleted after its image, by the
//   foreign key's cascade, still finds its project);
// - overview_packages: counted findings and images with at least one per
//   project and package (the top vulnerable packages).
//
// A counted finding is a vulnerability (kind 'vuln') that is not ignored,
// as in the images' severity counts.
//
// Triggers keep them: every insert, update and delete of alerts and
// findings, whatever code path or foreign-key cascade made it (alert ingest
// upserts, status changes, rescans, ignores set or lapsing, image and
// project deletion). SQLite: row triggers. PostgreSQL: statement triggers
// over transition tables (one grouped upsert per statement, in key order),
// after a transaction-scoped advisory lock per project and table family, so
// concurrent writers of one project's counters queue instead of
// deadlocking on counter rows taken in different orders. A delete only
// ever updates counters (never inserts): a project's counter rows may
// already be gone by its cascade.
import { sql, type Kysely } from 'kysely';
import type { Dialect } from './store.js';

/** Advisory lock class ids (two-key form) of the counter families, PostgreSQL. */
const LOCK_ALERTS = 0x7669_0018;
const LOCK_PACKAGES = 0x7669_0019;

/** An image's level in the overview's "images by highest severity": its highest severity with a finding, clean, or unscanned. */
export const IMAGE_LEVEL = (r: string) =>
  `case when ${r}.last_scan_id is null then 'unscanned' when ${r}.critical > 0 then 'critical' when ${r}.high > 0 then 'high'
    when ${r}.medium > 0 then 'medium' when ${r}.low > 0 then 'low' else 'clean' end`;
const LOCK_IMAGES = 0x7669_0020;
const DAY = (r: string) => `substr(${r}.last_seen, 1, 10)`;
const COUNTED = (r: string) => `${r}.kind = 'vuln' and ${r}.ignored = 0`;

async function createTables(db: Kysely<any>): Promise<void> {
  const s = db.schema;
  /**
   * A counter table: text `keys` (its primary key; project_id references the
   * project, deleted with it, unless `fk` is false), integer `counts`.
   */
  const counters = async (name: string, keys: string[], counts: string[], fk = true) => {
    let t = s.createTable(name);
    for (const k of keys)
      t = t.addColumn(k, 'text', (c) => (k === 'project_id' && fk ? c.notNull().references('projects.id').onDelete('cascade') : c.notNull()));
    for (const k of counts) t = t.addColumn(k, 'integer', (c) => c.notNull());
    await t.addPrimaryKeyConstraint(`${name}_pk`, keys.filter((k) => fk || k !== 'project_id') as never).execute();
  };
  await counters('overview_image_levels', ['project_id', 'level'], ['n']);
  await counters('overview_alert_days', ['project_id', 'day', 'severity', 'type'], ['n']);
  await counters('overview_alert_status', ['project_id', 'status'], ['n']);
  // No foreign key, project_id not in the key: its rows go when their count reaches 0 (also by cascade).
  await counters('overview_package_images', ['image_id', 'package', 'project_id'], ['findings'], false);
  await counters('overview_packages', ['project_id', 'package'], ['findings', 'images']);
  await s.createIndex('overview_packages_top').on('overview_packages').columns(['project_id', 'findings']).execute();
}

/** The counters recomputed from the stored rows (the migration's backfill; also what tests compare with). */
export async function rebuildOverviewCounts(db: Kysely<any>): Promise<void> {
  for (const t of ['overview_image_levels', 'overview_alert_days', 'overview_alert_status', 'overview_packages', 'overview_package_images'])
    await db.deleteFrom(t).execute();
  await sql`insert into overview_alert_days (project_id, day, severity, type, n)
    select project_id, ${sql.raw(DAY('alerts'))}, severity, type, count(*) from alerts group by 1, 2, 3, 4`.execute(db);
  await sql`insert into overview_image_levels (project_id, level, n) select project_id, ${sql.raw(IMAGE_LEVEL('images'))}, count(*) from images group by 1, 2`.execute(
    db,
  );
  await sql`insert into overview_alert_status (project_id, status, n) select project_id, status, count(*) from alerts group by 1, 2`.execute(db);
  await sql`insert into overview_package_images (image_id, package, project_id, findings)
    select f.image_id, f.package, im.project_id, count(*) from findings f join images im on im.id = f.image_id
    where ${sql.raw(COUNTED('f'))} group by 1, 2, 3`.execute(db);
  await sql`insert into overview_packages (project_id, package, findings, images)
    select project_id, package, sum(findings), count(*) from overview_package_images group by 1, 2`.execute(db);
}

// ---- SQLite: row triggers ------------------------------------------------

/** Adds 1 to the alert counters of row `r` (new.*). */
const sqliteAlertDayAdd = (r: string) => `insert into overview_alert_days (project_id, day, severity, type, n)
  values (${r}.project_id, ${DAY(r)}, ${r}.severity, ${r}.type, 1)
  on conflict (project_id, day, severity, type) do update set n = n + 1;`;
const sqliteAlertDaySub = (r: string) => `update overview_alert_days set n = n - 1
  where project_id = ${r}.project_id and day = ${DAY(r)} and severity = ${r}.severity and type = ${r}.type;`;
const sqliteStatusAdd = (r: string) => `insert into overview_alert_status (project_id, status, n) values (${r}.project_id, ${r}.status, 1)
  on conflict (project_id, status) do update set n = n + 1;`;
const sqliteStatusSub = (r: string) => `update overview_alert_status set n = n - 1 where project_id = ${r}.project_id and status = ${r}.status;`;

const sqliteLevelAdd = (r: string) => `insert into overview_image_levels (project_id, level, n) values (${r}.project_id, ${IMAGE_LEVEL(r)}, 1)
  on conflict (project_id, level) do update set n = n + 1;`;
const sqliteLevelSub = (r: string) => `update overview_image_levels set n = n - 1 where project_id = ${r}.project_id and level = ${IMAGE_LEVEL(r)};`;

const pi = (r: string) => `image_id = ${r}.image_id and package = ${r}.package`;
/** Counts finding `r` (new.*): its image and package, then its project and package (an image more when it was its first). */
const sqliteFindingAdd = (r: string) => `insert into overview_package_images (image_id, package, project_id, findings)
  select ${r}.image_id, ${r}.package, project_id, 1 from images where id = ${r}.image_id
  on conflict (image_id, package) do update set findings = findings + 1;
  insert into overview_packages (project_id, package, findings, images)
  select project_id, package, 1, case when findings = 1 then 1 else 0 end from overview_package_images where ${pi(r)}
  on conflict (project_id, package) do update set findings = findings + 1, images = images + excluded.images;`;
/** Uncounts finding `r` (old.*), through its image's row (none: nothing to do). */
const sqliteFindingSub = (r: string) => `update overview_packages set findings = findings - 1,
    images = images - (select case when findings = 1 then 1 else 0 end from overview_package_images where ${pi(r)})
  where package = ${r}.package and project_id = (select project_id from overview_package_images where ${pi(r)});
  update overview_package_images set findings = findings - 1 where ${pi(r)};
  delete from overview_package_images where ${pi(r)} and findings <= 0;`;

function sqliteTriggers(): string[] {
  const dayKey = (r: string) => `${r}.project_id, ${DAY(r)}, ${r}.severity, ${r}.type`;
  const sameFinding = `(${COUNTED('new')}) and (${COUNTED('old')}) and new.image_id = old.image_id and new.package = old.package`;
  const t = (name: string, when: string, body: string) => `create trigger ${name} ${when} begin ${body} end`;
  return [
    t('overview_images_ins', 'after insert on images', sqliteLevelAdd('new')),
    t('overview_images_del', 'after delete on images', sqliteLevelSub('old')),
    t(
      'overview_images_upd',
      `after update of project_id, last_scan_id, critical, high, medium, low on images
        when (old.project_id, ${IMAGE_LEVEL('old')}) is not (new.project_id, ${IMAGE_LEVEL('new')})`,
      sqliteLevelSub('old') + sqliteLevelAdd('new'),
    ),
    t('overview_alerts_ins', 'after insert on alerts', sqliteAlertDayAdd('new') + sqliteStatusAdd('new')),
    t('overview_alerts_del', 'after delete on alerts', sqliteAlertDaySub('old') + sqliteStatusSub('old')),
    t(
      'overview_alerts_upd_day',
      `after update of project_id, last_seen, severity, type on alerts when (${dayKey('old')}) is not (${dayKey('new')})`,
      sqliteAlertDaySub('old') + sqliteAlertDayAdd('new'),
    ),
    t(
      'overview_alerts_upd_status',
      'after update of project_id, status on alerts when (old.project_id, old.status) is not (new.project_id, new.status)',
      sqliteStatusSub('old') + sqliteStatusAdd('new'),
    ),
    t('overview_findings_ins', `after insert on findings when ${COUNTED('new')}`, sqliteFindingAdd('new')),
    t('overview_findings_del', `after delete on findings when ${COUNTED('old')}`, sqliteFindingSub('old')),
    t(
      'overview_findings_upd_old',
      `after update of kind, ignored, image_id, package on findings when (${COUNTED('old')}) and not (${sameFinding})`,
      sqliteFindingSub('old'),
    ),
    t(
      'overview_findings_upd_new',
      `after update of kind, ignored, image_id, package on findings when (${COUNTED('new')}) and not (${sameFinding})`,
      sqliteFindingAdd('new'),
    ),
  ];
}

// ---- PostgreSQL: statement triggers over transition tables ----------------

type Op = 'ins' | 'upd' | 'del';

/** Rows with their change (+1 / -1): the transition tables `n` (new) and `o` (old) of the operation. */
function changes(op: Op, cols: string, where = 'true'): string {
  const plus = `select ${cols}, 1 as d from n where ${where.replaceAll('$', 'n')}`;
  const minus = `select ${cols}, -1 as d from o where ${where.replaceAll('$', 'o')}`;
  return op === 'ins' ? plus : op === 'del' ? minus : `${plus} union all ${minus}`;
}

function lock(cls: number, projects: string): string {
  return `perform pg_advisory_xact_lock(${cls}, hashtext(p)) from (select distinct project_id as p from (${projects}) x order by 1) y;`;
}

/**
 * Adds the grouped deltas `d` (a query with the `key`, `vals` and `extra`
 * columns) to `table` (`extra`: set on insert only); a delete only updates
 * existing rows.
 */
function apply(op: Op, table: string, key: string[], vals: string[], d: string, extra: string[] = []): string {
  if (op === 'del')
    return `update ${table} t set ${vals.map((c) => `${c} = t.${c} + d.${c}`).join(', ')}
      from (${d}) d where ${key.map((k) => `t.${k} = d.${k}`).join(' and ')}`;
  const cols = [...key, ...extra, ...vals];
  return `insert into ${table} (${cols.join(', ')}) select ${cols.join(', ')} from (${d}) d order by ${key.join(', ')}
    on conflict (${key.join(', ')}) do update set ${vals.map((c) => `${c} = ${table}.${c} + excluded.${c}`).join(', ')}`;
}

function pgAlertsBody(op: Op): string {
  const rows = changes(op, `project_id, substr(last_seen, 1, 10) as day, severity, type, status`);
  const days = `select project_id, day, severity, type, sum(d)::int as n from (${rows}) c group by 1, 2, 3, 4 having sum(d) <> 0`;
  const status = `select project_id, status, sum(d)::int as n from (${rows}) c group by 1, 2 having sum(d) <> 0`;
  return `${lock(LOCK_ALERTS, rows)}
    ${apply(op, 'overview_alert_days', ['project_id', 'day', 'severity', 'type'], ['n'], days)};
    ${apply(op, 'overview_alert_status', ['project_id', 'status'], ['n'], status)};`;
}

function pgImagesBody(op: Op): string {
  const rows = changes(op, `project_id, ${IMAGE_LEVEL('$')} as level`).replaceAll('$.', '');
  const levels = `select project_id, level, sum(d)::int as n from (${rows}) c group by 1, 2 having sum(d) <> 0`;
  return `${lock(LOCK_IMAGES, rows)}
    ${apply(op, 'overview_image_levels', ['project_id', 'level'], ['n'], levels)};`;
}

function pgFindingsBody(op: Op): string {
  // The change per image and package (k), with the count before (b) and the
  // project: the image's counter row's (it outlives the image in a
  // cascade), else the image's. One statement updates both tables from k
  // (both read the counters as they were); rows down to 0 go after.
  const rows = changes(op, 'image_id, package', COUNTED('$'));
  const delta = `select c.image_id, c.package, sum(c.d)::int as d from (${rows}) c group by 1, 2 having sum(c.d) <> 0`;
  const cur = `select x.image_id, x.package, x.d, coalesce(pi.findings, 0) as b, coalesce(pi.project_id, im.project_id) as project_id
    from (${delta}) x left join overview_package_images pi on pi.image_id = x.image_id and pi.package = x.package
    left join images im on im.id = x.image_id`;
  const packages = 'select project_id, package, sum(d)::int as findings, sum((b + d > 0)::int - (b > 0)::int)::int as images from k group by 1, 2';
  return `${lock(LOCK_PACKAGES, `select project_id from (${cur}) k where project_id is not null`)}
    with k as (${cur} where coalesce(pi.project_id, im.project_id) is not null),
      p as (${apply(op, 'overview_packages', ['project_id', 'package'], ['findings', 'images'], packages)})
    ${apply(op, 'overview_package_images', ['image_id', 'package'], ['findings'], 'select image_id, package, project_id, d as findings from k', ['project_id'])};
    delete from overview_package_images pi using (${delta}) x where pi.image_id = x.image_id and pi.package = x.package and pi.findings <= 0;`;
}

function pgTriggers(): string[] {
  const out: string[] = [];
  const ref: Record<Op, string> = { ins: 'new table as n', del: 'old table as o', upd: 'old table as o new table as n' };
  const ev: Record<Op, string> = { ins: 'insert', del: 'delete', upd: 'update' };
  for (const [table, body] of [
    ['images', pgImagesBody],
    ['alerts', pgAlertsBody],
    ['findings', pgFindingsBody],
  ] as const) {
    for (const op of ['ins', 'upd', 'del'] as const) {
      const fn = `overview_${table}_${op}`;
      out.push(`create function ${fn}() returns trigger language plpgsql as $f$ begin ${body(op)} return null; end $f$`);
      out.push(`create trigger ${fn} after ${ev[op]} on ${table} referencing ${ref[op]} for each statement execute function ${fn}()`);
    }
  }
  return out;
}

/** Migration 0018: the counter tables, filled from the stored rows, and the triggers that keep them. */
export async function createOverviewCounts(db: Kysely<any>, dialect: Dialect): Promise<void> {
  await createTables(db);
  await rebuildOverviewCounts(db);
  for (const t of dialect === 'postgres' ? pgTriggers() : sqliteTriggers()) await sql.raw(t).execute(db);
}
