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

/**
 * Heads are stored in blocks of a few advisories compressed together: one
 * deflate per block instead of per advisory (import speed) and a better ratio
 * (advisories of one feed share most of their words). Level 1 costs about
 * 20% less CPU than level 6 for about 9% larger heads; readers inflate any
 * level. 32-head blocks deflate faster still but make each head lookup of
 * matching about 15% slower (a whole block is inflated and parsed per head).
 */
export const HEADS_PER_BLOCK = 16;
const HEAD_BLOCK_LEVEL = 1;

export function encodeHeadBlock(heads: AdvisoryHead[]): Buffer {
  return deflateRawSync(JSON.stringify(heads), { dictionary: DICTIONARY, level: HEAD_BLOCK_LEVEL });
}

export function decodeHeadBlock(b: Buffer): AdvisoryHead[] {
  return JSON.parse(inflateRawSync(b, { dictionary: DICTIONARY }).toString('utf8')) as AdvisoryHead[];
}

const KIND_TO_SHORT: Record<string, string> = { introduced: 'i', fixed: 'f', last_affected: 'l', limit: 'x' };
const SHORT_TO_KIND: Record<string, string> = { i: 'introduced', f: 'fixed', l: 'last_affected', x: 'limit' };
// Affected entries are the bulk of the DB (one row per package per advisory):
// stored as control-character-separated text, not JSON. Segments are split by
// RS, fields by US; a segment starts with its kind: E/S (a range), V
// (versions), T (status), P (severity). Values containing control characters
// fall back to JSON (which then starts with `{`).
const RS = '\u001e';
const US = '\u001f';

interface StoredAffected {
  r?: Array<[string, Array<[string, string]>]>;
  v?: string[];
  s?: string;
  p?: string;
}

const CONTROL_CHAR = /[\u0000-\u001f]/;

function encodeAffectedJson(a: AffectedPackage): string {
  const o: StoredAffected = {};
  if (a.ranges.length)
    o.r = a.ranges.map((r) => [
      r.type === 'SEMVER' ? 'S' : 'E',
      r.events.map((ev) => {
        const [k, v] = Object.entries(ev)[0] as [string, string];
        return [KIND_TO_SHORT[k]!, v];
      }),
    ]);
  if (a.versions.length) o.v = a.versions;
  if (a.status) o.s = a.status;
  if (a.severity) o.p = a.severity;
  return JSON.stringify(o);
}

/**
 * Ecosystem and name live in the DB's package row, not in each affected entry.
 * One pass with string appends: this runs for every affected package of every
 * advisory (the import's hot loop), so no intermediate arrays per event.
 */
export function encodeAffected(a: AffectedPackage): string {
  let out = '';
  let first = true;
  for (const r of a.ranges) {
    let seg = r.type === 'SEMVER' ? 'S' : 'E';
    for (const ev of r.events) {
      // A range event has exactly one key (introduced, fixed, last_affected or limit).
      for (const k in ev) {
        const v = (ev as Record<string, string>)[k]!;
        if (CONTROL_CHAR.test(v)) return encodeAffectedJson(a);
        seg += `${US}${KIND_TO_SHORT[k]}${v}`;
        break;
      }
    }
    out = first ? seg : `${out}${RS}${seg}`;
    first = false;
  }
  if (a.versions.length) {
    let seg = 'V';
    for (const v of a.versions) {
      if (CONTROL_CHAR.test(v)) return encodeAffectedJson(a);
      seg += `${US}${v}`;
    }
    out = first ? seg : `${out}${RS}${seg}`;
    first = false;
  }
  if (a.status) {
    if (CONTROL_CHAR.test(a.status)) return encodeAffectedJson(a);
    out = first ? `T${a.status}` : `${out}${RS}T${a.status}`;
    first = false;
  }
  if (a.severity) {
    if (CONTROL_CHAR.test(a.severity)) return encodeAffectedJson(a);
    out = first ? `P${a.severity}` : `${out}${RS}P${a.severity}`;
  }
  return out;
}

export function decodeAffected(s: string, ecosystem: string, name: string): AffectedPackage {
  const out: AffectedPackage = { ecosystem, name, ranges: [], versions: [] };
  if (s.startsWith('{')) {
    const o = JSON.parse(s) as StoredAffected;
    out.ranges = (o.r ?? []).map(([t, evs]) => ({
      type: t === 'S' ? 'SEMVER' : 'ECOSYSTEM',
      events: evs.map(([k, v]) => ({ [SHORT_TO_KIND[k]!]: v }) as RangeEvent),
    }));
    out.versions = o.v ?? [];
    if (o.s) out.status = o.s as AffectedPackage['status'];
    if (o.p) out.severity = o.p;
    return out;
  }
  for (const seg of s ? s.split(RS) : []) {
    const kind = seg[0];
    if (kind === 'E' || kind === 'S') {
      const range: AffectedRange = { type: kind === 'S' ? 'SEMVER' : 'ECOSYSTEM', events: [] };
      for (const f of seg.split(US).slice(1)) range.events.push({ [SHORT_TO_KIND[f[0]!]!]: f.slice(1) } as RangeEvent);
      out.ranges.push(range);
    } else if (kind === 'V') out.versions = seg.split(US).slice(1);
    else if (kind === 'T') out.status = seg.slice(1) as AffectedPackage['status'];
    else if (kind === 'P') out.severity = seg.slice(1);
  }
  return out;
}
