// The advisory model: one OSV-shaped record for every source (OSV feeds,
// Debian security tracker, Alpine secdb, NVD enrichment). Importers convert
// their format into this; the DB stores it; matching reads it.

export type RangeType = 'ECOSYSTEM' | 'SEMVER' | 'GIT';

/** One OSV range event; exactly one key is set. `introduced: "0"` means "all versions". */
export type RangeEvent = { introduced: string } | { fixed: string } | { last_affected: string } | { limit: string };

export interface AffectedRange {
  type: RangeType;
  events: RangeEvent[];
}

/** What an advisory says about one package in one ecosystem. */
export interface AffectedPackage {
  /** OSV ecosystem, e.g. `Debian:12`, `Alpine:v3.19`, `Rocky Linux:9`, `npm`. */
  ecosystem: string;
  /** Package name as the ecosystem names it (Debian/Alpine: the source package). */
  name: string;
  purl?: string;
  ranges: AffectedRange[];
  /** Explicitly listed affected versions. */
  versions: string[];
  /** Vendor status when no fix is coming (Debian `<ignored>`, end-of-life). */
  status?: 'will_not_fix' | 'end_of_life';
  /** Vendor severity for this package/release (Debian urgency per release), already normalised. */
  severity?: string;
}

export interface SeverityScore {
  /** `CVSS_V2`, `CVSS_V3`, `CVSS_V4`, or another OSV severity type. */
  type: string;
  /** The vector (`CVSS:3.1/AV:N/...`). */
  score: string;
}

export interface Advisory {
  id: string;
  /** Unique key in the DB when `source/id` is not unique (one Alpine secdb file per branch and repository). */
  dbKey?: string;
  /** Which feed this came from: `debian`, `ghsa`, `alpine`, `almalinux`, `rocky`, `nvd`, ... (keys vendorSeverity/cvss). */
  source: string;
  /** Other ids of the same vulnerability (CVE, GHSA, DSA, ...). */
  aliases: string[];
  /** OSV `upstream` and `related`: CVEs a distribution advisory fixes. */
  upstream: string[];
  related: string[];
  summary?: string;
  details?: string;
  published?: string;
  modified?: string;
  withdrawn?: string;
  severity: SeverityScore[];
  /** Vendor severity of the whole record, normalised (`critical`..`low`, `unknown`). */
  vendorSeverity?: string;
  references: string[];
  affected: AffectedPackage[];
}

/** NVD-style enrichment of one CVE: scores and a description, no affected packages. */
export interface CveEnrichment {
  id: string;
  source: string;
  severity: SeverityScore[];
  /** Base scores as published (kept for CVSS v4, which Vigil does not compute). */
  scores?: Record<string, number>;
  vendorSeverity?: string;
  description?: string;
  published?: string;
  modified?: string;
}

const CVE_RE = /^CVE-\d{4}-\d{4,}$/;
export function isCve(id: string): boolean {
  return CVE_RE.test(id);
}

/**
 * The vulnerability ids one advisory reports under: the CVEs it names (its own
 * id, aliases, then upstream) when it has any, else its own id. A Debian DSA
 * that fixes three CVEs reports three findings, which merge with the same
 * CVEs from other sources.
 */
export function reportIds(a: Pick<Advisory, 'id' | 'aliases' | 'upstream'> & { related?: string[] }): string[] {
  if (isCve(a.id)) return [a.id];
  const cves = [...new Set([...a.aliases, ...a.upstream].filter(isCve))];
  if (cves.length) return cves;
  // Older distribution records (DSA, RLSA, ALSA, ...) name the CVEs they fix only as `related`.
  if (DISTRO_ADVISORY.test(a.id)) {
    const related = [...new Set((a.related ?? []).filter(isCve))];
    if (related.length) return related;
  }
  return [a.id];
}

const DISTRO_ADVISORY = /^(DSA|DLA|DTSA|USN|ALSA|ALBA|ALEA|RLSA|RXSA|RHSA|ELSA|SUSE|openSUSE)-/;
