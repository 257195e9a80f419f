// Debian security tracker JSON (https://security-tracker.debian.org/tracker/data/json)
// -> advisories: one per CVE (or TEMP- id) with one affected entry per source
// package and release. Per-release status: resolved with a fixed version,
// open (unfixed), `<no-dsa>` postponed (still affected), ignored (will not
// fix), end-of-life; `fixed_version` "0" means the release is not affected.
import { InputError } from '../errors.js';
import type { Advisory, AffectedPackage } from './advisory.js';
import { normaliseSeverity } from './severity.js';

/** Debian codename -> version number (the OSV ecosystem is `Debian:<number>`). */
export const DEBIAN_RELEASES: Record<string, string> = {
  jessie: '8',
  stretch: '9',
  buster: '10',
  bullseye: '11',
  bookworm: '12',
  trixie: '13',
  forky: '14',
  duke: '15',
};

type Json = Record<string, unknown>;
const isObj = (x: unknown): x is Json => typeof x === 'object' && x !== null && !Array.isArray(x);

/** True when the document looks like the tracker's JSON (package -> CVE -> {releases}). */
export function isDebianTracker(doc: unknown): boolean {
  if (!isObj(doc) || Array.isArray(doc)) return false;
  for (const [, cves] of Object.entries(doc).slice(0, 5)) {
    if (!isObj(cves)) return false;
    const first = Object.values(cves)[0];
    if (first !== undefined && (!isObj(first) || !isObj(first.releases))) return false;
  }
  return Object.keys(doc).length > 0;
}

export function convertDebianTracker(doc: unknown, where: string): Advisory[] {
  if (!isObj(doc)) throw new InputError('DEBIAN_TRACKER_INVALID', 'Debian tracker JSON is not an object', where);
  const byId = new Map<string, Advisory>();
  for (const [pkg, cves] of Object.entries(doc)) {
    if (!isObj(cves)) throw new InputError('DEBIAN_TRACKER_INVALID', `package "${pkg.slice(0, 80)}" is not an object`, where);
    for (const [id, entry] of Object.entries(cves)) {
      if (!isObj(entry) || !isObj(entry.releases)) throw new InputError('DEBIAN_TRACKER_INVALID', `${pkg}/${id.slice(0, 40)}: no "releases" object`, where);
      let adv = byId.get(id);
      if (!adv) {
        const description = typeof entry.description === 'string' ? entry.description.slice(0, 2000) : undefined;
        adv = {
          id,
          dbKey: `debian-tracker/${id}`,
          source: 'debian',
          aliases: [],
          upstream: [],
          related: [],
          ...(description ? { summary: description.slice(0, 500) } : {}),
          severity: [],
          references: [`https://security-tracker.debian.org/tracker/${id}`],
          affected: [],
        };
        byId.set(id, adv);
      }
      for (const [codename, rel] of Object.entries(entry.releases)) {
        const version = DEBIAN_RELEASES[codename];
        if (!version || !isObj(rel)) continue;
        const aff = releaseAffected(pkg, version, rel);
        if (aff) adv.affected.push(aff);
      }
    }
  }
  return [...byId.values()].filter((a) => a.affected.length > 0);
}

function releaseAffected(pkg: string, version: string, rel: Json): AffectedPackage | undefined {
  const status = typeof rel.status === 'string' ? rel.status : '';
  const fixed = typeof rel.fixed_version === 'string' ? rel.fixed_version : '';
  const urgency = typeof rel.urgency === 'string' ? rel.urgency : '';
  const nodsaReason = typeof rel.nodsa_reason === 'string' ? rel.nodsa_reason : '';
  // "0": the vulnerable code was never in this release.
  if (fixed === '0') return undefined;
  const base = { ecosystem: `Debian:${version}`, name: pkg, versions: [] as string[] };
  const sev = normaliseSeverity(urgency);
  const extra = sev !== 'unknown' ? { severity: sev } : {};
  if (status === 'resolved') {
    if (!fixed) return undefined;
    return { ...base, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed }] }], ...extra };
  }
  if (status !== 'open' && status !== 'undetermined') return undefined;
  let st: AffectedPackage['status'];
  if (urgency === 'end-of-life') st = 'end_of_life';
  else if (nodsaReason === 'ignored') st = 'will_not_fix';
  return { ...base, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }], ...(st ? { status: st } : {}), ...extra };
}
