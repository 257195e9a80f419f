// Schema migrations of the store, in order. Each has a stable id; applied ids
// are recorded in `vigil_migrations`. Migrations are written once for both
// dialects with Kysely's schema builder; the few dialect differences (the
// audit sequence column) are branched on explicitly.
import { sql, type Kysely } from 'kysely';
import type { Dialect } from './store.js';
import { createOverviewCounts } from './overview-counts.js';

export interface Migration {
  id: string;
  up(db: Kysely<any>, dialect: Dialect): Promise<void>;
}

const text = 'text' as const;
const int = 'integer' as const;

export const MIGRATIONS: readonly Migration[] = [
  {
    id: '0001-initial',
    async up(db, dialect) {
      const s = db.schema;
      await s
        .createTable('projects')
        .addColumn('id', text, (c) => c.primaryKey())
        .addColumn('name', text, (c) => c.notNull().unique())
        .addColumn('description', text, (c) => c.notNull().defaultTo(''))
        .addColumn('rescan_cron', text, (c) => c.notNull())
        .addColumn('created_at', text, (c) => c.notNull())
        .execute();
      await s
        .createTable('users')
        .addColumn('id', text, (c) => c.primaryKey())
        .addColumn('username', text, (c) => c.notNull().unique())
        .addColumn('password_hash', text, (c) => c.notNull())
        .addColumn('disabled', int, (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', text, (c) => c.notNull())
        .execute();
      await s
        .createTable('role_bindings')
        .addColumn('id', text, (c) => c.primaryKey())
        .addColumn('user_id', text, (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('role', text, (c) => c.notNull())
        .addColumn('project_id', text, (c) => c.references('projects.id').onDelete('cascade'))
        .addColumn('actions', text, (c) => c.notNull().defaultTo('[]'))
        .addColumn('created_at', text, (c) => c.notNull())
        .execute();
      await s.createIndex('role_bindings_user').on('role_bindings').column('user_id').execute();
      await s
        .createTable('tokens')
        .addColumn('id', text, (c) => c.primaryKey())
        .addColumn('user_id', text, (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('kind', text, (c) => c.notNull())
        .addColumn('name', text, (c) => c.notNull())
        .addColumn('token_hash', text, (c) => c.notNull().unique())
        .addColumn('created_at', text, (c) => c.notNull())
        .addColumn('expires_at', text)
        .addColumn('revoked_at', text)
        .addColumn('last_used_at', text)
        .execute();
      await s.createIndex('tokens_user').on('tokens').columns(['user_id', 'kind']).execute();
      await s
        .createTable('registries')
        .addColumn('id', text, (c) => c.primaryKey())
        .addColumn('project_id', text, (c) => c.notNull().references('projects.id').onDelete('cascade'))
        .addColumn('name', text, (c) => c.notNull())
        .addColumn('url', text, (c) => c.notNull())
        .addColumn('username', text, (c) => c.notNull().defaultTo(''))
        .addColumn('password_enc', text, (c) => c.notNull().defaultTo(''))
        .addColumn('insecure', int, (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', text, (c) => c.notNull())
        .addColumn('last_sync_at', text)
        .execute();
      await s
        .createTable('images')
        .addColumn('id', text, (c) => c.primaryKey())
        .addColumn('project_id', text, (c) => c.notNull().references('projects.id').onDelete('cascade'))
        .addColumn('registry_id', text, (c) => c.references('registries.id').onDelete('set null'))
        .addColumn('ref', text, (c) => c.notNull())
        .addColumn('registry', text, (c) => c.notNull().defaultTo(''))
        .addColumn('repository', text, (c) => c.notNull().defaultTo(''))
        .addColumn('tag', text, (c) => c.notNull().defaultTo(''))
        .addColumn('digest', text, (c) => c.notNull().defaultTo(''))
        .addColumn('os_family', text, (c) => c.notNull().defaultTo(''))
        .addColumn('os_version', text, (c) => c.notNull().defaultTo(''))
        .addColumn('last_scan_id', text)
        .addColumn('last_scan_at', text)
        .addColumn('critical', int, (c) => c.notNull().defaultTo(0))
        .addColumn('high', int, (c) => c.notNull().defaultTo(0))
        .addColumn('medium', int, (c) => c.notNull().defaultTo(0))
        .addColumn('low', int, (c) => c.notNull().defaultTo(0))
        .addColumn('unknown', int, (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', text, (c) => c.notNull())
        .addColumn('updated_at', text, (c) => c.notNull())
        .addUniqueConstraint('images_project_ref', ['project_id', 'ref'])
        .execute();
      await s
        .createTable('scans')
        .addColumn('id', text, (c) => c.primaryKey())
        .addColumn('project_id', text, (c) => c.notNull().references('projects.id').onDelete('cascade'))
        .addColumn('image_id', text, (c) => c.notNull().references('images.id').onDelete('cascade'))
        .addColumn('status', text, (c) => c.notNull())
        .addColumn('progress', int, (c) => c.notNull().defaultTo(0))
        .addColumn('error', text, (c) => c.notNull().defaultTo(''))
        .addColumn('attempts', int, (c) => c.notNull().defaultTo(0))
        .addColumn('trigger', text, (c) => c.notNull())
        .addColumn('worker', text, (c) => c.notNull().defaultTo(''))
        .addColumn('created_at', text, (c) => c.notNull())
        .addColumn('started_at', text)
        .addColumn('finished_at', text)
        .execute();
      await s.createIndex('scans_project').on('scans').columns(['project_id', 'id']).execute();
      await s.createIndex('scans_image').on('scans').columns(['image_id']).execute();
      await s
        .createTable('findings')
        .addColumn('id', text, (c) => c.primaryKey())
        .addColumn('image_id', text, (c) => c.notNull().references('images.id').onDelete('cascade'))
        .addColumn('scan_id', text, (c) => c.notNull())
        .addColumn('kind', text, (c) => c.notNull())
        .addColumn('ref_id', text, (c) => c.notNull())
        .addColumn('package', text, (c) => c.notNull())
        .addColumn('installed_version', text, (c) => c.notNull())
        .addColumn('fixed_version', text, (c) => c.notNull())
        .addColumn('severity', text, (c) => c.notNull())
        .addColumn('title', text, (c) => c.notNull())
        .addColumn('data', text, (c) => c.notNull())
        .execute();
      await s.createIndex('findings_image').on('findings').columns(['image_id', 'kind', 'id']).execute();
      await s.createIndex('findings_ref').on('findings').columns(['ref_id']).execute();
      await s
        .createTable('packages')
        .addColumn('id', text, (c) => c.primaryKey())
        .addColumn('image_id', text, (c) => c.notNull().references('images.id').onDelete('cascade'))
        .addColumn('type', text, (c) => c.notNull())
        .addColumn('name', text, (c) => c.notNull())
        .addColumn('version', text, (c) => c.notNull())
        .addColumn('layer_digest', text, (c) => c.notNull())
        .execute();
      await s.createIndex('packages_image').on('packages').columns(['image_id', 'id']).execute();
      await s
        .createTable('vuln_ignores')
        .addColumn('id', text, (c) => c.primaryKey())
        .addColumn('project_id', text, (c) => c.notNull().references('projects.id').onDelete('cascade'))
        .addColumn('image_id', text, (c) => c.references('images.id').onDelete('cascade'))
        .addColumn('vuln_id', text, (c) => c.notNull())
        .addColumn('package', text, (c) => c.notNull().defaultTo(''))
        .addColumn('reason', text, (c) => c.notNull().defaultTo(''))
        .addColumn('created_by', text, (c) => c.notNull())
        .addColumn('created_at', text, (c) => c.notNull())
        .execute();
      await s.createIndex('vuln_ignores_project').on('vuln_ignores').columns(['project_id', 'vuln_id']).execute();
      await s
        .createTable('policies')
        .addColumn('id', text, (c) => c.primaryKey())
        .addColumn('project_id', text, (c) => c.notNull().references('projects.id').onDelete('cascade'))
        .addColumn('name', text, (c) => c.notNull())
        .addColumn('kind', text, (c) => c.notNull())
        .addColumn('mode', text, (c) => c.notNull())
        .addColumn('document', text, (c) => c.notNull())
        .addColumn('created_at', text, (c) => c.notNull())
        .addColumn('updated_at', text, (c) => c.notNull())
        .addUniqueConstraint('policies_project_name', ['project_id', 'name'])
        .execute();
      await s
        .createTable('policy_images')
        .addColumn('policy_id', text, (c) => c.notNull().references('policies.id').onDelete('cascade'))
        .addColumn('image_id', text, (c) => c.notNull().references('images.id').onDelete('cascade'))
        .addColumn('created_at', text, (c) => c.notNull())
        .addPrimaryKeyConstraint('policy_images_pk', ['policy_id', 'image_id'])
        .execute();
      await s
        .createTable('clusters')
        .addColumn('id', text, (c) => c.primaryKey())
        .addColumn('project_id', text, (c) => c.notNull().references('projects.id').onDelete('cascade'))
        .addColumn('name', text, (c) => c.notNull())
        .addColumn('protected', int, (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', text, (c) => c.notNull())
        .addUniqueConstraint('clusters_project_name', ['project_id', 'name'])
        .execute();
      await s
        .createTable('agent_tokens')
        .addColumn('id', text, (c) => c.primaryKey())
        .addColumn('cluster_id', text, (c) => c.notNull().references('clusters.id').onDelete('cascade'))
        .addColumn('project_id', text, (c) => c.notNull())
        .addColumn('token_hash', text, (c) => c.notNull().unique())
        .addColumn('created_at', text, (c) => c.notNull())
        .addColumn('expires_at', text, (c) => c.notNull())
        .execute();
      await s
        .createTable('nodes')
        .addColumn('id', text, (c) => c.primaryKey())
        .addColumn('project_id', text, (c) => c.notNull().references('projects.id').onDelete('cascade'))
        .addColumn('cluster_id', text, (c) => c.references('clusters.id').onDelete('set null'))
        .addColumn('hostname', text, (c) => c.notNull())
        .addColumn('status', text, (c) => c.notNull())
        .addColumn('version', text, (c) => c.notNull().defaultTo(''))
        .addColumn('last_seen', text, (c) => c.notNull())
        .addColumn('created_at', text, (c) => c.notNull())
        .addUniqueConstraint('nodes_project_host', ['project_id', 'hostname'])
        .execute();
      await s
        .createTable('alerts')
        .addColumn('id', text, (c) => c.primaryKey())
        .addColumn('project_id', text, (c) => c.notNull().references('projects.id').onDelete('cascade'))
        .addColumn('type', text, (c) => c.notNull())
        .addColumn('severity', text, (c) => c.notNull())
        .addColumn('severity_rank', int, (c) => c.notNull())
        .addColumn('subject', text, (c) => c.notNull())
        .addColumn('status', text, (c) => c.notNull())
        .addColumn('count', int, (c) => c.notNull())
        .addColumn('first_seen', text, (c) => c.notNull())
        .addColumn('last_seen', text, (c) => c.notNull())
        .addColumn('message', text, (c) => c.notNull())
        .addColumn('rule', text, (c) => c.notNull())
        .addColumn('host', text, (c) => c.notNull())
        .addColumn('sample', text, (c) => c.notNull())
        .addUniqueConstraint('alerts_group', ['project_id', 'type', 'subject'])
        .execute();
      // The list API orders by (last_seen, id) descending and filters by
      // project plus optionally status, type, severity: one index per common
      // filter shape, each ending in the sort key, so a page is an index
      // range scan even when the filter matches few rows (a filter walked
      // inside a wider index would scan the whole project when nothing matches).
      // Administrators list across all projects: newest first over everything.
      await s.createIndex('alerts_seen').on('alerts').columns(['last_seen', 'id']).execute();
      await s.createIndex('alerts_project_seen').on('alerts').columns(['project_id', 'last_seen', 'id']).execute();
      await s.createIndex('alerts_project_status_seen').on('alerts').columns(['project_id', 'status', 'last_seen', 'id']).execute();
      await s.createIndex('alerts_project_type_seen').on('alerts').columns(['project_id', 'type', 'last_seen', 'id']).execute();
      await s.createIndex('alerts_project_sev_seen').on('alerts').columns(['project_id', 'severity', 'last_seen', 'id']).execute();
      await s.createIndex('alerts_project_status_sev_seen').on('alerts').columns(['project_id', 'status', 'severity', 'last_seen', 'id']).execute();
      const audit = s.createTable('audit_log');
      await (
        dialect === 'postgres' ? audit.addColumn('seq', 'serial', (c) => c.primaryKey()) : audit.addColumn('seq', int, (c) => c.primaryKey().autoIncrement())
      )
        .addColumn('time', text, (c) => c.notNull())
        .addColumn('user_id', text, (c) => c.notNull())
        .addColumn('username', text, (c) => c.notNull())
        .addColumn('source_ip', text, (c) => c.notNull())
        .addColumn('user_agent', text, (c) => c.notNull())
        .addColumn('project_id', text, (c) => c.notNull())
        .addColumn('event', text, (c) => c.notNull())
        .addColumn('resource_type', text, (c) => c.notNull())
        .addColumn('resource_id', text, (c) => c.notNull())
        .addColumn('summary', text, (c) => c.notNull())
        .addColumn('result', text, (c) => c.notNull())
        .addColumn('prev_hash', text, (c) => c.notNull())
        .addColumn('hash', text, (c) => c.notNull())
        .execute();
      await s.createIndex('audit_event').on('audit_log').columns(['event', 'seq']).execute();
      await s.createIndex('audit_project').on('audit_log').columns(['project_id', 'seq']).execute();
      await s
        .createTable('layer_cache')
        .addColumn('key', text, (c) => c.primaryKey())
        .addColumn('value', text, (c) => c.notNull())
        .addColumn('created_at', text, (c) => c.notNull())
        .execute();
      await s
        .createTable('settings')
        .addColumn('key', text, (c) => c.primaryKey())
        .addColumn('value', text, (c) => c.notNull())
        .addColumn('updated_at', text, (c) => c.notNull())
        .execute();
      await s
        .createTable('notifiers')
        .addColumn('id', text, (c) => c.primaryKey())
        .addColumn('project_id', text, (c) => c.references('projects.id').onDelete('cascade'))
        .addColumn('name', text, (c) => c.notNull())
        .addColumn('kind', text, (c) => c.notNull())
        .addColumn('config', text, (c) => c.notNull())
        .addColumn('min_severity', text, (c) => c.notNull())
        .addColumn('types', text, (c) => c.notNull())
        .addColumn('events', text, (c) => c.notNull())
        .addColumn('created_at', text, (c) => c.notNull())
        .execute();
      void sql;
    },
  },
  {
    // What re-matching a stored software list against a changed vulnerability
    // DB needs besides name and version: the source package (Debian and
    // Alpine advisories name sources) and a language package's file. NULL
    // source_name marks rows stored before this migration: such images are
    // rescanned rather than re-matched.
    id: '0002-package-match-inputs',
    async up(db) {
      await db.schema.alterTable('packages').addColumn('source_name', text).execute();
      await db.schema.alterTable('packages').addColumn('source_version', text).execute();
      await db.schema
        .alterTable('packages')
        .addColumn('file_path', text, (c) => c.notNull().defaultTo(''))
        .execute();
    },
  },
  {
    // Rate limit counters shared by every API replica (PostgreSQL; SQLite
    // counts in the single process): one row per limit and client, a fixed
    // window (start and end in epoch milliseconds) and its count.
    id: '0003-rate-limits',
    async up(db) {
      await db.schema
        .createTable('rate_limits')
        .addColumn('key', text, (c) => c.primaryKey())
        .addColumn('window_start', 'bigint', (c) => c.notNull())
        .addColumn('window_end', 'bigint', (c) => c.notNull())
        .addColumn('count', int, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('rate_limits_end').on('rate_limits').column('window_end').execute();
    },
  },
  {
    // Image content analysis (malware, secret, baseline, files): findings of
    // every kind share the findings table (the file path and layer of content
    // findings in their own columns, so they can be filtered), images count
    // them, and a project chooses its scanners ("" = all).
    id: '0004-content-findings',
    async up(db) {
      await db.schema
        .alterTable('findings')
        .addColumn('path', text, (c) => c.notNull().defaultTo(''))
        .execute();
      await db.schema
        .alterTable('findings')
        .addColumn('layer_digest', text, (c) => c.notNull().defaultTo(''))
        .execute();
      for (const col of ['malware', 'secrets', 'baseline', 'unowned_files']) {
        await db.schema
          .alterTable('images')
          .addColumn(col, int, (c) => c.notNull().defaultTo(0))
          .execute();
      }
      await db.schema
        .alterTable('projects')
        .addColumn('scanners', text, (c) => c.notNull().defaultTo(''))
        .execute();
    },
  },
  {
    // Whether a finding is ignored (by the project's or the image's vulnerability
    // ignores, matched with src/core/vulndb/ignore.ts), kept on the row so that
    // listings filter ignored findings in the query, before paging. Rows stored
    // before are marked here by exact id and package; the next recount of the
    // image matches aliases and source packages too.
    id: '0005-finding-ignores',
    async up(db) {
      await db.schema
        .alterTable('findings')
        .addColumn('ignored', int, (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema
        .alterTable('findings')
        .addColumn('ignore_reason', text, (c) => c.notNull().defaultTo(''))
        .execute();
      const match = sql`from vuln_ignores vi join images im on im.project_id = vi.project_id
        where im.id = findings.image_id and (vi.image_id is null or vi.image_id = findings.image_id)
          and vi.vuln_id = findings.ref_id and (vi.package = '' or vi.package = findings.package)`;
      await sql`update findings set ignored = 1, ignore_reason = coalesce((select vi.reason ${match} order by vi.id limit 1), '')
        where kind = 'vuln' and exists (select 1 ${match})`.execute(db);
    },
  },
  {
    // The keyed audit chain (HMAC-SHA256) and its signed checkpoints. Records
    // already in the trail keep their plain SHA-256 links: hmac_from is the
    // first sequence number written under the key (1 on a new database).
    id: '0006-audit-keyed-chain',
    async up(db) {
      await db.schema
        .createTable('audit_checkpoints')
        .addColumn('seq', int, (c) => c.notNull())
        .addColumn('hash', text, (c) => c.notNull())
        .addColumn('hmac_from', int, (c) => c.notNull())
        .addColumn('time', text, (c) => c.notNull())
        .addColumn('key_id', text, (c) => c.notNull())
        .addColumn('signature', text, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('audit_checkpoints_seq').on('audit_checkpoints').columns(['seq', 'time']).execute();
      await db.schema
        .createTable('audit_chain')
        .addColumn('id', int, (c) => c.primaryKey())
        .addColumn('hmac_from', int, (c) => c.notNull())
        .execute();
      const last = await db
        .selectFrom('audit_log')
        .select((eb) => eb.fn.max('seq').as('m'))
        .executeTakeFirst();
      await db
        .insertInto('audit_chain')
        .values({ id: 1, hmac_from: Number(last?.m ?? 0) + 1 })
        .execute();
    },
  },
  {
    // The node agent link (docs/agent.md): an agent token is spent once
    // (used_at); a node keeps its kernel and the fingerprint of the client
    // certificate it was issued (a different one is refused); the alert IDs
    // stored per project make agent replays idempotent.
    id: '0007-agent-link',
    async up(db) {
      await db.schema.alterTable('agent_tokens').addColumn('used_at', text).execute();
      await db.schema
        .alterTable('nodes')
        .addColumn('kernel', text, (c) => c.notNull().defaultTo(''))
        .execute();
      await db.schema.alterTable('nodes').addColumn('cert_sha256', text).execute();
      await db.schema
        .createTable('agent_alert_ids')
        .addColumn('project_id', text, (c) => c.notNull().references('projects.id').onDelete('cascade'))
        .addColumn('alert_id', text, (c) => c.notNull())
        .addColumn('received_at', text, (c) => c.notNull())
        .addPrimaryKeyConstraint('agent_alert_ids_pk', ['project_id', 'alert_id'])
        .execute();
    },
  },
  {
    // Vulnerability ignores with an expiry: expires_at (ISO time, null: never);
    // expired turns 1 when the scheduler lets the ignore lapse (the row stays,
    // as history; the findings count again).
    id: '0008-ignore-expiry',
    async up(db) {
      await db.schema.alterTable('vuln_ignores').addColumn('expires_at', text).execute();
      await db.schema
        .alterTable('vuln_ignores')
        .addColumn('expired', int, (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema.createIndex('vuln_ignores_expiry').on('vuln_ignores').columns(['expired', 'expires_at']).execute();
    },
  },
  {
    // The node inventory (docs/agent.md): the running containers each node's
    // agent reports, replaced whole at every report.
    id: '0009-node-containers',
    async up(db) {
      await db.schema
        .createTable('node_containers')
        .addColumn('node_id', text, (c) => c.notNull().references('nodes.id').onDelete('cascade'))
        .addColumn('project_id', text, (c) => c.notNull().references('projects.id').onDelete('cascade'))
        .addColumn('container_id', text, (c) => c.notNull())
        .addColumn('name', text, (c) => c.notNull())
        .addColumn('image', text, (c) => c.notNull())
        .addColumn('image_digest', text, (c) => c.notNull())
        .addColumn('state', text, (c) => c.notNull())
        .addColumn('started_at', text, (c) => c.notNull())
        .addColumn('privileged', int, (c) => c.notNull())
        .addColumn('settings', text, (c) => c.notNull())
        .addColumn('updated_at', text, (c) => c.notNull())
        .addPrimaryKeyConstraint('node_containers_pk', ['node_id', 'container_id'])
        .execute();
      await db.schema.createIndex('node_containers_project_digest').on('node_containers').columns(['project_id', 'image_digest']).execute();
    },
  },
  {
    // Agent certificate rotation and revocation (docs/agent.md): the expiry of
    // the node's current client certificate, the previous certificate (valid
    // until the agent connects with the renewed one), and the revocation.
    id: '0010-node-cert-lifecycle',
    async up(db) {
      for (const col of ['cert_not_after', 'cert_prev_sha256', 'revoked_at', 'revoked_reason'])
        await db.schema.alterTable('nodes').addColumn(col, text).execute();
      await db.schema.createIndex('nodes_cert').on('nodes').column('cert_sha256').execute();
      await db.schema.createIndex('nodes_cert_prev').on('nodes').column('cert_prev_sha256').execute();
    },
  },
  {
    // Node-local images and cluster protection on the agents (docs/agent.md):
    // an image a node's agent scanned carries its node (node_id; null for
    // every other image) and whether a re-scan was asked of the agent
    // (node_scan_requested: ISO time, null when none is pending); a node
    // reports whether its runtime detection runs (detection: on, off, or ''
    // before its agent said).
    id: '0011-node-images',
    async up(db) {
      await db.schema
        .alterTable('images')
        .addColumn('node_id', text, (c) => c.references('nodes.id').onDelete('set null'))
        .execute();
      await db.schema.alterTable('images').addColumn('node_scan_requested', text).execute();
      await db.schema
        .alterTable('nodes')
        .addColumn('detection', text, (c) => c.notNull().defaultTo(''))
        .execute();
    },
  },
  {
    // Learned process-whitelist entries (docs/agent.md): what agents in learn
    // mode report, one row per node, policy and executable, pending until a
    // user accepts (into the policy's whitelist) or rejects it.
    id: '0012-learned-processes',
    async up(db) {
      await db.schema
        .createTable('learned_processes')
        .addColumn('id', text, (c) => c.primaryKey())
        .addColumn('project_id', text, (c) => c.notNull().references('projects.id').onDelete('cascade'))
        .addColumn('policy_id', text, (c) => c.notNull().references('policies.id').onDelete('cascade'))
        .addColumn('node_id', text, (c) => c.notNull().references('nodes.id').onDelete('cascade'))
        .addColumn('executable', text, (c) => c.notNull())
        .addColumn('image', text, (c) => c.notNull())
        .addColumn('first_seen', text, (c) => c.notNull())
        .addColumn('count', int, (c) => c.notNull())
        .addColumn('status', text, (c) => c.notNull())
        .addColumn('decided_by', text)
        .addColumn('decided_at', text)
        .addColumn('reported', int, (c) => c.notNull())
        .addColumn('updated_at', text, (c) => c.notNull())
        .addUniqueConstraint('learned_processes_key', ['node_id', 'policy_id', 'executable'])
        .execute();
      await db.schema.createIndex('learned_processes_policy').on('learned_processes').columns(['policy_id', 'status']).execute();
    },
  },
  {
    // The console at scale (10k images, 1M alert groups; bench/console-scale.ts):
    // - images of a project newest first (the list's default order; the
    //   unique (project_id, ref) index made every filtered page sort the whole
    //   project) and by their critical / high counts (the list's sorts);
    // - the overview's top vulnerable packages read (image, kind, package)
    //   from an index instead of every finding's row (data JSON included);
    // - the overview's alert groups of the last days by day, severity and
    //   type read from one index range: (project, last_seen) then the
    //   grouped columns, no table row.
    id: '0014-console-scale-indexes',
    async up(db) {
      const s = db.schema;
      await s.createIndex('images_project_id').on('images').columns(['project_id', 'id']).execute();
      await s.createIndex('images_project_critical').on('images').columns(['project_id', 'critical', 'id']).execute();
      await s.createIndex('images_project_high').on('images').columns(['project_id', 'high', 'id']).execute();
      await s.createIndex('findings_image_kind_package').on('findings').columns(['image_id', 'kind', 'package']).execute();
      await s.createIndex('alerts_project_seen_sev_type').on('alerts').columns(['project_id', 'last_seen', 'severity', 'type']).execute();
    },
  },
  {
    // Agent health from each heartbeat (docs/agent.md): unacknowledged alerts
    // queued on the node, alerts it dropped past its queue cap, events its
    // sensors lost, and each sensor's state (JSON list).
    id: '0015-agent-health',
    async up(db) {
      for (const c of ['queue_depth', 'queue_dropped', 'lost_events'])
        await db.schema
          .alterTable('nodes')
          .addColumn(c, int, (x) => x.notNull().defaultTo(0))
          .execute();
      await db.schema
        .alterTable('nodes')
        .addColumn('sensor_health', text, (x) => x.notNull().defaultTo('[]'))
        .execute();
    },
  },
  {
    // Threat-IP entries and custom rule files added through the API
    // (docs/rules.md, docs/agent.md): pushed to the agents of their project
    // (threat IPs without a project: to every agent) with the policies.
    id: '0017-threat-ips-custom-rules',
    async up(db) {
      await db.schema
        .createTable('threat_ips')
        .addColumn('id', text, (c) => c.primaryKey())
        .addColumn('project_id', text, (c) => c.references('projects.id').onDelete('cascade'))
        .addColumn('cidr', text, (c) => c.notNull())
        .addColumn('comment', text, (c) => c.notNull())
        .addColumn('created_by', text, (c) => c.notNull())
        .addColumn('created_at', text, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('threat_ips_project_cidr').on('threat_ips').columns(['project_id', 'cidr']).execute();
      await db.schema
        .createTable('custom_rules')
        .addColumn('id', text, (c) => c.primaryKey())
        .addColumn('project_id', text, (c) => c.notNull().references('projects.id').onDelete('cascade'))
        .addColumn('name', text, (c) => c.notNull())
        .addColumn('content', text, (c) => c.notNull())
        .addColumn('enabled', int, (c) => c.notNull())
        .addColumn('rule_count', int, (c) => c.notNull())
        .addColumn('created_by', text, (c) => c.notNull())
        .addColumn('created_at', text, (c) => c.notNull())
        .addColumn('updated_at', text, (c) => c.notNull())
        .addUniqueConstraint('custom_rules_project_name', ['project_id', 'name'])
        .execute();
    },
  },
  {
    // The overview's counts kept at write time by triggers (src/node/store/
    // overview-counts.ts): alert groups per project, day, severity and type
    // and per status; counted findings per image and package and per project
    // and package. Filled here from the stored rows.
    id: '0018-overview-counts',
    up: createOverviewCounts,
  },
  {
    // The alert list's node and container filters (issue 13). The
    // container's name is read from each group's latest alert (its sample)
    // through an expression index: no column to fill on an existing store
    // (rewriting a million rows took 21 minutes on PostgreSQL). One index per
    // new filter shape: the node's ends in the sort key (a node holds many
    // groups); the container's id (the subject) and name stand alone (a
    // container holds one group per alert type: the few rows are then
    // checked for project and sorted).
    id: '0019-alert-node-container',
    async up(db, dialect) {
      const s = db.schema;
      await s.createIndex('alerts_project_host_seen').on('alerts').columns(['project_id', 'host', 'last_seen', 'id']).execute();
      await s.createIndex('alerts_subject').on('alerts').column('subject').execute();
      // The same expression as containerName() in alert-groups.ts.
      const name = dialect === 'postgres' ? sql`(sample::json -> 'container' ->> 'name')` : sql`json_extract(sample, '$.container.name')`;
      await s.createIndex('alerts_container_name').on('alerts').expression(name).execute();
    },
  },
];
