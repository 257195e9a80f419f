// --format sarif: SARIF 2.1.0 for code-scanning dashboards.
import type { ReportFormatModule } from '../format-module.js';

export default {
  id: 'sarif',
  version: 1,
  summary: 'SARIF 2.1.0 (code-scanning dashboards)',
  docs: 'docs/cli.md#report-formats',
  commands: ['scan'],
  async render(report) {
    const { toSarif } = await import('../sarif.js');
    return JSON.stringify(toSarif(report), null, 2) + '\n';
  },
} satisfies ReportFormatModule;
