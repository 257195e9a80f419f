// Turns a ScanReport into the requested output format (scan and sbom). The
// formats are the index of report format modules (src/core/report/formats/,
// one file per format; see src/core/report/format-module.ts).
import { randomUUID } from 'node:crypto';
import { VIGIL_VERSION } from '../../node/version.js';
import type { ModuleIndex } from '../../core/module-index.js';
import { isReportFormatModule, type ReportCommand, type ReportFormatModule } from '../../core/report/format-module.js';
import type { ScanReport } from '../../core/scan/types.js';
import { loadModule, loadModuleDir, once } from '../../node/module-dir.js';
import { UsageError } from '../exit.js';

export const FORMATS_DIR = new URL('../../core/report/formats/', import.meta.url);

export const reportFormats: () => Promise<ModuleIndex<ReportFormatModule>> = once(() => loadModuleDir('report format', FORMATS_DIR, isReportFormatModule));

/** The format ids a command offers, sorted. */
export function formatsOf(formats: ModuleIndex<ReportFormatModule>, command: ReportCommand): string[] {
  return formats
    .all()
    .filter((f) => f.commands.includes(command))
    .map((f) => f.id);
}

/** `a, b, c or d` */
export function orList(items: readonly string[]): string {
  return items.length > 1 ? `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}` : (items[0] ?? '');
}

export function toolVersion(): string {
  return VIGIL_VERSION;
}

export async function checkFormat(format: string, command: ReportCommand): Promise<ReportFormatModule> {
  // The requested format's module alone; the whole index only to name the choices of a wrong one.
  const one = await loadModule('report format', FORMATS_DIR, format, isReportFormatModule);
  if (one?.commands.includes(command)) return one;
  const formats = await reportFormats();
  const allowed = formatsOf(formats, command);
  if (!allowed.includes(format)) throw new UsageError(`--format: unknown format ${format} (one of ${allowed.join(', ')})`);
  return formats.require(format);
}

export async function renderReport(
  report: ScanReport,
  format: ReportFormatModule,
  opts: { color: boolean; now?: Date; vulnScanned?: boolean },
): Promise<string> {
  return format.render(report, { color: opts.color, now: opts.now ?? new Date(), uuid: randomUUID, toolVersion: toolVersion(), vulnScanned: opts.vulnScanned });
}
