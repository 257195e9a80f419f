// What a report format module is. Report formats are an index of modules
// (src/core/module-index.ts): each is one file in src/core/report/formats/,
// named after its id, that default-exports a ReportFormatModule. `vigil scan`
// and `vigil sbom` take their `--format` values and help texts from the index
// (src/cli/scan/render.ts loads it), so adding a format is its module, its
// test and its doc page (docs/architecture.md, "Extension points").
// Modules are pure like the rest of src/core: what varies per run (time,
// random ids, the tool version, colour) comes in the context.
import { hasMembers, type ModuleMeta } from '../module-index.js';
import type { ScanReport } from '../scan/types.js';

export type ReportCommand = 'scan' | 'sbom';

export interface ReportContext {
  /** Colour escapes allowed (a terminal, not a file). */
  color: boolean;
  now: Date;
  /** A fresh random UUID (document serial numbers). */
  uuid(): string;
  /** Vigil's version, for the tool fields of documents. */
  toolVersion: string;
  /** Whether the vulnerability scanner ran (a table says "not scanned" otherwise). */
  vulnScanned?: boolean;
}

export interface ReportFormatModule extends ModuleMeta {
  /** The `--format` value. */
  readonly id: string;
  readonly version: number;
  /** One line for help texts and docs. */
  readonly summary: string;
  /** The user doc page (and anchor) describing the format, relative to the repository root. */
  readonly docs: string;
  /** The commands that offer it. */
  readonly commands: readonly ReportCommand[];
  /** The whole document, ending with a newline. Heavy writers are imported inside. */
  render(report: ScanReport, ctx: ReportContext): Promise<string>;
}

/** What a module declares; the rest has defaults (both commands, the formats section of docs/cli.md). */
export type ReportFormatDeclaration = Pick<ReportFormatModule, 'id' | 'version' | 'summary' | 'render'> &
  Partial<Pick<ReportFormatModule, 'docs' | 'commands'>>;

/** A report format module from its declaration: the one home of the formats' shared defaults. */
export function reportFormat(m: ReportFormatDeclaration): ReportFormatModule {
  return { docs: 'docs/cli.md#report-formats', commands: ['scan', 'sbom'], ...m };
}

/** A JSON document as the formats write it: indented by two, ending with a newline. */
export function jsonDocument(value: unknown): string {
  return JSON.stringify(value, null, 2) + '\n';
}

export function isReportFormatModule(m: unknown): m is ReportFormatModule {
  return (
    hasMembers(m, { id: 'id', summary: 'string', docs: 'string', render: 'function' }) &&
    Array.isArray(m.commands) &&
    m.commands.every((c) => c === 'scan' || c === 'sbom')
  );
}
