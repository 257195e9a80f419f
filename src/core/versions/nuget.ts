// NuGet package versions, ordered as NuGet.Versioning's VersionComparer.Default:
// up to four numeric parts (`1.2.3.4`; missing parts are 0, so `1.0` equals
// `1.0.0.0`), then SemVer 2.0 pre-release labels compared label by label
// (numeric labels numerically and before alphanumeric ones, alphanumeric ones
// case-insensitively; a release sorts after its pre-releases), build metadata
// ignored. Invalid versions sort before valid ones.
import { compareDigits, compareNumbered, sign, type VersionComparator } from './types.js';

interface NuGetVersion {
  nums: string[];
  pre: string[];
}

const RE = /^[vV]?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;

export function parseNuGetVersion(v: string): NuGetVersion | undefined {
  if (v.length > 256) return undefined;
  const m = RE.exec(v.trim());
  if (!m) return undefined;
  // Leading zeros are accepted in the numeric parts (legacy NuGet versions) and compare as numbers.
  const nums = [m[1], m[2], m[3], m[4]].map((x) => (x ?? '0').replace(/^0+(?=\d)/, ''));
  return { nums, pre: m[5] ? m[5].split('.') : [] };
}

export function compareNuGetVersions(a: string, b: string): number {
  return compareNumbered(parseNuGetVersion(a), parseNuGetVersion(b), comparePre);
}

function comparePre(x: NuGetVersion, y: NuGetVersion): number {
  if (x.pre.length === 0 || y.pre.length === 0) return x.pre.length === y.pre.length ? 0 : x.pre.length === 0 ? 1 : -1;
  for (let i = 0; i < Math.min(x.pre.length, y.pre.length); i++) {
    const p = x.pre[i]!;
    const q = y.pre[i]!;
    const pn = /^\d+$/.test(p);
    const qn = /^\d+$/.test(q);
    if (pn && qn) {
      const d = compareDigits(p, q);
      if (d) return d;
      continue;
    }
    if (pn !== qn) return pn ? -1 : 1;
    const pl = p.toLowerCase();
    const ql = q.toLowerCase();
    if (pl !== ql) return pl < ql ? -1 : 1;
  }
  return sign(x.pre.length - y.pre.length);
}

export const nugetComparator: VersionComparator = {
  id: 'nuget',
  version: 1,
  compare: compareNuGetVersions,
  valid: (v) => parseNuGetVersion(v) !== undefined,
};
