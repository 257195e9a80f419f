// Turns a ScanReport into the requested output format (scan and sbom).
import { randomUUID } from 'node:crypto';
import { VIGIL_VERSION } from '../../node/version.js';
import type { ScanReport } from '../../core/scan/types.js';
import { UsageError } from '../exit.js';

export type ReportFormat = 'table' | 'json' | 'sarif' | 'cyclonedx' | 'spdx';
export const SCAN_FORMATS: readonly ReportFormat[] = ['table', 'json', 'sarif', 'cyclonedx', 'spdx'];

export function toolVersion(): string {
  return VIGIL_VERSION;
}

export function checkFormat(format: string, allowed: readonly string[]): ReportFormat {
  if (!allowed.includes(format)) throw new UsageError(`--format: unknown format ${format} (one of ${allowed.join(', ')})`);
  return format as ReportFormat;
}

export async function renderReport(report: ScanReport, format: ReportFormat, opts: { color: boolean; now?: Date; vulnScanned?: boolean }): Promise<string> {
  const now = opts.now ?? new Date();
  switch (format) {
    case 'json':
      return (await import('../../core/report/json.js')).toJson(report);
    case 'table':
      return (await import('../../core/report/table.js')).toTable(report, { color: opts.color, vulnScanned: opts.vulnScanned });
    case 'cyclonedx': {
      const { toCycloneDx } = await import('../../core/report/cyclonedx.js');
      return JSON.stringify(toCycloneDx(report, { now, serialNumber: `urn:uuid:${randomUUID()}`, toolVersion: toolVersion() }), null, 2) + '\n';
    }
    case 'spdx': {
      const { toSpdx } = await import('../../core/report/spdx.js');
      return JSON.stringify(toSpdx(report, { now, uniqueId: randomUUID(), toolVersion: toolVersion() }), null, 2) + '\n';
    }
    case 'sarif': {
      const { toSarif } = await import('../../core/report/sarif.js');
      return JSON.stringify(toSarif(report), null, 2) + '\n';
    }
  }
}
