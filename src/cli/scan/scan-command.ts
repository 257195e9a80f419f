// The actions of `vigil scan` and `vigil sbom`: parse options, run the scan,
// filter by severity, render, and decide the exit code.
import type { ScanReport, ScannerId } from '../../core/scan/types.js';
import { InputError } from '../../core/errors.js';
import { filterReportBySeverity, parseSeverityFilter } from '../../core/scan/severity-filter.js';
import { oneShotTiering } from '../../node/one-shot-tiering.js';
import { runScan, SUPPORTED_SCANNERS } from '../../node/scan/run-scan.js';
import { stdoutColor } from '../terminal.js';
import { UsageError } from '../exit.js';
import { analyzersOption, imageOpenOptions, type ImageCliOptions } from '../image-options.js';
import { writeOutput } from '../output.js';
import { scanProgress } from '../progress.js';
import { checkFormat, renderReport } from './render.js';

function parseList(flag: string, v: string | undefined, allowed: ReadonlySet<string>): string[] | undefined {
  if (v === undefined) return undefined;
  const items = v
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  for (const i of items) if (!allowed.has(i)) throw new UsageError(`${flag}: unknown value ${i} (one of ${[...allowed].join(', ')})`);
  return items;
}

function parseSeverities(v: unknown): ReadonlySet<string> | undefined {
  if (v === undefined) return undefined;
  try {
    return parseSeverityFilter(String(v), '--severity');
  } catch (e) {
    if (e instanceof InputError) throw new UsageError(e.message);
    throw e;
  }
}

function parseExitCode(v: unknown): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !/^\d+$/.test(v) || Number(v) > 255) throw new UsageError(`--exit-code: expected 0-255, got ${String(v)}`);
  return Number(v);
}

/** Findings that count for --exit-code: what remains after filters and ignores. */
export function remainingFindings(report: ScanReport): number {
  return report.vulnerabilities.filter((v) => !v.ignored).length + report.malware.length + report.secrets.length + report.baseline.length;
}

export async function scanCommand(image: string, o: Record<string, unknown>): Promise<number> {
  oneShotTiering();
  const format = await checkFormat(String(o.format), 'scan');
  const scanners = parseList('--scanners', o.scanners as string, new Set(SUPPORTED_SCANNERS)) as ScannerId[];
  const severities = parseSeverities(o.severity);
  const exitCode = parseExitCode(o.exitCode);
  const analyzers = await analyzersOption(o.analyzers);
  const progress = scanProgress();
  let report: ScanReport;
  try {
    report = await runScan(image, {
      ...imageOpenOptions(o as ImageCliOptions),
      ...(analyzers ? { analyzers } : {}),
      scanners,
      ...(Array.isArray(o.malwareRules) ? { malwareRules: o.malwareRules as string[] } : {}),
      vuln: {
        dbPath: o.db as string | undefined,
        ignoreUnfixed: Boolean(o.ignoreUnfixed),
        ignoreFile: o.ignoreFile as string | undefined,
        vexFile: o.vex as string | undefined,
      },
      onProgress: progress.update,
    });
  } finally {
    progress.stop();
  }
  if (severities) filterReportBySeverity(report, severities);
  const color = !o.output && stdoutColor();
  await writeOutput(await renderReport(report, format, { color, vulnScanned: scanners.includes('vuln') }), o.output as string | undefined);
  return exitCode !== undefined && remainingFindings(report) > 0 ? exitCode : 0;
}

export async function sbomCommand(image: string, o: Record<string, unknown>): Promise<number> {
  oneShotTiering();
  const format = await checkFormat(String(o.format), 'sbom');
  const analyzers = await analyzersOption(o.analyzers);
  const progress = scanProgress();
  let report: ScanReport;
  try {
    report = await runScan(image, { ...imageOpenOptions(o as ImageCliOptions), ...(analyzers ? { analyzers } : {}), onProgress: progress.update });
  } finally {
    progress.stop();
  }
  const color = !o.output && stdoutColor();
  await writeOutput(await renderReport(report, format, { color }), o.output as string | undefined);
  return 0;
}
