// OSV records (single or arrays; the per-ecosystem all.zip of the OSV
// bucket). `vigil db update` downloads the all.zip of every ecosystem module
// whose feeds include `osv` (src/core/ecosystems), unless --osv-ecosystems says otherwise.
import { ecosystemsOfFeed } from '../../ecosystems/index.js';
import { parseOsv } from '../../vulndb/osv.js';
import { asList, baseUrl, listOption, urlOption, type AdvisoryFeed } from '../types.js';

export const DEFAULT_OSV_URL = 'https://osv-vulnerabilities.storage.googleapis.com';

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** OSV ecosystem names downloaded by default. */
export function defaultOsvEcosystems(): string[] {
  return ecosystemsOfFeed('osv').map((e) => e.osvName);
}

export const osvFeed: AdvisoryFeed = {
  id: 'osv',
  detectOrder: 10,
  version: 1,
  title: 'OSV JSON',
  detect(doc) {
    if (Array.isArray(doc)) return doc.length === 0 || (isObj(doc[0]) && typeof doc[0].id === 'string');
    return isObj(doc) && typeof doc.id === 'string' && ('affected' in doc || 'modified' in doc || 'schema_version' in doc);
  },
  convert(doc, where) {
    const list = Array.isArray(doc) ? doc : [doc];
    return { advisories: list.map((d, i) => parseOsv(d, Array.isArray(doc) ? `${where}[${i}]` : where)), cves: [] };
  },
  update: {
    source: 'osv',
    help: 'OSV all.zip of each ecosystem',
    options: [
      urlOption('--osv-url <url>', 'OSV bucket base URL', 'VIGIL_OSV_URL'),
      listOption('ecosystems', '--osv-ecosystems <list>', 'OSV ecosystems (all.zip per ecosystem)'),
    ],
    plan(v) {
      const base = baseUrl(v, DEFAULT_OSV_URL);
      return (asList(v.ecosystems) ?? defaultOsvEcosystems()).map((eco) => ({
        url: `${base}/${encodeURIComponent(eco)}/all.zip`,
        name: `osv-${eco.replace(/[^\w.-]/g, '_')}.zip`,
      }));
    },
  },
};

export default osvFeed;
