// Which scanned images a vulnerability DB change affects: each image's stored
// software list is matched again against the new DB (src/core/vulndb/match.ts)
// and compared with its stored findings; only images whose findings would
// change are rescanned. Images whose software list predates the stored match
// inputs (migration 0002), or whose list cannot be rebuilt, count as affected.
import type { OsInfo, Package, PackageType } from '../../core/inventory/types.js';
import type { VulnerabilityFinding } from '../../core/scan/types.js';
import { findingIdentity, matchPackages } from '../../core/vulndb/match.js';
import type { Store } from '../store/store.js';
import type { ImageRef } from '../services/scans.js';
import { scannedImagesWithOs, storedSoftware, storedVulnFindings } from '../services/scan-results.js';
import { VulnDb } from '../vulndb/db.js';

export type { ImageRef };

export interface RematchResult {
  /** Scanned images looked at. */
  checked: number;
  /** Those whose findings change under the DB (or could not be re-matched). */
  affected: ImageRef[];
}

function sameSet(a: Set<string>, b: Set<string>): boolean {
  if (a.size !== b.size) return false;
  for (const k of a) if (!b.has(k)) return false;
  return true;
}

/** Re-matches every scanned image (optionally of one project) against the DB at `dbPath`. */
export async function imagesAffectedByDb(store: Store, dbPath: string, projectId?: string): Promise<RematchResult> {
  const images = await scannedImagesWithOs(store, projectId);
  const affected: ImageRef[] = [];
  if (!images.length) return { checked: 0, affected };
  const db = VulnDb.open(dbPath);
  try {
    for (const { os_family, os_version, ...im } of images) {
      // Matching is synchronous: let requests in between images.
      await new Promise((r) => setImmediate(r));
      const rows = await storedSoftware(store, im.id);
      if (rows.some((r) => r.source_name === null)) {
        affected.push(im);
        continue;
      }
      const packages = rows.map((r): Package => ({
        type: r.type as PackageType,
        name: r.name,
        version: r.version,
        sourceName: r.source_name || undefined,
        sourceVersion: r.source_version || undefined,
        filePath: r.file_path || undefined,
      }));
      const os: OsInfo | undefined = os_family ? { family: os_family, version: os_version } : undefined;
      const now = new Set(matchPackages(packages, os, db).map(findingIdentity));
      const stored = new Set<string>();
      const findings = await storedVulnFindings(store, im.id);
      let readable = true;
      for (const f of findings) {
        try {
          stored.add(findingIdentity(JSON.parse(f) as VulnerabilityFinding));
        } catch {
          readable = false;
          break;
        }
      }
      if (!readable || !sameSet(now, stored)) affected.push(im);
    }
  } finally {
    db.close();
  }
  return { checked: images.length, affected };
}
