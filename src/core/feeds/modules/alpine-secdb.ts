// Alpine secdb: one JSON per branch and repository (main, community).
import { convertAlpineSecdb, isAlpineSecdb } from '../../vulndb/alpine-secdb.js';
import { asList, baseUrl, listOption, urlOption, type AdvisoryFeed } from '../types.js';

export const DEFAULT_ALPINE_SECDB_URL = 'https://secdb.alpinelinux.org';
export const DEFAULT_ALPINE_BRANCHES = ['v3.18', 'v3.19', 'v3.20', 'v3.21'];

const URL_OPTION = urlOption('--alpine-secdb-url <url>', 'Alpine secdb base URL', 'VIGIL_ALPINE_SECDB_URL');
const BRANCHES_OPTION = listOption('branches', '--alpine-branches <list>', 'Alpine branches, e.g. v3.19,v3.20');

export const alpineSecdbFeed: AdvisoryFeed = {
  id: 'alpine-secdb',
  detectOrder: 30,
  version: 1,
  title: 'Alpine secdb JSON',
  detect: isAlpineSecdb,
  convert: (doc, where) => ({ advisories: convertAlpineSecdb(doc, where), cves: [] }),
  update: {
    source: 'alpine',
    help: 'Alpine secdb, main and community of each branch',
    options: [URL_OPTION, BRANCHES_OPTION],
    plan: (v) =>
      (asList(v.branches) ?? DEFAULT_ALPINE_BRANCHES).flatMap((b) =>
        ['main', 'community'].map((repo) => ({
          url: `${baseUrl(v, DEFAULT_ALPINE_SECDB_URL)}/${b}/${repo}.json`,
          name: `alpine-${b.replace(/[^\w.-]/g, '_')}-${repo}.json`,
          optional: repo === 'community',
        })),
      ),
  },
};

export default alpineSecdbFeed;
