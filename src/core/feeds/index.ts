// The advisory feed set: `vigil db import` detects a document's format with
// it, `vigil db update` plans its downloads and takes its flags and
// `--sources` values from it. The feeds themselves are the modules in
// src/core/feeds/modules/ (one file each, loaded by src/node/vulndb/feeds.ts):
// adding a feed is that one module, its test and its row in
// docs/vulnerabilities.md.
import { InputError } from '../errors.js';
import { hasMembers } from '../module-index.js';
import type { Advisory, CveEnrichment } from '../vulndb/advisory.js';
import type { AdvisoryFeed, FeedUpdate } from './types.js';

export type { AdvisoryFeed, FeedDownload, FeedOption, FeedOptionValues, FeedUpdate } from './types.js';

export interface Converted {
  /** The feed id of the detected format. */
  format: string;
  advisories: Advisory[];
  cves: CveEnrichment[];
}

export function isAdvisoryFeed(m: unknown): m is AdvisoryFeed {
  return hasMembers(m, { id: 'string', title: 'string', detectOrder: 'number', detect: 'function', convert: 'function' });
}

export class FeedSet {
  /** In detection order: the most specific shape first. */
  readonly ordered: readonly AdvisoryFeed[];
  constructor(feeds: readonly AdvisoryFeed[]) {
    this.ordered = [...feeds].sort((a, b) => a.detectOrder - b.detectOrder || (a.id < b.id ? -1 : 1));
  }

  /** The first feed, in detection order, that recognises the document. */
  detect(doc: unknown): AdvisoryFeed | undefined {
    return this.ordered.find((f) => f.detect(doc));
  }

  detectFormat(doc: unknown): string | undefined {
    return this.detect(doc)?.id;
  }

  convertDocument(doc: unknown, where: string): Converted {
    const feed = this.detect(doc);
    if (!feed) throw new InputError('VULNDB_FORMAT', `unknown advisory format (expected ${this.ordered.map((f) => f.title).join(', ')})`, where);
    return { format: feed.id, ...feed.convert(doc, where) };
  }

  /** Feeds `vigil db update` can download, by their `--sources` value. */
  updateSources(): Map<string, FeedUpdate> {
    const out = new Map<string, FeedUpdate>();
    for (const f of this.ordered) {
      if (!f.update) continue;
      if (out.has(f.update.source)) throw new Error(`duplicate feed source: ${f.update.source}`);
      out.set(f.update.source, f.update);
    }
    return out;
  }
}
