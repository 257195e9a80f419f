// --format sarif: SARIF 2.1.0 for code-scanning dashboards.
import { jsonDocument, reportFormat } from '../format-module.js';

export default reportFormat({
  id: 'sarif',
  version: 1,
  summary: 'SARIF 2.1.0 (code-scanning dashboards)',
  commands: ['scan'],
  async render(report) {
    return jsonDocument((await import('../sarif.js')).toSarif(report));
  },
});
