// Images of a project, their findings and software list, and vulnerability
// ignores for all images of a project or one image; an image's finding
// counts by severity leave ignored findings out.
import { newId } from '../store/ids.js';
import { insertRow } from '../store/insert.js';
import type { VulnerabilityFinding } from '../../core/scan/types.js';
import { parseSeverityFilter } from '../../core/scan/severity-filter.js';
import { ignoreEntryFor, type IgnoreEntry } from '../../core/vulndb/ignore.js';
import { sql } from 'kysely';
import type { Tx } from '../store/store.js';
import { badRequest, conflict } from './errors.js';
import { mutate } from './mutate.js';
import { mapPage, pageOf, type Page, type PageQuery } from './page.js';
import { createScan } from './scans.js';
import { appendAudit, SYSTEM_ACTOR } from '../store/audit-log.js';
import { deleteFromProject, inProject, published, requireInProject, requireProject, requireTouched, toApi, type Caller, type ServiceDeps } from './common.js';

type Api = Record<string, unknown>;

const SEVS = ['critical', 'high', 'medium', 'low', 'unknown'] as const;

export function splitRef(ref: string): { registry: string; repository: string; tag: string } {
  if (!ref.startsWith('registry:')) return { registry: '', repository: ref.replace(/^[a-z-]+:/, ''), tag: '' };
  const s = ref.slice('registry:'.length);
  const slash = s.indexOf('/');
  const registry = s.slice(0, slash);
  let rest = s.slice(slash + 1);
  let tag = '';
  const at = rest.indexOf('@');
  if (at >= 0) rest = rest.slice(0, at);
  const colon = rest.lastIndexOf(':');
  if (colon > 0) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  return { registry, repository: rest, tag };
}

export async function insertImage(
  s: Pick<ServiceDeps, 'clock'>,
  trx: Tx,
  projectId: string,
  ref: string,
  registryId: string | null = null,
  digest = '',
): Promise<string> {
  if (await trx.selectFrom('images').select('id').where('project_id', '=', projectId).where('ref', '=', ref).executeTakeFirst())
    throw conflict(`image ${ref} exists in this project`);
  const id = newId();
  const now = s.clock().toISOString();
  await trx
    .insertInto('images')
    .values({
      id,
      project_id: projectId,
      registry_id: registryId,
      ref,
      ...splitRef(ref),
      digest,
      os_family: '',
      os_version: '',
      last_scan_id: null,
      last_scan_at: null,
      critical: 0,
      high: 0,
      medium: 0,
      low: 0,
      unknown: 0,
      created_at: now,
      updated_at: now,
    })
    .execute();
  return id;
}

export interface ImageFilter extends PageQuery {
  repository?: string;
  registry?: string;
  os?: string;
  minSeverity?: string;
  scanned?: boolean;
  /** Substring of the reference, any case. */
  name?: string;
  /** With (true) or without (false) a vulnerability that has a fixed version and is not ignored. */
  fixable?: boolean;
  /** Status of the image's latest scan. */
  scanStatus?: 'queued' | 'running' | 'succeeded' | 'failed';
}

/** A LIKE pattern matching `text` anywhere, its wildcards taken literally (escape character `!`). */
const containsPattern = (text: string): string => `%${text.replace(/[!%_]/g, (c) => `!${c}`)}%`;

export async function listImages(s: ServiceDeps, projectId: string, f: ImageFilter): Promise<Page<Api>> {
  let q = s.store.db.selectFrom('images').selectAll().where('project_id', '=', projectId);
  if (f.repository) q = q.where('repository', '=', f.repository);
  if (f.registry) q = q.where('registry', '=', f.registry);
  if (f.os) q = q.where('os_family', '=', f.os);
  if (f.scanned !== undefined) q = q.where('last_scan_id', f.scanned ? 'is not' : 'is', null);
  if (f.name) q = q.where(sql<boolean>`lower(ref) like ${containsPattern(f.name.toLowerCase())} escape '!'`);
  if (f.fixable !== undefined) {
    const fixable = f.fixable;
    q = q.where((eb) => {
      const has = eb.exists(
        eb
          .selectFrom('findings')
          .select('findings.id')
          .whereRef('findings.image_id', '=', 'images.id')
          .where('findings.kind', '=', 'vuln')
          .where('findings.ignored', '=', 0)
          .where('findings.fixed_version', '<>', ''),
      );
      return fixable ? has : eb.not(has);
    });
  }
  if (f.scanStatus) {
    const status = f.scanStatus;
    q = q.where((eb) =>
      eb(eb.selectFrom('scans').select('scans.status').whereRef('scans.image_id', '=', 'images.id').orderBy('scans.id', 'desc').limit(1), '=', status),
    );
  }
  if (f.minSeverity) {
    const cols = (['critical', 'high', 'medium', 'low'] as const).slice(0, ['critical', 'high', 'medium', 'low'].indexOf(f.minSeverity) + 1);
    q = q.where((eb) => eb.or(cols.map((c) => eb(c, '>', 0))));
  }
  return mapPage(await pageOf(q, f, { ref: 'ref', repository: 'repository', critical: 'critical', high: 'high', createdAt: 'created_at' }, 'images'), toApi);
}

/**
 * Adds an image by reference after the server's image policy accepted it
 * (syntax; local references only under the allowed directories; a refusal is
 * a 400 and a failure record); with scan, queues a scan too (dispatched after
 * commit), recorded as its own scanPrivateImage event in the same transaction.
 */
export async function addImage(s: ServiceDeps, by: Caller, projectId: string, b: { ref: string; scan?: boolean }): Promise<{ id: string; scanId?: string }> {
  const r = await mutate(s, by, { resourceType: 'image', resourceId: (x: { id: string }) => x.id, projectId, summary: b }, async (trx) => {
    await requireProject(trx, projectId);
    await s.imagePolicy.check(b.ref);
    const id = await insertImage(s, trx, projectId, b.ref);
    if (!b.scan) return { id };
    const scanId = await createScan(s, trx, projectId, id, 'manual');
    await appendAudit(trx, s.store, by.actor, { event: 'scanPrivateImage', projectId, resourceType: 'image', resourceId: id, summary: { scanId } }, s.clock());
    return { id, scanId };
  });
  if (r.scanId) await s.scans.dispatch([r.scanId]);
  return r;
}

/** The image of this ref in the project, added (audited as `by`) when missing. */
export async function ensureImage(
  s: ServiceDeps,
  by: Caller,
  projectId: string,
  ref: string,
  summary: object,
): Promise<{ id: string; lastScanId: string | null }> {
  const image = await s.store.db
    .selectFrom('images')
    .select(['id', 'last_scan_id'])
    .where('project_id', '=', projectId)
    .where('ref', '=', ref)
    .executeTakeFirst();
  if (image) return { id: image.id, lastScanId: image.last_scan_id };
  const id = await mutate(s, by, { resourceType: 'image', resourceId: (x: string) => x, projectId, summary }, (trx) => insertImage(s, trx, projectId, ref));
  return { id, lastScanId: null };
}

export async function getImage(s: ServiceDeps, projectId: string, imageId: string): Promise<Api> {
  return toApi(await inProject(s.store.db, 'images', imageId, projectId, 'image'));
}

/** An image with the number of packages of its software list. */
export async function imageSummary(
  s: ServiceDeps,
  imageId: string,
): Promise<{ packages: number; critical: number; high: number; medium: number; low: number }> {
  const im = await s.store.db.selectFrom('images').selectAll().where('id', '=', imageId).executeTakeFirstOrThrow();
  const pk = await s.store.db
    .selectFrom('packages')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('image_id', '=', imageId)
    .executeTakeFirstOrThrow();
  return { packages: Number(pk.n), critical: im.critical, high: im.high, medium: im.medium, low: im.low };
}

export async function deleteImage(s: ServiceDeps, by: Caller, projectId: string, imageId: string): Promise<void> {
  await deleteFromProject(s, by, 'images', 'image', projectId, imageId);
  // Policies applied to the image no longer select it on the agents.
  published(s, 'policies', projectId);
}

/**
 * Queues a scan of the image (scanPrivateImage) and dispatches it. A
 * node-local image is also asked of its node's agent (scanned again there;
 * the worker's scan re-matches the software list it sent last).
 */
export async function scanImage(s: ServiceDeps, by: Caller, projectId: string, imageId: string): Promise<{ scanId: string }> {
  const { scanId, nodeImage } = await mutate(s, by, { resourceType: 'image', resourceId: imageId, projectId }, async (trx) => {
    const image = await inProject(trx, 'images', imageId, projectId, 'image');
    if (image.node_id) await trx.updateTable('images').set({ node_scan_requested: s.clock().toISOString() }).where('id', '=', imageId).execute();
    return { scanId: await createScan(s, trx, projectId, imageId, 'manual'), nodeImage: !!image.node_id };
  });
  await s.scans.dispatch([scanId]);
  if (nodeImage) published(s, 'nodes', projectId);
  return { scanId };
}

export interface FindingFilter extends PageQuery {
  severity?: string;
  kind?: string;
  includeIgnored?: boolean;
  /** Vulnerability id, malware rule, secret rule, baseline check id. */
  ruleId?: string;
  /** File path prefix (content findings). */
  path?: string;
}

export async function listFindings(s: ServiceDeps, projectId: string, imageId: string, f: FindingFilter): Promise<Page<Api>> {
  const db = s.store.db;
  await inProject(db, 'images', imageId, projectId, 'image');
  let q = db.selectFrom('findings').selectAll().where('image_id', '=', imageId);
  if (f.severity) q = q.where('severity', 'in', [...parseSeverityFilter(f.severity, 'severity')]);
  if (f.kind) q = q.where('kind', '=', f.kind);
  if (f.ruleId) q = q.where('ref_id', '=', f.ruleId);
  if (f.path) q = q.where(sql`substr(path, 1, ${f.path.length})`, '=', f.path);
  // In the query, so that a page is full whatever is ignored.
  if (f.includeIgnored === false) q = q.where('ignored', '=', 0);
  return mapPage(await pageOf(q, f, { severity: 'severity', refId: 'ref_id', package: 'package' }, 'findings'), (row) => ({
    ...toApi(row),
    ignored: row.ignored === 1,
    ignoreReason: row.ignored === 1 ? row.ignore_reason : undefined,
  }));
}

export async function listPackages(s: ServiceDeps, projectId: string, imageId: string, f: PageQuery & { name?: string; type?: string }): Promise<Page<Api>> {
  await inProject(s.store.db, 'images', imageId, projectId, 'image');
  let q = s.store.db.selectFrom('packages').selectAll().where('image_id', '=', imageId);
  if (f.name) q = q.where('name', '=', f.name);
  if (f.type) q = q.where('type', '=', f.type);
  return mapPage(await pageOf(q, f, { name: 'name', type: 'type' }, 'packages'), toApi);
}

// --- vulnerability ignores

export interface IgnoreBody {
  vulnId: string;
  package?: string;
  reason?: string;
  /** When the ignore lapses: a date (YYYY-MM-DD, 00:00 UTC, as in ignore files) or a date-time; in the future. */
  expires?: string;
}

function expiryOf(b: IgnoreBody, now: Date): string | null {
  if (b.expires === undefined) return null;
  const at = new Date(/^\d{4}-\d{2}-\d{2}$/.test(b.expires) ? `${b.expires}T00:00:00Z` : b.expires);
  if (Number.isNaN(at.getTime())) throw badRequest('IGNORE_EXPIRES_INVALID', `expires: "${b.expires.slice(0, 40)}" is not a date (YYYY-MM-DD) or date-time`);
  if (at.getTime() <= now.getTime()) throw badRequest('IGNORE_EXPIRES_PAST', `expires: ${at.toISOString()} is not in the future`);
  return at.toISOString();
}

export async function listIgnores(s: ServiceDeps, projectId: string, f: PageQuery & { imageId?: string }): Promise<Page<Api>> {
  let q = s.store.db.selectFrom('vuln_ignores').selectAll().where('project_id', '=', projectId);
  if (f.imageId) q = q.where('image_id', '=', f.imageId);
  return mapPage(await pageOf(q, f, { vulnId: 'vuln_id' }, 'vuln_ignores'), toApi);
}

/** Ignores a vulnerability for all images of the project (imageId null: ignoreVul) or one image (ignoreImageVul). */
export async function addIgnore(s: ServiceDeps, by: Caller, projectId: string, imageId: string | null, b: IgnoreBody): Promise<{ id: string }> {
  const expiresAt = expiryOf(b, s.clock());
  const id = await mutate(
    s,
    by,
    { resourceType: 'vuln-ignore', resourceId: (r: string) => r, projectId, summary: imageId ? { ...b, imageId } : b },
    async (trx) => {
      if (imageId) await requireInProject(trx, 'images', imageId, projectId, 'image');
      else await requireProject(trx, projectId);
      const iid = await insertRow(trx, 'vuln_ignores', {
        project_id: projectId,
        image_id: imageId,
        vuln_id: b.vulnId,
        package: b.package ?? '',
        reason: b.reason ?? '',
        expires_at: expiresAt,
        created_by: by.actor.username,
        created_at: s.clock().toISOString(),
      });
      await recountProject(trx, projectId, imageId ?? undefined);
      return iid;
    },
  );
  return { id };
}

/** Cancels a project-wide ignore (imageId null: cancelIgnoreVul) or an image's (cancelIgnoreImageVul). */
export async function cancelIgnore(s: ServiceDeps, by: Caller, projectId: string, imageId: string | null, ignoreId: string): Promise<void> {
  await mutate(s, by, { resourceType: 'vuln-ignore', resourceId: ignoreId, projectId }, async (trx) => {
    const q = trx.deleteFrom('vuln_ignores').where('id', '=', ignoreId).where('project_id', '=', projectId);
    requireTouched(await (imageId ? q.where('image_id', '=', imageId) : q.where('image_id', 'is', null)).executeTakeFirst(), 'ignore');
    await recountProject(trx, projectId, imageId ?? undefined);
  });
}

/**
 * Lets the ignores whose expiry has passed lapse (the scheduler's tick): each
 * is claimed by compare-and-set (one replica acts), its images recounted, and
 * the lapse recorded in the audit trail as a cancel by the system. Returns
 * how many lapsed.
 */
export async function expireIgnores(s: Pick<ServiceDeps, 'store' | 'clock'>): Promise<number> {
  const now = s.clock();
  const due = await s.store.db
    .selectFrom('vuln_ignores')
    .select(['id', 'project_id', 'image_id', 'vuln_id', 'package', 'expires_at'])
    .where('expired', '=', 0)
    .where('expires_at', 'is not', null)
    .where('expires_at', '<=', now.toISOString())
    .orderBy('expires_at')
    .limit(500)
    .execute();
  let n = 0;
  for (const ig of due) {
    const lapsed = await s.store.db.transaction().execute(async (trx) => {
      const claimed = await trx.updateTable('vuln_ignores').set({ expired: 1 }).where('id', '=', ig.id).where('expired', '=', 0).executeTakeFirst();
      if (Number(claimed.numUpdatedRows) === 0) return false;
      await recountProject(trx, ig.project_id, ig.image_id ?? undefined);
      await appendAudit(
        trx,
        s.store,
        SYSTEM_ACTOR,
        {
          event: ig.image_id ? 'cancelIgnoreImageVul' : 'cancelIgnoreVul',
          projectId: ig.project_id,
          resourceType: 'vuln-ignore',
          resourceId: ig.id,
          summary: { vulnId: ig.vuln_id, package: ig.package, ...(ig.image_id ? { imageId: ig.image_id } : {}), expired: ig.expires_at },
        },
        now,
      );
      return true;
    });
    if (lapsed) n++;
  }
  return n;
}

async function recountProject(trx: Tx, projectId: string, imageId?: string): Promise<void> {
  let q = trx.selectFrom('images').select('id').where('project_id', '=', projectId);
  if (imageId) q = q.where('id', '=', imageId);
  for (const im of await q.execute()) await recountImage(trx, projectId, im.id);
}

/**
 * Marks an image's vulnerability findings ignored or not by the project's and
 * the image's ignores (matched like the CLI's ignore file: id or alias,
 * package name, source package or purl; src/core/vulndb/ignore.ts) and
 * recomputes its counts by severity, leaving ignored findings out.
 */
export async function recountImage(trx: Tx, projectId: string, imageId: string): Promise<Record<string, number>> {
  const rules = await trx
    .selectFrom('vuln_ignores')
    .select(['vuln_id', 'package', 'reason'])
    .where('project_id', '=', projectId)
    .where('expired', '=', 0)
    .where((eb) => eb.or([eb('image_id', 'is', null), eb('image_id', '=', imageId)]))
    .orderBy('id')
    .execute();
  const entries: IgnoreEntry[] = rules.map((r, i) => ({
    id: r.vuln_id,
    packages: r.package ? [r.package] : [],
    ...(r.reason ? { reason: r.reason } : {}),
    line: i + 1,
  }));
  const rows = await trx
    .selectFrom('findings')
    .select(['id', 'ref_id', 'package', 'severity', 'data', 'ignored', 'ignore_reason'])
    .where('image_id', '=', imageId)
    .where('kind', '=', 'vuln')
    .execute();
  const counts: Record<string, number> = { critical: 0, high: 0, medium: 0, low: 0, unknown: 0 };
  // Rows whose mark changes, grouped by the new mark.
  const changes = new Map<string, { ignored: number; reason: string; ids: string[] }>();
  for (const r of rows) {
    const e = entries.length ? ignoreEntryFor(findingOf(r), entries) : undefined;
    const ignored = e ? 1 : 0;
    const reason = e?.reason ?? '';
    if (ignored !== r.ignored || reason !== r.ignore_reason) {
      const key = `${ignored}\0${reason}`;
      let c = changes.get(key);
      if (!c) changes.set(key, (c = { ignored, reason, ids: [] }));
      c.ids.push(r.id);
    }
    if (ignored) continue;
    const sev = (SEVS as readonly string[]).includes(r.severity) ? r.severity : 'unknown';
    counts[sev]!++;
  }
  for (const c of changes.values()) {
    for (let i = 0; i < c.ids.length; i += 500) {
      await trx
        .updateTable('findings')
        .set({ ignored: c.ignored, ignore_reason: c.reason })
        .where('id', 'in', c.ids.slice(i, i + 500))
        .execute();
    }
  }
  await trx
    .updateTable('images')
    .set({ critical: counts.critical!, high: counts.high!, medium: counts.medium!, low: counts.low!, unknown: counts.unknown! })
    .where('id', '=', imageId)
    .execute();
  return counts;
}

/** The stored finding (its JSON), or what its columns say when the JSON does not parse. */
function findingOf(r: {
  ref_id: string;
  package: string;
  data: string;
}): Pick<VulnerabilityFinding, 'id' | 'aliases' | 'package' | 'sourcePackage' | 'pkgPath' | 'purl'> {
  try {
    const f = JSON.parse(r.data) as Partial<VulnerabilityFinding>;
    if (f && typeof f === 'object')
      return {
        id: r.ref_id,
        aliases: Array.isArray(f.aliases) ? f.aliases : [],
        package: r.package,
        sourcePackage: typeof f.sourcePackage === 'string' ? f.sourcePackage : '',
        pkgPath: f.pkgPath,
        purl: f.purl,
      };
  } catch {
    // fall through
  }
  return { id: r.ref_id, aliases: [], package: r.package, sourcePackage: '' };
}
