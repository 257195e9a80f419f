// OSV JSON (https://ossf.github.io/osv-schema/) -> Advisory. Validates and
// bounds what it reads: a record is untrusted input from a feed or a file.
import { InputError } from '../errors.js';
import type { Advisory, AffectedPackage, AffectedRange, RangeEvent, SeverityScore } from './advisory.js';
import { normaliseSeverity } from './severity.js';

export const OSV_LIMITS = {
  maxAffected: 5000,
  maxRanges: 1000,
  maxEvents: 5000,
  maxVersions: 50000,
  maxIdLength: 256,
  /** `details` is kept up to this many characters (the DB stays small; the reference links have the rest). */
  maxDetails: 400,
  maxReferences: 8,
};

type Json = Record<string, unknown>;

function isObj(x: unknown): x is Json {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function strList(x: unknown, max: number): string[] {
  if (!Array.isArray(x)) return [];
  return x.filter((s): s is string => typeof s === 'string' && s.length > 0 && s.length <= 512).slice(0, max);
}

// Built once: sourceOf runs for every imported record.
const SOURCE_PREFIXES: Array<[RegExp, string]> = [
  [/^GHSA-/, 'ghsa'],
  [/^(DSA|DLA|DTSA|DEBIAN)-/, 'debian'],
  [/^(ALSA|ALBA|ALEA)-/, 'almalinux'],
  [/^(RLSA|RXSA|RLBA)-/, 'rocky'],
  [/^(USN|UBUNTU|LSN)-/, 'ubuntu'],
  [/^ALPINE-/, 'alpine'],
  [/^(SUSE|openSUSE)-/, 'suse'],
  [/^RHSA-/, 'redhat'],
];

/** The feed a record comes from, by id prefix, else by ecosystem. Keys `vendorSeverity`/`cvss`. */
export function sourceOf(id: string, ecosystem?: string): string {
  for (const [re, s] of SOURCE_PREFIXES) if (re.test(id)) return s;
  if (ecosystem) {
    const base = ecosystem.split(':', 1)[0]!.trim().toLowerCase();
    if (base === 'rocky linux') return 'rocky';
    if (base === 'red hat') return 'redhat';
    if (base === 'opensuse') return 'suse';
    if (base) return base;
  }
  return 'osv';
}

function parseEvents(x: unknown, where: string): RangeEvent[] {
  if (!Array.isArray(x)) throw new InputError('OSV_INVALID', 'range without an events array', where);
  if (x.length > OSV_LIMITS.maxEvents) throw new InputError('OSV_LIMIT', `more than ${OSV_LIMITS.maxEvents} range events`, where);
  const out: RangeEvent[] = [];
  for (const e of x) {
    if (!isObj(e)) throw new InputError('OSV_INVALID', 'range event is not an object', where);
    if (typeof e.introduced === 'string') out.push({ introduced: e.introduced });
    else if (typeof e.fixed === 'string') out.push({ fixed: e.fixed });
    else if (typeof e.last_affected === 'string') out.push({ last_affected: e.last_affected });
    else if (typeof e.limit === 'string') out.push({ limit: e.limit });
    else throw new InputError('OSV_INVALID', `unknown range event ${JSON.stringify(e).slice(0, 80)}`, where);
  }
  return out;
}

function parseRanges(x: unknown, where: string): AffectedRange[] {
  if (x === undefined) return [];
  if (!Array.isArray(x)) throw new InputError('OSV_INVALID', '"ranges" is not an array', where);
  if (x.length > OSV_LIMITS.maxRanges) throw new InputError('OSV_LIMIT', `more than ${OSV_LIMITS.maxRanges} ranges`, where);
  const out: AffectedRange[] = [];
  for (const r of x) {
    if (!isObj(r) || typeof r.type !== 'string') throw new InputError('OSV_INVALID', 'range without a type', where);
    // GIT ranges name commits, which installed packages do not have.
    if (r.type === 'GIT') continue;
    if (r.type !== 'ECOSYSTEM' && r.type !== 'SEMVER') continue;
    out.push({ type: r.type, events: parseEvents(r.events, where) });
  }
  return out;
}

function statusOf(spec: unknown): AffectedPackage['status'] {
  if (!isObj(spec)) return undefined;
  const s = typeof spec.status === 'string' ? spec.status.toLowerCase() : '';
  if (s === 'will_not_fix' || s === 'will not fix' || s === 'ignored') return 'will_not_fix';
  if (s === 'end_of_life' || s === 'end-of-life') return 'end_of_life';
  return undefined;
}

/** Converts one parsed OSV record; `where` names the file (and entry) for errors. */
export function parseOsv(doc: unknown, where: string): Advisory {
  if (!isObj(doc)) throw new InputError('OSV_INVALID', 'OSV record is not a JSON object', where);
  const id = doc.id;
  if (typeof id !== 'string' || !id || id.length > OSV_LIMITS.maxIdLength || /\s/.test(id))
    throw new InputError('OSV_INVALID', 'OSV record without a valid "id"', where);
  const w = `${where} (${id})`;
  const affectedIn = doc.affected ?? [];
  if (!Array.isArray(affectedIn)) throw new InputError('OSV_INVALID', '"affected" is not an array', w);
  if (affectedIn.length > OSV_LIMITS.maxAffected) throw new InputError('OSV_LIMIT', `more than ${OSV_LIMITS.maxAffected} affected entries`, w);
  const affected: AffectedPackage[] = [];
  for (const a of affectedIn) {
    if (!isObj(a)) throw new InputError('OSV_INVALID', 'affected entry is not an object', w);
    const pkg = a.package;
    // Entries without a package describe git repositories only.
    if (pkg === undefined) continue;
    if (!isObj(pkg) || typeof pkg.ecosystem !== 'string' || typeof pkg.name !== 'string' || !pkg.name) {
      throw new InputError('OSV_INVALID', 'affected package without "ecosystem" and "name"', w);
    }
    const versions = a.versions === undefined ? [] : Array.isArray(a.versions) ? a.versions.filter((v): v is string => typeof v === 'string') : null;
    if (versions === null) throw new InputError('OSV_INVALID', '"versions" is not an array', w);
    if (versions.length > OSV_LIMITS.maxVersions) throw new InputError('OSV_LIMIT', `more than ${OSV_LIMITS.maxVersions} versions`, w);
    const eco = isObj(a.ecosystem_specific) ? a.ecosystem_specific : undefined;
    const dbs = isObj(a.database_specific) ? a.database_specific : undefined;
    const sev = normaliseSeverity((eco?.severity ?? eco?.urgency ?? dbs?.severity ?? dbs?.urgency) as string | undefined);
    affected.push({
      ecosystem: pkg.ecosystem,
      name: pkg.name,
      ...(typeof pkg.purl === 'string' ? { purl: pkg.purl } : {}),
      ranges: parseRanges(a.ranges, w),
      versions,
      ...((statusOf(eco) ?? statusOf(dbs)) ? { status: statusOf(eco) ?? statusOf(dbs) } : {}),
      ...(sev !== 'unknown' ? { severity: sev } : {}),
    });
  }
  const severity: SeverityScore[] = [];
  if (Array.isArray(doc.severity)) {
    for (const s of doc.severity) if (isObj(s) && typeof s.type === 'string' && typeof s.score === 'string') severity.push({ type: s.type, score: s.score });
  }
  const dbs = isObj(doc.database_specific) ? doc.database_specific : undefined;
  const vendorSeverity = normaliseSeverity(dbs?.severity as string | undefined);
  const references = Array.isArray(doc.references)
    ? doc.references.flatMap((r) => (isObj(r) && typeof r.url === 'string' ? [r.url] : [])).slice(0, OSV_LIMITS.maxReferences)
    : [];
  const str = (x: unknown, max = 1000): string | undefined => (typeof x === 'string' && x ? x.slice(0, max) : undefined);
  const clip = (x: unknown, max: number): string | undefined =>
    typeof x === 'string' && x ? (x.length > max ? `${x.slice(0, max - 1).trimEnd()}\u2026` : x) : undefined;
  return {
    id,
    source: sourceOf(id, affected[0]?.ecosystem),
    aliases: strList(doc.aliases, 1000),
    upstream: strList(doc.upstream, 1000),
    related: strList(doc.related, 1000),
    summary: clip(doc.summary, 300),
    details: clip(doc.details, OSV_LIMITS.maxDetails),
    published: str(doc.published, 64),
    modified: str(doc.modified, 64),
    withdrawn: str(doc.withdrawn, 64),
    severity,
    ...(vendorSeverity !== 'unknown' ? { vendorSeverity } : {}),
    references,
    affected,
  };
}
