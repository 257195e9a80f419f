// The advisory feed contract: one module per feed (a document format Vigil
// imports, and where `vigil db update` downloads it from), registered in
// ./index.ts. Format detection for `vigil db import`, the importer, the
// download plan and the `db update` flags all come from the module.
import type { Advisory, CveEnrichment } from '../vulndb/advisory.js';
import type { ThreatIpEntry } from '../rules/threat-ips.js';

/** One file `vigil db update` downloads. */
export interface FeedDownload {
  url: string;
  /** File name in the download directory (no path separators). */
  name: string;
  /** A 404 is not an error (an Alpine branch without a community repo). */
  optional?: boolean;
}

/** A `vigil db update` flag of a feed: `--osv-url <url>`, `--alpine-branches <list>`. */
export interface FeedOption {
  /** Key in the feed's option values: `url`, `ecosystems`, `branches`. */
  key: string;
  /** The commander flag, e.g. `--osv-url <url>`. */
  flag: string;
  help: string;
  /** A comma-separated list. */
  list?: boolean;
  /** Environment variable read when the flag is not given. */
  env?: string;
}

export type FeedOptionValues = Record<string, string | string[] | undefined>;

export interface FeedUpdate {
  /** The `--sources` value: `osv`, `debian`, `alpine`. */
  source: string;
  /** One line for `--sources` help: what it downloads. */
  help: string;
  options: readonly FeedOption[];
  /** What to download, from the option values (defaults when absent). */
  plan(values: FeedOptionValues): FeedDownload[];
}

export interface AdvisoryFeed {
  /** Stable id, also the format name in import statistics: `osv`, `debian-tracker`. */
  readonly id: string;
  readonly version: number;
  /** Detection order, lowest first: a feed whose documents are the most specific shape comes first. */
  readonly detectOrder: number;
  /** Human name of the format for errors and docs. */
  readonly title: string;
  /** Whether a parsed JSON document is in this feed's format. */
  detect(doc: unknown): boolean;
  /** Advisories and CVE enrichments of a document; InputError naming `where` when broken. */
  convert(doc: unknown, where: string): { advisories: Advisory[]; cves: CveEnrichment[] };
  /** Absent for import-only formats. */
  readonly update?: FeedUpdate;
  /**
   * A text threat-IP list feed (not an advisory format: `detect` is false):
   * its downloads are read by this and stored in the DB's threat-IP table.
   */
  readonly threatIps?: (text: string, where: string) => ThreatIpEntry[];
}

export const trimUrl = (u: string): string => u.replace(/\/+$/, '');

/** A feed's `url` option: the flag (`--osv-url <url>`), its help and the environment variable read when it is not given. */
export const urlOption = (flag: string, help: string, env: string): FeedOption => ({ key: 'url', flag, help, env });

/** A comma-separated list option of a feed. */
export const listOption = (key: string, flag: string, help: string): FeedOption => ({ key, flag, help, list: true });
export const asList = (v: string | string[] | undefined): string[] | undefined =>
  v === undefined
    ? undefined
    : Array.isArray(v)
      ? v
      : v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
export const asString = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);

/** The base URL a plan downloads below: the `url` option or `def`, without trailing slashes. */
export const baseUrl = (v: FeedOptionValues, def: string): string => trimUrl(asString(v.url) ?? def);
