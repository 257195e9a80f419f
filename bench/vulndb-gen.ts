// Generates realistic OSV records for the vulnerability DB benchmark: the
// mix of a real OSV mirror (Debian DSA/DLA/DEBIAN-CVE, Ubuntu, Alpine,
// AlmaLinux/Rocky, npm GHSA), each with aliases, summary, a few hundred
// characters of details, references, CVSS vectors and 1-3 affected ranges.
// Deterministic (seeded), written as per-ecosystem OSV all.zip archives.
import { makeZip } from '../src/core/analyzers/zip.test-helpers.js';
import { rng } from './lib/rng.js';

const WORDS =
  'buffer overflow heap use-after-free integer out-of-bounds read write remote attacker crafted request denial service memory corruption parser header certificate validation bypass authentication privilege escalation local user file path traversal injection command template library function input length check missing leads arbitrary code execution information disclosure'.split(
    ' ',
  );
const VECTORS = [
  'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
  'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H',
  'CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H',
  'CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:L/A:N',
  'CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N',
];

export interface GenEcosystem {
  name: string;
  share: number;
  id: (n: number, r: () => number) => string;
  eco: (r: () => number) => string;
  version: (r: () => number) => string;
  pkgPrefix: string;
}

const int = (r: () => number, n: number): number => Math.floor(r() * n);

export const ECOSYSTEMS: GenEcosystem[] = [
  {
    name: 'Debian',
    share: 0.3,
    pkgPrefix: 'lib',
    id: (n, r) => (r() < 0.7 ? `DEBIAN-CVE-${2014 + (n % 11)}-${10000 + n}` : `DSA-${1000 + n}-1`),
    eco: (r) => `Debian:${[10, 11, 12, 13][int(r, 4)]}`,
    version: (r) => `${int(r, 9)}.${int(r, 30)}.${int(r, 20)}-${1 + int(r, 9)}+deb12u${1 + int(r, 9)}`,
  },
  {
    name: 'Ubuntu',
    share: 0.25,
    pkgPrefix: 'lib',
    id: (n) => `UBUNTU-CVE-${2014 + (n % 11)}-${20000 + n}`,
    eco: (r) => `Ubuntu:${['20.04', '22.04', '24.04'][int(r, 3)]}:LTS`,
    version: (r) => `${int(r, 9)}.${int(r, 30)}-${int(r, 9)}ubuntu${int(r, 5)}.${int(r, 9)}`,
  },
  {
    name: 'Alpine',
    share: 0.1,
    pkgPrefix: '',
    id: (n) => `ALPINE-CVE-${2014 + (n % 11)}-${30000 + n}`,
    eco: (r) => `Alpine:v3.${15 + int(r, 6)}`,
    version: (r) => `${int(r, 9)}.${int(r, 30)}.${int(r, 20)}-r${int(r, 9)}`,
  },
  {
    name: 'Rocky Linux',
    share: 0.1,
    pkgPrefix: '',
    id: (n) => `RLSA-${2021 + (n % 4)}:${n}`,
    eco: (r) => `Rocky Linux:${8 + int(r, 2)}`,
    version: (r) => `${int(r, 3)}:${int(r, 9)}.${int(r, 30)}.${int(r, 20)}-${int(r, 40)}.el9_${int(r, 4)}`,
  },
  {
    name: 'npm',
    share: 0.25,
    pkgPrefix: 'js-',
    id: (n) => `GHSA-${n.toString(36).padStart(4, 'x')}-bench-${(n * 7919).toString(36).slice(-4).padStart(4, 'q')}`,
    eco: () => 'npm',
    version: (r) => `${int(r, 9)}.${int(r, 30)}.${int(r, 20)}`,
  },
];

/** Package name pool per ecosystem: a real DB has ~10 advisories per package. */
export function pkgName(e: GenEcosystem, i: number): string {
  return `${e.pkgPrefix}bench${i}`;
}

export function generateRecord(e: GenEcosystem, n: number, pool: number, r: () => number): string {
  const cve = `CVE-${2014 + (n % 11)}-${40000 + n}`;
  const details = Array.from({ length: 40 + int(r, 80) }, () => WORDS[int(r, WORDS.length)]).join(' ');
  const affected = Array.from({ length: 1 + int(r, 3) }, () => {
    const fixed = e.version(r);
    const events = r() < 0.8 ? [{ introduced: '0' }, { fixed }] : r() < 0.5 ? [{ introduced: '0' }] : [{ introduced: e.version(r) }, { last_affected: fixed }];
    return { package: { ecosystem: e.eco(r), name: pkgName(e, int(r, pool)) }, ranges: [{ type: e.name === 'npm' ? 'SEMVER' : 'ECOSYSTEM', events }] };
  });
  return JSON.stringify({
    schema_version: '1.6.0',
    id: e.id(n, r),
    modified: '2024-06-01T00:00:00Z',
    published: '2023-01-01T00:00:00Z',
    aliases: e.name === 'npm' ? [cve] : [],
    upstream: e.name === 'npm' ? [] : [cve],
    summary: `${WORDS[int(r, WORDS.length)]} ${WORDS[int(r, WORDS.length)]} in ${affected[0]!.package.name}`,
    details,
    severity: r() < 0.6 ? [{ type: 'CVSS_V3', score: VECTORS[int(r, VECTORS.length)] }] : undefined,
    affected,
    references: [
      { type: 'ADVISORY', url: `https://security-tracker.debian.org/tracker/${cve}` },
      { type: 'WEB', url: `https://nvd.nist.gov/vuln/detail/${cve}` },
      ...(r() < 0.5 ? [{ type: 'FIX', url: `https://github.com/example/${affected[0]!.package.name}/commit/${((n * 2654435761) >>> 0).toString(16)}` }] : []),
    ],
    database_specific: e.name === 'npm' ? { severity: ['LOW', 'MODERATE', 'HIGH', 'CRITICAL'][int(r, 4)] } : undefined,
  });
}

/** Entries per archive: the test zip writer has no zip64, so big ecosystems are split. */
const PER_ZIP = 60_000;

/** Builds OSV all.zip archives per ecosystem holding `total` records in all. */
export function generateZips(total: number, seed = 1): Array<{ ecosystem: string; zip: Buffer; records: number }> {
  const r = rng(seed);
  let n = 0;
  return ECOSYSTEMS.flatMap((e) => {
    const count = Math.round(total * e.share);
    const pool = Math.max(10, Math.round(count / 10));
    const out: Array<{ ecosystem: string; zip: Buffer; records: number }> = [];
    for (let done = 0, part = 1; done < count; done += PER_ZIP, part++) {
      const entries = Array.from({ length: Math.min(PER_ZIP, count - done) }, () => {
        n++;
        const data = generateRecord(e, n, pool, r);
        return { name: `${JSON.parse(data).id}.json`, data };
      });
      out.push({ ecosystem: `${e.name}-${part}`, zip: makeZip(entries), records: entries.length });
    }
    return out;
  });
}
