// OpenVEX (v0.2.0, and the older v0.0.x string forms): statements about a
// vulnerability in products. `not_affected` and `fixed` statements ignore the
// matching findings with the justification as the reason; `affected` and
// `under_investigation` ignore nothing. The latest statement wins.
import { InputError } from '../errors.js';
import type { VulnerabilityFinding } from '../scan/types.js';
import { parsePurl, purlMatches } from '../inventory/purl.js';

export interface VexStatement {
  vulnerability: string[];
  products: Array<{ id: string; subcomponents: string[] }>;
  /** Statement-level subcomponents (OpenVEX v0.0.x). */
  subcomponents: string[];
  status: string;
  justification?: string;
  impact?: string;
  time: number;
  order: number;
}

const STATUSES = new Set(['not_affected', 'affected', 'fixed', 'under_investigation']);
const MAX_STATEMENTS = 100_000;

type Json = Record<string, unknown>;
const isObj = (x: unknown): x is Json => typeof x === 'object' && x !== null && !Array.isArray(x);
const str = (x: unknown): string | undefined => (typeof x === 'string' && x ? x : undefined);

function productId(p: unknown): string | undefined {
  if (typeof p === 'string') return p;
  if (!isObj(p)) return undefined;
  const ids = isObj(p.identifiers) ? p.identifiers : {};
  return str(p['@id']) ?? str(ids.purl);
}

export function parseOpenVex(doc: unknown, where: string): VexStatement[] {
  if (!isObj(doc) || !Array.isArray(doc.statements)) throw new InputError('VEX_INVALID', 'not an OpenVEX document (needs "statements")', where);
  const ctx = str(doc['@context']) ?? '';
  if (ctx && !ctx.includes('openvex')) throw new InputError('VEX_INVALID', `unsupported VEX context "${ctx.slice(0, 80)}" (OpenVEX expected)`, where);
  if (doc.statements.length > MAX_STATEMENTS) throw new InputError('VEX_INVALID', `more than ${MAX_STATEMENTS} statements`, where);
  const docTime = Date.parse(str(doc.timestamp) ?? '') || 0;
  return doc.statements.map((s, i) => {
    const w = `${where}: statement ${i + 1}`;
    if (!isObj(s)) throw new InputError('VEX_INVALID', 'statement is not an object', w);
    const v = s.vulnerability;
    const names =
      typeof v === 'string'
        ? [v]
        : isObj(v)
          ? [str(v.name), str(v['@id']), ...(Array.isArray(v.aliases) ? v.aliases.map(str) : [])].filter((x): x is string => !!x)
          : [];
    if (!names.length) throw new InputError('VEX_INVALID', 'statement without a vulnerability name', w);
    const status = str(s.status);
    if (!status || !STATUSES.has(status)) throw new InputError('VEX_INVALID', `unknown status "${String(s.status).slice(0, 40)}"`, w);
    if (!Array.isArray(s.products) || s.products.length === 0) throw new InputError('VEX_INVALID', 'statement without products', w);
    const products = s.products.map((p) => {
      const id = productId(p);
      if (!id) throw new InputError('VEX_INVALID', 'product without an @id or purl', w);
      const subs = isObj(p) && Array.isArray(p.subcomponents) ? p.subcomponents.map(productId).filter((x): x is string => !!x) : [];
      return { id, subcomponents: subs };
    });
    const subcomponents = Array.isArray(s.subcomponents) ? s.subcomponents.map(productId).filter((x): x is string => !!x) : [];
    const time = Date.parse(str(s.timestamp) ?? '') || docTime;
    return {
      vulnerability: names,
      products,
      subcomponents,
      status,
      ...(str(s.justification) ? { justification: str(s.justification) } : {}),
      ...((str(s.impact_statement) ?? str(s.status_notes)) ? { impact: str(s.impact_statement) ?? str(s.status_notes) } : {}),
      time,
      order: i,
    };
  });
}

/** Normalises an image reference: no transport prefix, no default registry, lower-case. */
export function normaliseImageRef(ref: string): string {
  let r = ref.trim().replace(/^(registry|docker|docker-archive|oci|oci-archive|rootfs|containerd):(\/\/)?/, '');
  r = r.replace(/^(docker\.io|index\.docker\.io|registry-1\.docker\.io)\/(library\/)?/, '');
  return r.toLowerCase();
}

function imageMatches(productId: string, artifactName: string | undefined, artifactDigest: string | undefined): boolean {
  const pp = parsePurl(productId);
  if (pp && pp.type === 'oci') {
    if (artifactDigest && pp.version && pp.version.toLowerCase() === artifactDigest.toLowerCase()) return true;
    if (!artifactName) return false;
    const repo = pp.qualifiers.repository_url ? normaliseImageRef(pp.qualifiers.repository_url) : pp.name.toLowerCase();
    const art = normaliseImageRef(artifactName).replace(/[:@][^/]*$/, '');
    return art === repo || art.endsWith(`/${repo}`) || repo.endsWith(`/${art}`);
  }
  if (pp) return false;
  if (artifactDigest && productId.endsWith(`@${artifactDigest}`)) return true;
  if (!artifactName) return false;
  const a = normaliseImageRef(artifactName);
  const p = normaliseImageRef(productId);
  return a === p || a === `${p}:latest` || p === `${a}:latest`;
}

function statementApplies(s: VexStatement, f: VulnerabilityFinding, artifactName?: string, artifactDigest?: string): boolean {
  const ids = new Set([f.id, ...f.aliases]);
  if (!s.vulnerability.some((v) => ids.has(v))) return false;
  for (const p of s.products) {
    if (purlMatches(p.id, f.purl)) return true;
    if (imageMatches(p.id, artifactName, artifactDigest)) {
      const subs = [...p.subcomponents, ...s.subcomponents];
      if (subs.length === 0 || subs.some((x) => purlMatches(x, f.purl))) return true;
    }
  }
  return false;
}

/** Applies VEX statements in place; returns the number of findings ignored. */
export function applyVex(findings: VulnerabilityFinding[], statements: VexStatement[], artifactName?: string, artifactDigest?: string): number {
  const ordered = [...statements].sort((a, b) => a.time - b.time || a.order - b.order);
  let n = 0;
  for (const f of findings) {
    if (f.ignored) continue;
    let last: VexStatement | undefined;
    for (const s of ordered) if (statementApplies(s, f, artifactName, artifactDigest)) last = s;
    if (!last || (last.status !== 'not_affected' && last.status !== 'fixed')) continue;
    f.ignored = true;
    const why = last.justification ?? last.impact ?? '';
    f.ignoreReason = `VEX ${last.status}${why ? `: ${why}` : ''}`;
    n++;
  }
  return n;
}
