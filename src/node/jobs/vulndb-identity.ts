// Which vulnerability DB a replica serves, and which one the deployment
// serves. A DB is identified by the content digest recorded in its metadata
// when it was built (src/node/vulndb/db.ts), never by file times: two
// replicas whose files have the same content agree, whatever their mtimes.
// The deployment's DB is one settings row (`vulndb.stamp`, JSON {digest,
// builtAt}) that only moves forward: to a DB built later (equal build times:
// the greater digest), by a compare-and-set, so a change is decided once and
// a replica still serving an older DB sees that it is behind instead of
// moving the deployment back.
import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import type { Store } from '../store/store.js';
import { VulnDb } from '../vulndb/db.js';
import { settingValue } from '../services/settings.js';

export interface VulnDbIdentity {
  /** sha256 hex of the content (from the metadata; for a DB built before it was recorded, of the file). */
  digest: string;
  /** When it was built (metadata `built_at`, ISO time). */
  builtAt: string;
}

export const VULNDB_SETTING = 'vulndb.stamp';

/** Reads the identity of the DB file at `path`; re-reads only when the file changed on disk. */
export class VulnDbIdentityReader {
  private cached?: { key: string; id: VulnDbIdentity | undefined };
  constructor(readonly path: string) {}

  async current(): Promise<VulnDbIdentity | undefined> {
    let key: string;
    try {
      const st = statSync(this.path);
      key = `${st.dev}:${st.ino}:${st.mtimeMs}:${st.size}`;
    } catch {
      this.cached = undefined;
      return undefined;
    }
    if (this.cached?.key === key) return this.cached.id;
    let id: VulnDbIdentity | undefined;
    try {
      const db = VulnDb.open(this.path);
      try {
        id = db.identity();
      } finally {
        db.close();
      }
      if (!id.digest) id = { digest: `file-sha256:${await fileSha256(this.path)}`, builtAt: id.builtAt };
    } catch {
      id = undefined;
    }
    this.cached = { key, id };
    return id;
  }
}

async function fileSha256(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** True when `a` is a later DB than `b` (built later; equal times: the greater digest). */
export function newerDb(a: VulnDbIdentity, b: VulnDbIdentity): boolean {
  if (a.builtAt !== b.builtAt) return a.builtAt > b.builtAt;
  return a.digest > b.digest;
}

export function parseDeploymentDb(value: string | undefined): VulnDbIdentity | undefined {
  if (!value) return undefined;
  try {
    const v = JSON.parse(value) as Partial<VulnDbIdentity>;
    if (typeof v.digest === 'string' && typeof v.builtAt === 'string') return { digest: v.digest, builtAt: v.builtAt };
  } catch {
    // a stamp written by an older Vigil (mtime:size)
  }
  return undefined;
}

export function deploymentDbValue(id: VulnDbIdentity): string {
  return JSON.stringify({ digest: id.digest, builtAt: id.builtAt });
}

export interface VulnDbStatus {
  /** The DB this replica serves (undefined: none). */
  served?: VulnDbIdentity;
  /** The newest DB any replica of the deployment has recorded. */
  deployment?: VulnDbIdentity;
  /** This replica serves an older DB than the deployment's newest. */
  stale: boolean;
}

export async function vulnDbStatus(store: Store, reader: VulnDbIdentityReader | undefined): Promise<VulnDbStatus> {
  const served = await reader?.current();
  const deployment = parseDeploymentDb(await settingValue(store, VULNDB_SETTING));
  const stale = !!served && !!deployment && served.digest !== deployment.digest && newerDb(deployment, served);
  return { served, deployment, stale };
}
