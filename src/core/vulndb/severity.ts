// Vendor severity words of every source -> Vigil's severity scale, and the
// choice of a finding's severity: the vendor's when it has one, else CVSS.
import type { Severity } from '../alerts/types.js';
import type { CvssScore } from '../scan/types.js';
import { severityOfScore } from './cvss.js';

export type FindingSeverity = Severity | 'unknown';

const WORDS: Record<string, FindingSeverity> = {
  critical: 'critical',
  important: 'high',
  high: 'high',
  moderate: 'medium',
  medium: 'medium',
  low: 'low',
  negligible: 'low',
  unimportant: 'low',
  minor: 'low',
  none: 'info',
  info: 'info',
};

/** Normalises GHSA (`MODERATE`), Debian urgency (`unimportant`, `medium**`), Red Hat (`Important`) words. */
export function normaliseSeverity(word: string | undefined | null): FindingSeverity {
  if (!word || typeof word !== 'string') return 'unknown';
  return WORDS[word.trim().toLowerCase().replace(/\*+$/, '')] ?? 'unknown';
}

/**
 * The finding's severity: first the vendor sources in `preferred` order
 * (the OS vendor for OS packages, GHSA for npm), then NVD, then any other
 * vendor, then the highest CVSS score.
 */
export function pickSeverity(vendor: Record<string, string>, cvss: Record<string, CvssScore>, preferred: string[]): FindingSeverity {
  for (const src of [...preferred, 'nvd', ...Object.keys(vendor).sort()]) {
    const s = vendor[src] as FindingSeverity | undefined;
    if (s && s !== 'unknown') return s;
  }
  let best: CvssScore | undefined;
  for (const c of Object.values(cvss)) if (c.score > 0 && (!best || c.score > best.score)) best = c;
  return best ? severityOfScore(best.score, best.version) : 'unknown';
}
