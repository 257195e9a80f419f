// NVD CVE API 2.0 pages: CVSS and descriptions per CVE (import only).
import { convertNvd, isNvd } from '../../vulndb/nvd.js';
import type { AdvisoryFeed } from '../types.js';

export const nvdFeed: AdvisoryFeed = {
  id: 'nvd',
  detectOrder: 20,
  version: 1,
  title: 'NVD CVE API 2.0 JSON',
  detect: isNvd,
  convert: (doc, where) => ({ advisories: [], cves: convertNvd(doc, where) }),
};

export default nvdFeed;
