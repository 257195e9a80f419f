// --format json: Vigil's own report (the `scan --format json` contract of docs/architecture.md).
import { reportFormat } from '../format-module.js';

export default reportFormat({
  id: 'json',
  version: 1,
  summary: "Vigil's JSON report (packages and findings)",
  async render(report) {
    return (await import('../json.js')).toJson(report);
  },
});
