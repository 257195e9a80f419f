// The compact stored form of advisories in the DB file: affected entries as
// short JSON (what matching needs), advisory heads as raw-deflated JSON with a
// preset dictionary of the words OSV records repeat, so 300k advisories stay
// well under the size budget.
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { AffectedPackage, AffectedRange, RangeEvent } from './advisory.js';
import type { AdvisoryHead } from './match.js';

const DICTIONARY = Buffer.from(
  '{"id":"","source":"","aliases":["CVE-20"],"upstream":["CVE-20"],"related":[],"summary":"","details":"' +
    'vulnerability in allows remote attackers to cause a denial of service via crafted could lead to arbitrary code execution ' +
    'before when an attacker buffer overflow out-of-bounds read write use-after-free NULL pointer dereference memory ' +
    'function the a of and to in is was that this for with by an on be may which can",' +
    '"published":"20","modified":"20","severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],' +
    '"vendorSeverity":"medium","references":["https://security-tracker.debian.org/tracker/CVE-20","https://nvd.nist.gov/vuln/detail/CVE-20",' +
    '"https://github.com/advisories/GHSA-","https://www.debian.org/security/20","https://errata.almalinux.org/","https://errata.rockylinux.org/"]}',
);

export function encodeHead(h: AdvisoryHead): Buffer {
  return deflateRawSync(Buffer.from(JSON.stringify(h)), { dictionary: DICTIONARY, level: 6 });
}

export function decodeHead(b: Buffer): AdvisoryHead {
  return JSON.parse(inflateRawSync(b, { dictionary: DICTIONARY }).toString('utf8')) as AdvisoryHead;
}

const KIND_TO_SHORT: Record<string, string> = { introduced: 'i', fixed: 'f', last_affected: 'l', limit: 'x' };
const SHORT_TO_KIND: Record<string, string> = { i: 'introduced', f: 'fixed', l: 'last_affected', x: 'limit' };

interface StoredAffected {
  e: string;
  n: string;
  r?: Array<[string, Array<[string, string]>]>;
  v?: string[];
  s?: string;
  p?: string;
}

export function encodeAffected(a: AffectedPackage): string {
  const o: StoredAffected = { e: a.ecosystem, n: a.name };
  if (a.ranges.length) {
    o.r = a.ranges.map((r) => [r.type === 'SEMVER' ? 'S' : 'E', r.events.map((ev) => {
      const [k, v] = Object.entries(ev)[0] as [string, string];
      return [KIND_TO_SHORT[k]!, v];
    })]);
  }
  if (a.versions.length) o.v = a.versions;
  if (a.status) o.s = a.status;
  if (a.severity) o.p = a.severity;
  return JSON.stringify(o);
}

export function decodeAffected(s: string): AffectedPackage {
  const o = JSON.parse(s) as StoredAffected;
  const ranges: AffectedRange[] = (o.r ?? []).map(([t, evs]) => ({
    type: t === 'S' ? 'SEMVER' : 'ECOSYSTEM',
    events: evs.map(([k, v]) => ({ [SHORT_TO_KIND[k]!]: v }) as RangeEvent),
  }));
  return {
    ecosystem: o.e,
    name: o.n,
    ranges,
    versions: o.v ?? [],
    ...(o.s ? { status: o.s as AffectedPackage['status'] } : {}),
    ...(o.p ? { severity: o.p } : {}),
  };
}
