// --format spdx: an SPDX 2.3 JSON SBOM.
import type { ReportFormatModule } from '../format-module.js';

export default {
  id: 'spdx',
  version: 1,
  summary: 'SPDX 2.3 JSON SBOM',
  docs: 'docs/cli.md#report-formats',
  commands: ['scan', 'sbom'],
  async render(report, ctx) {
    const { toSpdx } = await import('../spdx.js');
    return JSON.stringify(toSpdx(report, { now: ctx.now, uniqueId: ctx.uuid(), toolVersion: ctx.toolVersion }), null, 2) + '\n';
  },
} satisfies ReportFormatModule;
