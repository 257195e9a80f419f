// `--format table`: what a person reads in a terminal. Vulnerabilities are
// grouped by package and sorted by severity, with totals and a fixable count;
// without the vuln scanner the package inventory is printed.
import type { ScanReport, VulnerabilityFinding } from '../scan/types.js';
import { contentTableSections } from './content-sections.js';
import { renderTable, type Cell, type Row } from './text-table.js';

export interface TableOptions {
  color: boolean;
  /** The vuln scanner ran: show the vulnerability section (even with none found) instead of the inventory. */
  vulnScanned?: boolean;
}

const SEVERITY_ORDER = ['critical', 'high', 'medium', 'low', 'info', 'unknown'] as const;
const ANSI: Record<string, [number, number]> = {
  critical: [91, 39],
  high: [31, 39],
  medium: [33, 39],
  low: [34, 39],
  info: [36, 39],
  unknown: [90, 39],
  bold: [1, 22],
  dim: [2, 22],
  green: [32, 39],
  yellow: [33, 39],
};

function painter(color: boolean) {
  return (style: string) => (s: string) => {
    const a = ANSI[style];
    return color && a ? `\u001b[${a[0]}m${s}\u001b[${a[1]}m` : s;
  };
}

function severityRank(s: string): number {
  const i = (SEVERITY_ORDER as readonly string[]).indexOf(s);
  return i < 0 ? SEVERITY_ORDER.length : i;
}

export function toTable(report: ScanReport, opts: TableOptions): string {
  const paint = painter(opts.color);
  const a = report.artifact;
  const out: string[] = [];
  const osText = a.os ? ` (${a.os.family} ${a.os.version})` : '';
  out.push(paint('bold')(`${a.name}${osText}`));
  out.push('');
  for (const n of report.notices ?? []) out.push(paint('yellow')(`Notice: ${n.message}${n.path ? ` (${n.path})` : ''}`));
  if (report.notices?.length) out.push('');

  const vulnsShown = report.vulnerabilities.filter((v) => !v.ignored);
  const vulnSection = opts.vulnScanned || report.vulnerabilities.length > 0;
  if (!vulnSection) {
    out.push(`Packages: ${report.packages.length}`);
    if (report.packages.length) {
      const rows: Row[] = [...report.packages]
        .sort((x, y) => (x.type + x.name < y.type + y.name ? -1 : 1))
        .map((p) => [p.name, p.version, p.type, p.sourceName && p.sourceName !== p.name ? p.sourceName : '', p.layer ? shortDigest(p.layer.digest) : '']);
      out.push(renderTable([{ header: 'Package' }, { header: 'Version' }, { header: 'Type' }, { header: 'Source' }, { header: 'Layer' }], rows));
    }
  }

  if (vulnSection) {
    out.push(vulnSummary(vulnsShown, report.vulnerabilities.length - vulnsShown.length, paint));
    if (vulnsShown.length) out.push(vulnTable(vulnsShown, paint));
  }
  for (const [title, rows, cols] of otherSections(report)) {
    if (!rows.length) continue;
    out.push(`${title}: ${rows.length}`);
    out.push(
      renderTable(
        cols.map((header) => ({ header, max: 60 })),
        rows,
      ),
    );
  }
  return out.join('\n');
}

function shortDigest(d: string): string {
  const i = d.indexOf(':');
  return i >= 0 ? d.slice(i + 1, i + 13) : d.slice(0, 12);
}

function vulnSummary(vulns: VulnerabilityFinding[], ignored: number, paint: ReturnType<typeof painter>): string {
  const counts = new Map<string, number>();
  for (const v of vulns) counts.set(v.severity, (counts.get(v.severity) ?? 0) + 1);
  const parts = SEVERITY_ORDER.filter((s) => s !== 'info').map((s) => paint(s)(`${s.toUpperCase()}: ${counts.get(s) ?? 0}`));
  const fixable = vulns.filter((v) => v.fixedVersion).length;
  return (
    `Vulnerabilities: ${vulns.length} (${parts.join(', ')}), fixable: ${paint('green')(String(fixable))}` + (ignored ? `, ignored: ${ignored}` : '') + '\n'
  );
}

function vulnTable(vulns: VulnerabilityFinding[], paint: ReturnType<typeof painter>): string {
  const sorted = [...vulns].sort(
    (x, y) => x.package.localeCompare(y.package) || severityRank(x.severity) - severityRank(y.severity) || x.id.localeCompare(y.id),
  );
  let prev = '';
  const rows: Row[] = sorted.map((v) => {
    const pkg = v.package === prev ? '' : v.package;
    prev = v.package;
    const sev: Cell = { text: v.severity.toUpperCase(), paint: paint(v.severity) };
    return [pkg, v.id, sev, v.status, v.installedVersion, v.fixedVersion, v.title];
  });
  return renderTable(
    [
      { header: 'Package' },
      { header: 'Vulnerability' },
      { header: 'Severity' },
      { header: 'Status' },
      { header: 'Installed' },
      { header: 'Fixed' },
      { header: 'Title', max: 50 },
    ],
    rows,
    { groupBy: 0 },
  );
}

function otherSections(r: ScanReport): Array<[string, Row[], string[]]> {
  return contentTableSections(r);
}
