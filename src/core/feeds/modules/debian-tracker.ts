// The Debian security tracker JSON (every source package, CVE and release).
import { convertDebianTracker, isDebianTracker } from '../../vulndb/debian-tracker.js';
import { asString, urlOption, type AdvisoryFeed } from '../types.js';

export const DEFAULT_DEBIAN_TRACKER_URL = 'https://security-tracker.debian.org/tracker/data/json';

export const debianTrackerFeed: AdvisoryFeed = {
  id: 'debian-tracker',
  detectOrder: 40,
  version: 1,
  title: 'Debian security tracker JSON',
  detect: isDebianTracker,
  convert: (doc, where) => ({ advisories: convertDebianTracker(doc, where), cves: [] }),
  update: {
    source: 'debian',
    help: 'the Debian security tracker JSON',
    options: [urlOption('--debian-tracker-url <url>', 'Debian security tracker JSON URL', 'VIGIL_DEBIAN_TRACKER_URL')],
    plan: (v) => [{ url: asString(v.url) ?? DEFAULT_DEBIAN_TRACKER_URL, name: 'debian-tracker.json' }],
  },
};

export default debianTrackerFeed;
