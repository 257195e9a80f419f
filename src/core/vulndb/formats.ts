// Detects the format of one parsed advisory document, so `vigil db import`
// takes any mix of files: OSV records (single or arrays), the Debian security
// tracker JSON, Alpine secdb, NVD CVE API 2.0 pages.
import { InputError } from '../errors.js';
import type { Advisory, CveEnrichment } from './advisory.js';
import { convertAlpineSecdb, isAlpineSecdb } from './alpine-secdb.js';
import { convertDebianTracker, isDebianTracker } from './debian-tracker.js';
import { convertNvd, isNvd } from './nvd.js';
import { parseOsv } from './osv.js';

export type AdvisoryFormat = 'osv' | 'nvd' | 'alpine-secdb' | 'debian-tracker';

export interface Converted {
  format: AdvisoryFormat;
  advisories: Advisory[];
  cves: CveEnrichment[];
}

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

export function detectFormat(doc: unknown): AdvisoryFormat | undefined {
  if (Array.isArray(doc)) return doc.length === 0 || (isObj(doc[0]) && typeof doc[0].id === 'string') ? 'osv' : undefined;
  if (!isObj(doc)) return undefined;
  if (typeof doc.id === 'string' && ('affected' in doc || 'modified' in doc || 'schema_version' in doc)) return 'osv';
  if (isNvd(doc)) return 'nvd';
  if (isAlpineSecdb(doc)) return 'alpine-secdb';
  if (isDebianTracker(doc)) return 'debian-tracker';
  return undefined;
}

export function convertDocument(doc: unknown, where: string): Converted {
  const format = detectFormat(doc);
  switch (format) {
    case 'osv': {
      const list = Array.isArray(doc) ? doc : [doc];
      return { format, advisories: list.map((d, i) => parseOsv(d, Array.isArray(doc) ? `${where}[${i}]` : where)), cves: [] };
    }
    case 'nvd':
      return { format, advisories: [], cves: convertNvd(doc, where) };
    case 'alpine-secdb':
      return { format, advisories: convertAlpineSecdb(doc, where), cves: [] };
    case 'debian-tracker':
      return { format, advisories: convertDebianTracker(doc, where), cves: [] };
    default:
      throw new InputError('VULNDB_FORMAT', 'unknown advisory format (expected OSV JSON, Debian security tracker JSON, Alpine secdb JSON or NVD CVE API 2.0 JSON)', where);
  }
}
