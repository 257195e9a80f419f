// Image facts for admission: what scans found about an image, looked up by
// the reference a pod or `docker run` names. Keys are the normalised
// `registry/repository:tag` and the digest, so `nginx:1.25`,
// `docker.io/library/nginx:1.25` and `...@sha256:...` meet the same entry.
// Built from the server's answers (src/node/admission/facts-client.ts), from
// a facts file, or from `vigil scan --format json` reports.
import { InputError } from '../errors.js';
import type { ScanReport } from '../scan/types.js';
import type { ImageFacts } from './decide.js';
import { parseImageRef, tryParseImageRef, type ImageRef } from './image-ref.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

export class FactsTable {
  private readonly byKey = new Map<string, ImageFacts>();

  get size(): number {
    return this.byKey.size;
  }

  set(ref: string, facts: ImageFacts, where = 'facts'): void {
    const r = parseImageRef(ref, where);
    this.byKey.set(r.digest ? r.digest : `${r.name}:${r.tag}`, facts);
    if (facts.digest) this.byKey.set(facts.digest, facts);
  }

  get(ref: ImageRef): ImageFacts | undefined {
    return (ref.digest ? this.byKey.get(ref.digest) : undefined) ?? (ref.tag ? this.byKey.get(`${ref.name}:${ref.tag}`) : undefined);
  }
}

const SEVERITY_KEYS = ['critical', 'high', 'criticalFixable', 'highFixable'] as const;

/** Validate one facts entry (from a file or the server). */
export function validateImageFacts(v: unknown, where: string): ImageFacts {
  if (!isObj(v)) throw new InputError('FACTS_INVALID', 'must be a mapping', where);
  for (const k of Object.keys(v))
    if (!['scanned', 'scannedAt', 'digest', 'vulnerabilities', 'malware', 'secrets'].includes(k))
      throw new InputError('FACTS_INVALID', `unknown field ${k}`, where);
  if (typeof v.scanned !== 'boolean') throw new InputError('FACTS_INVALID', 'scanned must be true or false', `${where}.scanned`);
  const f: ImageFacts = { scanned: v.scanned };
  if (v.scannedAt !== undefined) {
    if (typeof v.scannedAt !== 'string' || !Number.isFinite(Date.parse(v.scannedAt)))
      throw new InputError('FACTS_INVALID', 'must be an ISO time', `${where}.scannedAt`);
    f.scannedAt = v.scannedAt;
  }
  if (v.digest !== undefined && v.digest !== '') {
    if (typeof v.digest !== 'string' || !/^sha256:[0-9a-f]{64}$/.test(v.digest))
      throw new InputError('FACTS_INVALID', 'must be sha256:<64 hex>', `${where}.digest`);
    f.digest = v.digest;
  }
  if (v.vulnerabilities !== undefined) {
    const vv = v.vulnerabilities;
    if (!isObj(vv)) throw new InputError('FACTS_INVALID', 'must be a mapping', `${where}.vulnerabilities`);
    const out = { critical: 0, high: 0, criticalFixable: 0, highFixable: 0 };
    for (const k of SEVERITY_KEYS) {
      const n = vv[k] ?? 0;
      if (!Number.isInteger(n) || (n as number) < 0) throw new InputError('FACTS_INVALID', 'must be a whole number', `${where}.vulnerabilities.${k}`);
      out[k] = n as number;
    }
    f.vulnerabilities = out;
  }
  for (const k of ['malware', 'secrets'] as const) {
    const n = v[k];
    if (n === undefined) continue;
    if (!Number.isInteger(n) || (n as number) < 0) throw new InputError('FACTS_INVALID', 'must be a whole number', `${where}.${k}`);
    f[k] = n as number;
  }
  return f;
}

/** A facts file: `{images: {"REF": {scanned, scannedAt, vulnerabilities: {...}, malware, secrets}}}`. */
export function factsFromDocument(doc: unknown, file: string, into = new FactsTable()): FactsTable {
  if (!isObj(doc) || !isObj(doc.images)) throw new InputError('FACTS_INVALID', 'must be a mapping with an "images" mapping', file);
  const entries = Object.entries(doc.images);
  if (entries.length > 100_000) throw new InputError('FACTS_INVALID', 'more than 100000 images', file);
  for (const [ref, v] of entries) into.set(ref, validateImageFacts(v, `${file}: images.${ref.slice(0, 200)}`), `${file}: images.${ref.slice(0, 200)}`);
  return into;
}

/** Facts of a `vigil scan --format json` report, filed under its repo tags and digests. */
export function factsFromScanReport(report: ScanReport, scannedAt: string, file: string, into = new FactsTable()): FactsTable {
  if (!isObj(report) || !isObj(report.artifact) || !Array.isArray(report.vulnerabilities))
    throw new InputError('FACTS_INVALID', 'not a vigil scan JSON report', file);
  const v = { critical: 0, high: 0, criticalFixable: 0, highFixable: 0 };
  for (const x of report.vulnerabilities) {
    if (!isObj(x) || x.ignored) continue;
    const fixable = typeof x.fixedVersion === 'string' && x.fixedVersion !== '';
    if (x.severity === 'critical') {
      v.critical++;
      if (fixable) v.criticalFixable++;
    }
    if (x.severity === 'high') {
      v.high++;
      if (fixable) v.highFixable++;
    }
  }
  const facts: ImageFacts = { scanned: true, scannedAt, vulnerabilities: v };
  if (Array.isArray(report.malware)) facts.malware = report.malware.length;
  if (Array.isArray(report.secrets)) facts.secrets = report.secrets.length;
  const names = [...(report.artifact.repoTags ?? []), ...(report.artifact.repoDigests ?? [])].filter((n) => tryParseImageRef(n));
  if (!names.length && tryParseImageRef(report.artifact.name)) names.push(report.artifact.name);
  if (!names.length) throw new InputError('FACTS_INVALID', 'the report names no image reference (repoTags / repoDigests)', file);
  for (const n of names) into.set(n, facts, file);
  return into;
}
