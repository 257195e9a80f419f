// Test helper: small vulnerability DB files built the way `vigil db update`
// builds them (OSV records imported by DbWriter), from Debian 12 records
// with one fixed version each, for the tests of DB identity across replicas.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DbWriter } from './db.js';
import { importPaths } from './import.js';

/** An OSV record for Debian 12 package `name`, fixed in `fixed`; `upstream` (CVE ids) when given. */
export const debianOsv = (id: string, name: string, fixed: string, upstream?: string[]): string =>
  JSON.stringify({
    id,
    modified: '2026-01-01T00:00:00Z',
    summary: `${name} issue`,
    ...(upstream ? { upstream } : {}),
    affected: [{ package: { ecosystem: 'Debian:12', name }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed }] }] }],
  });

/** Writes `records` into a fresh DB at `path` built at `builtAt` (the records staged in a temp dir under `dir`). */
export async function buildDb(dir: string, path: string, records: string[], builtAt: string): Promise<void> {
  const src = mkdtempSync(join(dir, 'osv-'));
  records.forEach((r, i) => writeFileSync(join(src, `r${i}.json`), r));
  const w = DbWriter.open(path, { fresh: true, now: () => new Date(builtAt) });
  await importPaths(w, [src]);
  w.commit();
}
