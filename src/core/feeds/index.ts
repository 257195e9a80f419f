// The advisory feed index: `vigil db import` detects a document's format
// with it, `vigil db update` plans its downloads and takes its flags and
// `--sources` values from it. Adding a feed is one module here, its test and
// its row in docs/vulnerabilities.md.
import { InputError } from '../errors.js';
import { ModuleIndex } from '../module-index.js';
import type { Advisory, CveEnrichment } from '../vulndb/advisory.js';
import { alpineSecdbFeed } from './alpine-secdb.js';
import { debianTrackerFeed } from './debian-tracker.js';
import { nvdFeed } from './nvd.js';
import { osvFeed } from './osv.js';
import type { AdvisoryFeed, FeedUpdate } from './types.js';

export type { AdvisoryFeed, FeedDownload, FeedOption, FeedOptionValues, FeedUpdate } from './types.js';

/** In detection order: the most specific shape first. */
const DETECTION_ORDER: AdvisoryFeed[] = [osvFeed, nvdFeed, alpineSecdbFeed, debianTrackerFeed];

export const feeds = new ModuleIndex<AdvisoryFeed>('advisory feed', DETECTION_ORDER);

export interface Converted {
  /** The feed id of the detected format. */
  format: string;
  advisories: Advisory[];
  cves: CveEnrichment[];
}

export function detectFormat(doc: unknown): string | undefined {
  return DETECTION_ORDER.find((f) => f.detect(doc))?.id;
}

export function convertDocument(doc: unknown, where: string): Converted {
  const feed = DETECTION_ORDER.find((f) => f.detect(doc));
  if (!feed) throw new InputError('VULNDB_FORMAT', `unknown advisory format (expected ${DETECTION_ORDER.map((f) => f.title).join(', ')})`, where);
  return { format: feed.id, ...feed.convert(doc, where) };
}

/** Feeds `vigil db update` can download, by their `--sources` value. */
export function updateSources(): Map<string, FeedUpdate> {
  const out = new Map<string, FeedUpdate>();
  for (const f of DETECTION_ORDER) {
    if (!f.update) continue;
    if (out.has(f.update.source)) throw new Error(`duplicate feed source: ${f.update.source}`);
    out.set(f.update.source, f.update);
  }
  return out;
}
