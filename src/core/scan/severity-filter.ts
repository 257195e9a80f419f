// The severity filter of scan results, shared by `vigil scan --severity` and
// the server's findings listing (`?severity=`): a comma-separated list of
// severity names, and the report or rows reduced to those severities.
import { InputError } from '../errors.js';
import type { ScanReport } from './types.js';

export const SEVERITY_FILTER_VALUES = ['critical', 'high', 'medium', 'low', 'info', 'unknown'] as const;
const KNOWN = new Set<string>(SEVERITY_FILTER_VALUES);

/** Parses `critical,high` (case and spaces do not matter); an unknown name is an InputError naming it. */
export function parseSeverityFilter(value: string, where: string): ReadonlySet<string> {
  if (value.length > 200) throw new InputError('BAD_SEVERITY', 'severity list longer than 200 characters', where);
  const items = value
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  if (items.length === 0) throw new InputError('BAD_SEVERITY', `empty severity list (use some of ${SEVERITY_FILTER_VALUES.join(', ')})`, where);
  for (const i of items)
    if (!KNOWN.has(i)) throw new InputError('BAD_SEVERITY', `unknown value ${i.slice(0, 40)} (one of ${SEVERITY_FILTER_VALUES.join(', ')})`, where);
  return new Set(items);
}

/** Keeps the report's findings of these severities (vulnerabilities, malware, secrets, baseline). */
export function filterReportBySeverity(report: ScanReport, keep: ReadonlySet<string>): void {
  const has = (x: { severity: string }) => keep.has(x.severity);
  report.vulnerabilities = report.vulnerabilities.filter(has);
  report.malware = report.malware.filter(has);
  report.secrets = report.secrets.filter(has);
  report.baseline = report.baseline.filter(has);
}
