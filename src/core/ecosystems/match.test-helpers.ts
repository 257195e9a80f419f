// Test helper: advisories keyed as the vulnerability DB keys them (lower-cased
// ecosystem and name), so ecosystem tests run matchPackages without a DB.
import type { Advisory } from '../vulndb/advisory.js';
import type { AdvisoryHead, AdvisoryLookup, AffectedRow } from '../vulndb/match.js';

export function lookupOf(advisories: Advisory[]): AdvisoryLookup {
  const heads: AdvisoryHead[] = [];
  const rows = new Map<string, AffectedRow[]>();
  for (const { affected, ...head } of advisories) {
    heads.push(head);
    for (const x of affected) {
      const k = `${x.ecosystem.toLowerCase()}\u0000${x.name.toLowerCase()}`;
      rows.set(k, [...(rows.get(k) ?? []), { key: heads.length - 1, affected: x }]);
    }
  }
  return { affected: (e, n) => rows.get(`${e}\u0000${n}`) ?? [], advisory: (k) => heads[k] };
}
