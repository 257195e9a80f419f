// --format json: Vigil's own report (the `scan --format json` contract of docs/architecture.md).
import type { ReportFormatModule } from '../format-module.js';

export default {
  id: 'json',
  version: 1,
  summary: "Vigil's JSON report (packages and findings)",
  docs: 'docs/cli.md#report-formats',
  commands: ['scan', 'sbom'],
  async render(report) {
    return (await import('../json.js')).toJson(report);
  },
} satisfies ReportFormatModule;
