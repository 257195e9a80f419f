// --format cyclonedx: a CycloneDX 1.6 JSON SBOM (with vulnerabilities when scanned).
import type { ReportFormatModule } from '../format-module.js';

export default {
  id: 'cyclonedx',
  version: 1,
  summary: 'CycloneDX JSON SBOM',
  docs: 'docs/cli.md#report-formats',
  commands: ['scan', 'sbom'],
  async render(report, ctx) {
    const { toCycloneDx } = await import('../cyclonedx.js');
    return JSON.stringify(toCycloneDx(report, { now: ctx.now, serialNumber: `urn:uuid:${ctx.uuid()}`, toolVersion: ctx.toolVersion }), null, 2) + '\n';
  },
} satisfies ReportFormatModule;
