// --format table: the human-readable report for a terminal.
import type { ReportFormatModule } from '../format-module.js';

export default {
  id: 'table',
  version: 1,
  summary: 'tables for a terminal',
  docs: 'docs/cli.md#report-formats',
  commands: ['scan', 'sbom'],
  async render(report, ctx) {
    return (await import('../table.js')).toTable(report, { color: ctx.color, vulnScanned: ctx.vulnScanned });
  },
} satisfies ReportFormatModule;
