// Threat-IP lists (product.md: "threat-intel IP lists ... updated from public
// feeds, usable offline"): plain text, one address or CIDR a line with `;` or
// `#` comments (Spamhaus DROP/EDROP, Feodo Tracker's ipblocklist.txt) or
// Feodo Tracker's CSV (src/core/rules/threat-ips.ts reads them all). Not an
// advisory format: `vigil db import` never detects it; `vigil db update`
// downloads the lists into the DB's threat-IP table, which the server pushes
// to its agents with the project's own entries (docs/rules.md).
import { parseThreatFeed } from '../../rules/threat-ips.js';
import { asList, type AdvisoryFeed } from '../types.js';

export const DEFAULT_THREAT_IP_URLS = ['https://www.spamhaus.org/drop/drop.txt', 'https://feodotracker.abuse.ch/downloads/ipblocklist.txt'];

export const threatIpsFeed: AdvisoryFeed = {
  id: 'threat-ips',
  detectOrder: 1000,
  version: 1,
  title: 'threat-IP list (CIDR per line, or CSV)',
  detect: () => false,
  convert: () => ({ advisories: [], cves: [] }),
  threatIps: (text, where) => parseThreatFeed(text, where),
  update: {
    source: 'threat-ips',
    help: 'threat-IP lists (Spamhaus DROP, Feodo Tracker IP blocklist)',
    options: [
      {
        key: 'urls',
        flag: '--threat-ip-urls <list>',
        help: 'threat-IP list URLs (CIDR per line with ; or # comments, or Feodo Tracker CSV)',
        list: true,
        env: 'VIGIL_THREAT_IP_URLS',
      },
    ],
    plan(v) {
      return (asList(v.urls) ?? DEFAULT_THREAT_IP_URLS).map((url, i) => ({ url, name: `threat-ips-${i}.txt` }));
    },
  },
};

export default threatIpsFeed;
