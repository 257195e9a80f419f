import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InputError } from '../errors.js';
import { filterReportBySeverity, parseSeverityFilter } from './severity-filter.js';
import type { ScanReport } from './types.js';

test('parseSeverityFilter: names, case and spaces; unknown, empty and oversized lists are input errors', () => {
  assert.deepEqual([...parseSeverityFilter('Critical, high,,unknown', '--severity')], ['critical', 'high', 'unknown']);
  assert.throws(
    () => parseSeverityFilter('high,urgent', '--severity'),
    (e: unknown) =>
      e instanceof InputError &&
      e.code === 'BAD_SEVERITY' &&
      e.message === '--severity: unknown value urgent (one of critical, high, medium, low, info, unknown)',
  );
  assert.throws(() => parseSeverityFilter(' , ', 'severity'), /severity: empty severity list/);
  assert.throws(() => parseSeverityFilter('high,'.repeat(50), 'severity'), /longer than 200/);
});

test('filterReportBySeverity keeps only those severities in every finding list', () => {
  const report = {
    vulnerabilities: [
      { id: 'A', severity: 'critical' },
      { id: 'B', severity: 'low' },
      { id: 'C', severity: 'unknown' },
    ],
    malware: [{ rule: 'm', severity: 'high' }],
    secrets: [{ ruleId: 's', severity: 'low' }],
    baseline: [{ id: 'b', severity: 'critical' }],
  } as unknown as ScanReport;
  filterReportBySeverity(report, parseSeverityFilter('critical,unknown', 'x'));
  assert.deepEqual(
    report.vulnerabilities.map((v) => v.id),
    ['A', 'C'],
  );
  assert.equal(report.malware.length, 0);
  assert.equal(report.secrets.length, 0);
  assert.equal(report.baseline.length, 1);
});
