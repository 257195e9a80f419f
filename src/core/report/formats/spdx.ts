// --format spdx: an SPDX 2.3 JSON SBOM.
import { jsonDocument, reportFormat } from '../format-module.js';

export default reportFormat({
  id: 'spdx',
  version: 1,
  summary: 'SPDX 2.3 JSON SBOM',
  async render(report, ctx) {
    return jsonDocument((await import('../spdx.js')).toSpdx(report, { now: ctx.now, uniqueId: ctx.uuid(), toolVersion: ctx.toolVersion }));
  },
});
