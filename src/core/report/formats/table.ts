// --format table: the human-readable report for a terminal.
import { reportFormat } from '../format-module.js';

export default reportFormat({
  id: 'table',
  version: 1,
  summary: 'tables for a terminal',
  async render(report, ctx) {
    return (await import('../table.js')).toTable(report, { color: ctx.color, vulnScanned: ctx.vulnScanned });
  },
});
