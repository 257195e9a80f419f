// Node-local images (docs/agent.md, "Node-local images"): a node's agent
// scans the images of its Docker Engine and sends each one's software list
// (src/core/scan/node-image.ts); the server matches it against its own
// vulnerability DB and stores the result through the scan-results service,
// as a server scan's (findings, software list, counts; audited as
// scanPrivateImage by the node). The project's image is
// `node:<node name>/<first tag, else the image ID>`, registry-less, with its
// node (images.node_id) and the engine's image ID as its digest. A scan of
// such an image asked through the API re-matches the stored software list
// (the worker never opens it) and asks the node's agent to scan it again
// (images.node_scan_requested; the link server sends the command). The
// rows follow the node: the agent reports the image IDs it holds after each
// listing of its images, and the rows of images gone from the node are
// deleted (audited as deleteImage by the node); with each image's names on
// the node, so the row of an image retagged or untagged but still held under
// another name follows it (renamed to the name nodeImageRef gives it now,
// audited as modifyImage by the node).
import { existsSync } from 'node:fs';
import type { Notice, OsInfo, Package, PackageType } from '../../core/inventory/types.js';
import { SCAN_SCHEMA_VERSION, type ScanReport } from '../../core/scan/types.js';
import type { NodeImageScan } from '../../core/scan/node-image.js';
import { prepareVulnScan } from '../vulndb/scan-vulns.js';
import { agentActor, type AgentNode } from './agents.js';
import { insertImage } from './images.js';
import { published } from './common.js';
import { mutate } from './mutate.js';
import { createScan, endFailedScan } from './scans.js';
import { saveScanReport, storedSoftware } from './scan-results.js';
import type { ServiceDeps } from './common.js';
import type { Alert } from '../../core/alerts/types.js';
import type { NodeContainer } from '../../core/checks/node-container.js';
import type { ImageFacts } from '../../core/admission/decide.js';
import { tryParseImageRef } from '../../core/admission/image-ref.js';
import { runningImageAlerts } from '../../core/admission/running.js';
import { imageFactsFromStore, loadAdmissionPolicies } from './admission.js';

/** The project image of a node-local image. */
export function nodeImageRef(nodeName: string, scan: Pick<NodeImageScan, 'imageId' | 'repoTags'>): string {
  const tag = [...scan.repoTags].filter((t) => t !== '<none>:<none>').sort()[0];
  return `node:${nodeName}/${tag ?? scan.imageId}`;
}

/** Repository and tag of a node image's name (`app:1` -> app, 1; an image ID -> itself, no tag). */
function repoAndTag(name: string): { repository: string; tag: string } {
  if (name.startsWith('sha256:')) return { repository: name, tag: '' };
  const at = name.indexOf('@');
  const base = at >= 0 ? name.slice(0, at) : name;
  const colon = base.lastIndexOf(':');
  return colon > base.lastIndexOf('/') ? { repository: base.slice(0, colon), tag: base.slice(colon + 1) } : { repository: base, tag: '' };
}

/**
 * A scan report of a node image's software list matched against the
 * server's DB (`dbPath`); without the DB, the software list only, and the
 * note says so.
 */
export function matchNodeImage(
  input: { ref: string; imageId: string; os?: OsInfo; packages: Package[]; notices?: Notice[] },
  dbPath: string,
): { report: ScanReport; note: string } {
  const report: ScanReport = {
    schemaVersion: SCAN_SCHEMA_VERSION,
    artifact: { name: input.ref, type: 'docker-daemon', digest: input.imageId, configDigest: input.imageId, ...(input.os ? { os: input.os } : {}) },
    packages: input.packages,
    vulnerabilities: [],
    malware: [],
    secrets: [],
    baseline: [],
    files: [],
    notices: [...(input.notices ?? [])],
  };
  if (!existsSync(dbPath)) return { report, note: `vulnerability DB not found at ${dbPath}: no vulnerability matching` };
  const vuln = prepareVulnScan({ dbPath });
  try {
    const r = vuln.run({ packages: input.packages, ...(input.os ? { os: input.os } : {}) }, { name: input.ref, digest: input.imageId });
    report.vulnerabilities = r.findings;
    report.notices!.push(...r.notices);
  } finally {
    vuln.close();
  }
  return { report, note: '' };
}

/**
 * Stores one node image scan from the node's agent: the project's image
 * (added, or re-pointed at the new image ID when its tag moved), a scan of
 * trigger `agent`, the findings.
 */
export async function storeNodeImageScan(
  s: ServiceDeps,
  node: AgentNode & { sourceIp: string; version: string },
  scan: NodeImageScan,
  dbPath: string,
): Promise<{ imageId: string; scanId: string; counts: Record<string, number> }> {
  const ref = nodeImageRef(node.hostname, scan);
  const now = s.clock().toISOString();
  const by = { actor: agentActor(node.hostname, node.sourceIp, node.version), event: 'scanPrivateImage' };
  const row = await mutate(
    s,
    by,
    { resourceType: 'image', resourceId: (r: { id: string }) => r.id, projectId: node.projectId, summary: { nodeId: node.id, image: scan.imageId, ref } },
    async (trx) => {
      const found = await trx.selectFrom('images').select(['id']).where('project_id', '=', node.projectId).where('ref', '=', ref).executeTakeFirst();
      const id = found?.id ?? (await insertImage(s, trx, node.projectId, ref, null, scan.imageId));
      await trx
        .updateTable('images')
        .set({
          node_id: node.id,
          node_scan_requested: null,
          digest: scan.imageId,
          registry: '',
          ...repoAndTag(ref.slice(ref.indexOf('/') + 1)),
          updated_at: now,
        })
        .where('id', '=', id)
        .execute();
      const scanId = await createScan(s, trx, node.projectId, id, 'agent');
      return { id, scanId };
    },
  );
  let matched: ReturnType<typeof matchNodeImage>;
  try {
    matched = matchNodeImage({ ref, imageId: scan.imageId, ...(scan.os ? { os: scan.os } : {}), packages: scan.packages, notices: scan.notices }, dbPath);
  } catch (e) {
    await endFailedScan(s.store, row.scanId, (e as Error).message.slice(0, 1000), true, s.clock());
    throw e;
  }
  const { counts } = await saveScanReport(s.store, {
    projectId: node.projectId,
    imageId: row.id,
    ref,
    scanId: row.scanId,
    report: matched.report,
    note: matched.note,
    now: s.clock().toISOString(),
    host: node.hostname,
  });
  return { imageId: row.id, scanId: row.scanId, counts };
}

/** A node image's stored software list and OS, matched again (the scan worker's path for node images). */
export async function rematchNodeImage(
  s: Pick<ServiceDeps, 'store'>,
  image: { id: string; ref: string },
  dbPath: string,
): Promise<{ report: ScanReport; note: string }> {
  const im = await s.store.db.selectFrom('images').select(['digest', 'os_family', 'os_version']).where('id', '=', image.id).executeTakeFirstOrThrow();
  const packages = (await storedSoftware(s.store, image.id)).map((r): Package => ({
    type: r.type as PackageType,
    name: r.name,
    version: r.version,
    ...(r.source_name ? { sourceName: r.source_name } : {}),
    ...(r.source_version ? { sourceVersion: r.source_version } : {}),
    ...(r.file_path ? { filePath: r.file_path } : {}),
  }));
  const os = im.os_family ? { family: im.os_family, version: im.os_version } : undefined;
  const r = matchNodeImage({ ref: image.ref, imageId: im.digest, ...(os ? { os } : {}), packages }, dbPath);
  return { report: r.report, note: r.note || "re-matched the software list the node's agent sent (the agent is asked to scan it again)" };
}

/** Images of the node whose re-scan the API asked for and the agent has not answered: their image IDs. */
export async function requestedNodeScans(s: Pick<ServiceDeps, 'store'>, nodeId: string): Promise<string[]> {
  const rows = await s.store.db
    .selectFrom('images')
    .select('digest')
    .where('node_id', '=', nodeId)
    .where('node_scan_requested', 'is not', null)
    .limit(100)
    .execute();
  return rows.map((r) => r.digest).filter((d) => /^sha256:[0-9a-f]{64}$/.test(d));
}

/**
 * The container/image-blocked alerts of a node's running containers under
 * the project's image-admission policies (src/core/admission/running.ts),
 * with each image's facts found by its image ID (a node-local image, a
 * docker-archive scan), else by its reference.
 */
export async function nodeImagePolicyAlerts(s: Pick<ServiceDeps, 'store' | 'clock'>, node: AgentNode, containers: readonly NodeContainer[]): Promise<Alert[]> {
  const db = s.store.db;
  const policies = await loadAdmissionPolicies(db, node.projectId);
  if (!policies.length) return [];
  const facts = new Map<string, ImageFacts | undefined>();
  for (const c of containers) {
    const key = `${c.image}\u0000${c.imageDigest}`;
    if (facts.has(key)) continue;
    const ref = tryParseImageRef(c.image);
    const byId = { registry: '', repository: '', tag: '', name: '', full: '', digest: c.imageDigest };
    let f = c.imageDigest ? await imageFactsFromStore(db, node.projectId, byId) : undefined;
    if (!f && ref) f = await imageFactsFromStore(db, node.projectId, ref);
    facts.set(key, f);
  }
  return runningImageAlerts(policies, node, containers, (c) => () => facts.get(`${c.image}\u0000${c.imageDigest}`), s.clock().getTime());
}

/** The node's image rows of its project. */
const nodeImageRows = (s: Pick<ServiceDeps, 'store'>, node: AgentNode) =>
  s.store.db.selectFrom('images').select(['id', 'ref', 'digest']).where('project_id', '=', node.projectId).where('node_id', '=', node.id).execute();

/**
 * Deletes the node's image rows whose image ID the node no longer holds
 * (`present`: every image ID of the node's runtimes, from its agent), each
 * audited as deleteImage by the node; returns how many.
 */
export async function dropGoneNodeImages(s: ServiceDeps, node: AgentNode & { sourceIp: string; version: string }, present: readonly string[]): Promise<number> {
  const keep = new Set(present);
  const rows = await nodeImageRows(s, node);
  const gone = rows.filter((r) => !keep.has(r.digest));
  const by = { actor: agentActor(node.hostname, node.sourceIp, node.version), event: 'deleteImage' };
  for (const r of gone)
    await mutate(
      s,
      by,
      {
        resourceType: 'image',
        resourceId: r.id,
        projectId: node.projectId,
        summary: { nodeId: node.id, image: r.digest, ref: r.ref, why: 'gone from the node' },
      },
      (trx) => trx.deleteFrom('images').where('id', '=', r.id).where('node_id', '=', node.id).execute(),
    );
  // Policies applied to those images no longer select them on the agents.
  if (gone.length) published(s, 'policies', node.projectId);
  return gone.length;
}

/**
 * Renames the node's image rows whose image is now held under other names (`names`: image ID -> its names on the
 * node, from its agent): each row gets the ref nodeImageRef gives the image now (a retag, an untag that leaves
 * another name, an image left with no name: its ID), audited as modifyImage by the node; returns how many. A row
 * whose new ref another row of the project still holds waits for that one to move first (or for the next report).
 */
export async function followNodeImageNames(
  s: ServiceDeps,
  node: AgentNode & { sourceIp: string; version: string },
  names: ReadonlyMap<string, readonly string[]>,
): Promise<number> {
  const rows = await nodeImageRows(s, node);
  const by = { actor: agentActor(node.hostname, node.sourceIp, node.version), event: 'modifyImage' };
  let todo = rows
    .filter((r) => names.has(r.digest))
    .map((r) => ({ ...r, to: nodeImageRef(node.hostname, { imageId: r.digest, repoTags: [...names.get(r.digest)!] }) }))
    .filter((r) => r.to !== r.ref);
  let renamed = 0;
  // Rounds: a rename into a ref another row leaves in this report happens once that row moved.
  while (todo.length) {
    const waiting: typeof todo = [];
    for (const r of todo) {
      const taken = await s.store.db.selectFrom('images').select('id').where('project_id', '=', node.projectId).where('ref', '=', r.to).executeTakeFirst();
      let done = !taken;
      if (done)
        try {
          await mutate(
            s,
            by,
            {
              resourceType: 'image',
              resourceId: r.id,
              projectId: node.projectId,
              summary: { nodeId: node.id, image: r.digest, ref: r.to, was: r.ref, why: 'renamed on the node' },
            },
            (trx) =>
              trx
                .updateTable('images')
                .set({ ref: r.to, ...repoAndTag(r.to.slice(r.to.indexOf('/') + 1)), updated_at: s.clock().toISOString() })
                .where('id', '=', r.id)
                .where('node_id', '=', node.id)
                .execute(),
          );
        } catch {
          // Taken meanwhile (the project's refs are unique): the next round or report.
          done = false;
        }
      if (done) renamed++;
      else waiting.push(r);
    }
    if (waiting.length === todo.length) break;
    todo = waiting;
  }
  // Policies applied to a node image select it by its name on the agents.
  if (renamed) published(s, 'policies', node.projectId);
  return renamed;
}
