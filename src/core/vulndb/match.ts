// Matching: installed packages x advisories -> findings. One finding per
// installed package x vulnerability id (the CVE when there is one); advisories
// of several sources for the same CVE merge into one finding. Pure: the DB is
// reached through the `AdvisoryLookup` the edge provides.
import type { OsInfo, Package } from '../inventory/types.js';
import type { CvssScore, VulnerabilityFinding, VulnStatus } from '../scan/types.js';
import { comparatorForEcosystem } from '../ecosystems/comparator.js';
import { matchKey, purlOf } from '../ecosystems/index.js';
import type { Advisory, AffectedPackage, CveEnrichment } from './advisory.js';
import { reportIds } from './advisory.js';
import { affectedContains } from './affected.js';
import { cvssFromVector } from './cvss.js';
import { pickSeverity } from './severity.js';

export type AdvisoryHead = Omit<Advisory, 'affected'>;

export interface AffectedRow {
  /** Opaque key to load the advisory head with `advisory()`. */
  key: number;
  affected: AffectedPackage;
}

export interface AdvisoryLookup {
  /** Affected entries for a lower-cased ecosystem and package name. */
  affected(ecosystem: string, name: string): AffectedRow[];
  /** Batched form of `affected` for many names of one ecosystem (one query instead of one per package). */
  affectedMany?(ecosystem: string, names: string[]): Map<string, AffectedRow[]>;
  /** Whether the DB holds any advisory for a lower-cased ecosystem (for the "no advisories for Wolfi" notice). */
  hasEcosystem?(ecosystem: string): boolean;
  advisory(key: number): AdvisoryHead | undefined;
  /** CVSS/severity enrichment of a CVE (NVD), when imported. */
  cve?(id: string): CveEnrichment | undefined;
}

/** CVSS entries of an advisory: the best-scored vector per version, keyed by source. */
export function cvssOf(severity: Advisory['severity'], scores?: Record<string, number>): CvssScore | undefined {
  let best: CvssScore | undefined;
  for (const s of severity) {
    const c = cvssFromVector(s.type, s.score, scores?.[s.type]);
    if (!c) continue;
    // Prefer the newest CVSS version that has a score.
    if (!best || (c.score > 0 && (best.score === 0 || Number(c.version) > Number(best.version)))) best = c;
  }
  return best;
}

interface Draft {
  finding: VulnerabilityFinding;
  vendors: string[];
  ecosystem: string;
  refs: Set<string>;
  aliases: Set<string>;
  sources: Set<string>;
}

const GENERIC_TITLE = /^\S+ - (security|bug fix|regression) update$/;

function firstLine(s: string | undefined): string {
  if (!s) return '';
  const line = s.trim().split('\n', 1)[0]!.trim();
  return line.length > 200 ? `${line.slice(0, 197)}...` : line;
}

function statusOf(fixed: string, a: AffectedPackage): VulnStatus {
  if (fixed) return 'fixed';
  return a.status ?? 'affected';
}

/**
 * What makes a finding the same finding for the question "did a new DB change
 * this image's result": the vulnerability, the package and where it is, the
 * versions, and what a reader sees first (status, severity, title).
 */
export function findingIdentity(
  f: Pick<VulnerabilityFinding, 'id' | 'package' | 'installedVersion' | 'fixedVersion' | 'status' | 'severity' | 'title' | 'pkgPath'>,
): string {
  return [f.id, f.package, f.pkgPath ?? '', f.installedVersion, f.fixedVersion, f.status, f.severity, f.title].join('\u0000');
}

export function matchPackages(all: Package[], os: OsInfo | undefined, db: AdvisoryLookup): VulnerabilityFinding[] {
  // A package only a lockfile declares (`declared: true`) is not present in the
  // image: it receives no vulnerability (as Trivy does for image scans).
  const packages = all.filter((p) => !p.declared);
  const drafts = new Map<string, Draft>();
  const heads = new Map<number, AdvisoryHead | undefined>();
  const head = (k: number): AdvisoryHead | undefined => {
    if (!heads.has(k)) heads.set(k, db.advisory(k));
    return heads.get(k);
  };
  const keys = packages.map((p) => matchKey(p, os));
  // Look every (ecosystem, name) up once, batched per ecosystem when the DB can.
  const wanted = new Map<string, Set<string>>();
  for (const k of keys) for (const e of k?.ecosystems ?? []) for (const n of k!.names) (wanted.get(e) ?? wanted.set(e, new Set()).get(e)!).add(n);
  const rowsOf = new Map<string, AffectedRow[]>();
  for (const [eco, names] of wanted) {
    if (db.affectedMany) for (const [n, rows] of db.affectedMany(eco, [...names])) rowsOf.set(`${eco}\u0000${n}`, rows);
    else for (const n of names) rowsOf.set(`${eco}\u0000${n}`, db.affected(eco, n));
  }
  packages.forEach((pkg, pi) => {
    const key = keys[pi];
    if (!key) return;
    const seen = new Set<string>();
    for (const eco of key.ecosystems) {
      for (const name of key.names) {
        for (const row of rowsOf.get(`${eco}\u0000${name}`) ?? []) {
          const cmp = comparatorForEcosystem(row.affected.ecosystem);
          if (!cmp) continue;
          const res = affectedContains(row.affected, key.version, cmp);
          if (!res.affected) continue;
          const adv = head(row.key);
          if (!adv || adv.withdrawn) continue;
          for (const vid of reportIds(adv)) {
            const dk = `${pi}\u0000${vid}`;
            const dedupe = `${dk}\u0000${adv.id}`;
            if (seen.has(dedupe)) continue;
            seen.add(dedupe);
            mergeInto(drafts, dk, vid, pkg, os, row.affected, adv, res.fixedVersion, key.vendors);
          }
        }
      }
    }
  });
  const cves = new Map<string, CveEnrichment | undefined>();
  const cveOf = (id: string): CveEnrichment | undefined => {
    if (!cves.has(id)) cves.set(id, db.cve?.(id));
    return cves.get(id);
  };
  const out: VulnerabilityFinding[] = [];
  for (const d of drafts.values()) {
    const f = d.finding;
    const enr = f.id.startsWith('CVE-') ? cveOf(f.id) : undefined;
    if (enr) {
      const c = cvssOf(enr.severity, enr.scores);
      if (c && !f.cvss[enr.source]) f.cvss[enr.source] = c;
      if (enr.vendorSeverity && !f.vendorSeverity[enr.source]) f.vendorSeverity[enr.source] = enr.vendorSeverity;
      if (!f.description && enr.description) f.description = enr.description;
      // A DSA/DLA summary ("glibc - security update") says less about this CVE than its description.
      if (enr.description && (!f.title || GENERIC_TITLE.test(f.title))) f.title = firstLine(enr.description);
    }
    f.aliases = [...d.aliases].filter((a) => a !== f.id).sort();
    f.references = [...d.refs].slice(0, 20);
    f.dataSource = [...d.sources].join(', ');
    f.severity = pickSeverity(f.vendorSeverity, f.cvss, d.vendors);
    out.push(f);
  }
  out.sort((a, b) =>
    a.package < b.package
      ? -1
      : a.package > b.package
        ? 1
        : a.installedVersion < b.installedVersion
          ? -1
          : a.installedVersion > b.installedVersion
            ? 1
            : a.id < b.id
              ? -1
              : a.id > b.id
                ? 1
                : 0,
  );
  return out;
}

function mergeInto(
  drafts: Map<string, Draft>,
  dk: string,
  vid: string,
  pkg: Package,
  os: OsInfo | undefined,
  aff: AffectedPackage,
  adv: AdvisoryHead,
  fixed: string,
  vendors: string[],
): void {
  let d = drafts.get(dk);
  if (!d) {
    const finding: VulnerabilityFinding = {
      id: vid,
      aliases: [],
      package: pkg.name,
      sourcePackage: aff.name,
      type: pkg.type,
      installedVersion: pkg.version,
      fixedVersion: fixed,
      status: statusOf(fixed, aff),
      severity: 'unknown',
      vendorSeverity: {},
      cvss: {},
      title: '',
      ...(pkg.filePath ? { pkgPath: pkg.filePath } : {}),
      purl: purlOf(pkg, os),
      ...(pkg.layer ? { layer: pkg.layer } : {}),
      ignored: false,
    };
    d = { finding, vendors: [...vendors], ecosystem: aff.ecosystem, refs: new Set(), aliases: new Set(), sources: new Set() };
    drafts.set(dk, d);
  } else if (fixed) {
    const f = d.finding;
    const cmp = comparatorForEcosystem(aff.ecosystem);
    // Several sources name a fix: the highest one is the one that fixes them all.
    if (!f.fixedVersion || (cmp && cmp.compare(fixed, f.fixedVersion) > 0)) f.fixedVersion = fixed;
    f.status = 'fixed';
  }
  const f = d.finding;
  // A DSA fixing several CVEs: each finding lists the DSA, not the sibling CVEs.
  const siblings = new Set(reportIds(adv).filter((x) => x !== vid));
  for (const a of [adv.id, ...adv.aliases, ...adv.upstream]) if (!siblings.has(a)) d.aliases.add(a);
  for (const r of adv.references) d.refs.add(r);
  d.sources.add(adv.id);
  if (!d.vendors.includes(adv.source)) d.vendors.push(adv.source);
  const sev = aff.severity ?? adv.vendorSeverity;
  if (sev && !f.vendorSeverity[adv.source]) f.vendorSeverity[adv.source] = sev;
  const c = cvssOf(adv.severity);
  if (c && !f.cvss[adv.source]) f.cvss[adv.source] = c;
  if (!f.title) f.title = adv.summary ? firstLine(adv.summary) : firstLine(adv.details);
  if (!f.description && adv.details) f.description = adv.details;
}
