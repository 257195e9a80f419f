// --format cyclonedx: a CycloneDX 1.6 JSON SBOM (with vulnerabilities when scanned).
import { jsonDocument, reportFormat } from '../format-module.js';

export default reportFormat({
  id: 'cyclonedx',
  version: 1,
  summary: 'CycloneDX JSON SBOM',
  async render(report, ctx) {
    return jsonDocument(
      (await import('../cyclonedx.js')).toCycloneDx(report, { now: ctx.now, serialNumber: `urn:uuid:${ctx.uuid()}`, toolVersion: ctx.toolVersion }),
    );
  },
});
