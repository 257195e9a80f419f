// `vigil db info`: the DB's metadata as an object or a small table.
import { statSync } from 'node:fs';
import { VulnDb, type DbInfo } from './db.js';

export function dbInfo(path: string): DbInfo {
  const db = VulnDb.open(path);
  try {
    return db.info(statSync(path).size);
  } finally {
    db.close();
  }
}

export function formatInfoTable(i: DbInfo): string {
  const rows: Array<[string, string]> = [
    ['Path', i.path],
    ['Schema version', String(i.schemaVersion)],
    ['Built at', i.builtAt],
    ['Content digest', i.contentDigest || '(not recorded: built before Vigil recorded it)'],
    ['Advisories', String(i.advisories)],
    ['Affected package entries', String(i.affectedPackages)],
    ['CVE enrichments', String(i.cves)],
    ['Size', `${(i.sizeBytes / 1024 / 1024).toFixed(1)} MiB`],
  ];
  const w = Math.max(...rows.map((r) => r[0].length));
  let out = rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`).join('\n') + '\n\n';
  const head: [string, string, string, string] = ['SOURCE', 'RECORDS', 'UPDATED', 'ORIGIN'];
  const body = i.sources.map((s) => [s.name, String(s.records), s.updatedAt, s.origin] as [string, string, string, string]);
  const widths = head.map((h, c) => Math.max(h.length, ...body.map((b) => b[c]!.length)));
  for (const r of [head, ...body])
    out +=
      r
        .map((x, c) => (c === 3 ? x : x.padEnd(widths[c]!)))
        .join('  ')
        .trimEnd() + '\n';
  return out;
}
