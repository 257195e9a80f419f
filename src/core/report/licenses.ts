// License names as packages record them (Debian DEP-5 short names, RPM
// `GPLv2+`, npm SPDX expressions) mapped to SPDX license ids where that is
// unambiguous. Anything else stays a free-text name: reports never claim an
// SPDX id that the package did not give.
import { SPDX_LICENSE_IDS } from '../../gen/spdx-license-ids.js';

const ALIASES: Record<string, string> = {
  'gpl-1': 'GPL-1.0-only',
  'gpl-1+': 'GPL-1.0-or-later',
  'gpl-2': 'GPL-2.0-only',
  'gpl-2+': 'GPL-2.0-or-later',
  gplv2: 'GPL-2.0-only',
  'gplv2+': 'GPL-2.0-or-later',
  'gpl-3': 'GPL-3.0-only',
  'gpl-3+': 'GPL-3.0-or-later',
  gplv3: 'GPL-3.0-only',
  'gplv3+': 'GPL-3.0-or-later',
  'lgpl-2': 'LGPL-2.0-only',
  'lgpl-2+': 'LGPL-2.0-or-later',
  'lgpl-2.1': 'LGPL-2.1-only',
  'lgpl-2.1+': 'LGPL-2.1-or-later',
  lgplv2: 'LGPL-2.0-only',
  'lgplv2+': 'LGPL-2.0-or-later',
  'lgplv2.1': 'LGPL-2.1-only',
  'lgplv2.1+': 'LGPL-2.1-or-later',
  'lgpl-3': 'LGPL-3.0-only',
  'lgpl-3+': 'LGPL-3.0-or-later',
  lgplv3: 'LGPL-3.0-only',
  'lgplv3+': 'LGPL-3.0-or-later',
  'agpl-3': 'AGPL-3.0-only',
  'agpl-3+': 'AGPL-3.0-or-later',
  'apache-2': 'Apache-2.0',
  'apache 2.0': 'Apache-2.0',
  'asl 2.0': 'Apache-2.0',
  'bsd-2-clause': 'BSD-2-Clause',
  'bsd-3-clause': 'BSD-3-Clause',
  expat: 'MIT',
  mit: 'MIT',
  isc: 'ISC',
  zlib: 'Zlib',
  'mpl-2.0': 'MPL-2.0',
  artistic: 'Artistic-1.0-Perl',
  'public-domain': 'LicenseRef-public-domain',
};

const LOWER_IDS = new Map<string, string>();
for (const id of SPDX_LICENSE_IDS) LOWER_IDS.set(id.toLowerCase(), id);

/** The SPDX id for a recorded license name, or undefined. */
export function spdxId(name: string): string | undefined {
  const n = name.trim();
  if (SPDX_LICENSE_IDS.has(n)) return n;
  const lower = n.toLowerCase();
  const alias = ALIASES[lower];
  if (alias && !alias.startsWith('LicenseRef-')) return alias;
  return LOWER_IDS.get(lower);
}

/** A reference usable where SPDX expects an id for a non-SPDX license: `LicenseRef-<name>`. */
export function licenseRef(name: string): string {
  return `LicenseRef-${
    name
      .trim()
      .replace(/[^A-Za-z0-9.-]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'unknown'
  }`;
}
