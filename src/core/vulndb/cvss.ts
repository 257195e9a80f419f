// CVSS base scores from vectors (v2 and v3.x, by the FIRST specifications) and
// the score -> severity bands. CVSS v4 vectors are kept as published; their
// score comes from the source (NVD) because v4 scoring needs FIRST's lookup tables.
import type { CvssScore } from '../scan/types.js';

const V3 = {
  AV: { N: 0.85, A: 0.62, L: 0.55, P: 0.2 },
  AC: { L: 0.77, H: 0.44 },
  UI: { N: 0.85, R: 0.62 },
  CIA: { H: 0.56, L: 0.22, N: 0 },
} as const;

function parseVector(v: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const part of v.split('/')) {
    const i = part.indexOf(':');
    if (i > 0) m.set(part.slice(0, i), part.slice(i + 1));
  }
  return m;
}

/** CVSS 3.1 Roundup (also used for 3.0: the results differ only in float noise). */
function roundUp(x: number): number {
  const i = Math.round(x * 100000);
  return i % 10000 === 0 ? i / 100000 : (Math.floor(i / 10000) + 1) / 10;
}

export function cvss3Score(vector: string): number | undefined {
  const m = parseVector(vector);
  const av = V3.AV[m.get('AV') as keyof typeof V3.AV];
  const ac = V3.AC[m.get('AC') as keyof typeof V3.AC];
  const ui = V3.UI[m.get('UI') as keyof typeof V3.UI];
  const s = m.get('S');
  const c = V3.CIA[m.get('C') as keyof typeof V3.CIA];
  const i = V3.CIA[m.get('I') as keyof typeof V3.CIA];
  const a = V3.CIA[m.get('A') as keyof typeof V3.CIA];
  const prRaw = m.get('PR');
  if ([av, ac, ui, c, i, a].some((x) => x === undefined) || (s !== 'U' && s !== 'C') || !prRaw) return undefined;
  const changed = s === 'C';
  const pr = prRaw === 'N' ? 0.85 : prRaw === 'L' ? (changed ? 0.68 : 0.62) : prRaw === 'H' ? (changed ? 0.5 : 0.27) : undefined;
  if (pr === undefined) return undefined;
  const iss = 1 - (1 - c!) * (1 - i!) * (1 - a!);
  const impact = changed ? 7.52 * (iss - 0.029) - 3.25 * Math.pow(iss - 0.02, 15) : 6.42 * iss;
  const exploitability = 8.22 * av! * ac! * pr * ui!;
  if (impact <= 0) return 0;
  return changed ? roundUp(Math.min(1.08 * (impact + exploitability), 10)) : roundUp(Math.min(impact + exploitability, 10));
}

export function cvss2Score(vector: string): number | undefined {
  const m = parseVector(vector.replace(/^\(|\)$/g, ''));
  const av = ({ L: 0.395, A: 0.646, N: 1.0 } as Record<string, number>)[m.get('AV') ?? ''];
  const ac = ({ H: 0.35, M: 0.61, L: 0.71 } as Record<string, number>)[m.get('AC') ?? ''];
  const au = ({ M: 0.45, S: 0.56, N: 0.704 } as Record<string, number>)[m.get('Au') ?? ''];
  const cia = { N: 0, P: 0.275, C: 0.66 } as Record<string, number>;
  const c = cia[m.get('C') ?? ''];
  const i = cia[m.get('I') ?? ''];
  const a = cia[m.get('A') ?? ''];
  if ([av, ac, au, c, i, a].some((x) => x === undefined)) return undefined;
  const impact = 10.41 * (1 - (1 - c!) * (1 - i!) * (1 - a!));
  const exploitability = 20 * av! * ac! * au!;
  const f = impact === 0 ? 0 : 1.176;
  return Math.round((0.6 * impact + 0.4 * exploitability - 1.5) * f * 10) / 10;
}

/** A CVSS entry from an OSV severity item (`CVSS_V3` + vector); undefined when the vector is not CVSS. */
export function cvssFromVector(type: string, vector: string, knownScore?: number): CvssScore | undefined {
  const v = vector.trim();
  if (type === 'CVSS_V4' || v.startsWith('CVSS:4')) return { vector: v, version: '4.0', score: knownScore ?? 0 };
  const m = /^CVSS:(3\.[01])\//.exec(v);
  if (m || type === 'CVSS_V3') {
    const score = cvss3Score(v);
    if (score === undefined && knownScore === undefined) return undefined;
    return { vector: v, version: m?.[1] ?? '3.1', score: knownScore ?? score ?? 0 };
  }
  if (type === 'CVSS_V2' || /(^|\/)AV:[LAN]\/AC:[HML]\/Au:/.test(v)) {
    const score = cvss2Score(v);
    if (score === undefined && knownScore === undefined) return undefined;
    return { vector: v, version: '2.0', score: knownScore ?? score ?? 0 };
  }
  return undefined;
}

/** Severity band of a score (v3/v4 bands; v2 has no critical). */
export function severityOfScore(score: number, version: string): 'critical' | 'high' | 'medium' | 'low' | 'info' {
  if (version.startsWith('2')) return score >= 7 ? 'high' : score >= 4 ? 'medium' : 'low';
  if (score >= 9) return 'critical';
  if (score >= 7) return 'high';
  if (score >= 4) return 'medium';
  if (score > 0) return 'low';
  return 'info';
}
