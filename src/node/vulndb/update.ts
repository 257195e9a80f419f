// `vigil db update`: downloads the public advisory feeds (the feed modules of
// src/core/feeds say what: OSV per-ecosystem all.zip, the Debian security
// tracker JSON, Alpine secdb, threat-IP lists), verifies them
// (status, size limit, sha256 when a `.sha256` file is published, JSON/zip
// validity while importing) and builds a fresh DB that replaces the old one
// atomically. Any failure leaves the existing DB untouched. Every download
// goes through the outbound request guard (src/node/net/outbound.ts).
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { InputError, LimitError } from '../../core/errors.js';
import type { FeedOptionValues, FeedSet } from '../../core/feeds/index.js';
import type { ThreatIpEntry } from '../../core/rules/threat-ips.js';
import { OutboundGuard, parseAllowList } from '../net/outbound.js';
import { guardedGet } from '../net/guarded-get.js';
import { THREAT_IPS_MAX_BYTES } from '../rules/threat-ips.js';
import { advisoryFeeds } from './feeds.js';
import { DbWriter } from './db.js';
import { DEFAULT_IMPORT_LIMITS, importPaths, type ImportStats } from './import.js';

export { DEFAULT_OSV_URL, defaultOsvEcosystems } from '../../core/feeds/modules/osv.js';
export { DEFAULT_DEBIAN_TRACKER_URL } from '../../core/feeds/modules/debian-tracker.js';
export { DEFAULT_ALPINE_SECDB_URL, DEFAULT_ALPINE_BRANCHES } from '../../core/feeds/modules/alpine-secdb.js';

export interface UpdateOptions {
  dbPath: string;
  /** Which feeds, by their `--sources` value (src/core/feeds): `osv`, `debian`, `alpine`. Default all. */
  sources?: string[];
  /** Option values per source, keyed as the feed's options (`{ osv: { url, ecosystems } }`); the fields below are shorthands. */
  feedOptions?: Record<string, FeedOptionValues>;
  osvUrl?: string;
  osvEcosystems?: string[];
  debianTrackerUrl?: string;
  alpineSecdbUrl?: string;
  alpineBranches?: string[];
  /** Largest download accepted. */
  maxDownloadBytes?: number;
  /** Addresses / CIDR ranges the outbound guard lets through (`--outbound-allow`, VIGIL_OUTBOUND_ALLOW). */
  outboundAllow?: string | readonly string[];
  /** Idle timeout per request (no answer or data for this long). */
  timeoutMs?: number;
  now?: () => Date;
  log?: (line: string) => void;
}

export interface UpdateResult {
  downloads: Array<{ url: string; bytes: number; sha256: string; verified: boolean }>;
  stats: ImportStats;
  /** Threat-IP entries read from the threat-IP feeds. */
  threatIps?: number;
}

const OUTBOUND_HINT = 'allow it with --outbound-allow or VIGIL_OUTBOUND_ALLOW';

interface Download {
  url: string;
  file: string;
  /** A text threat-IP list feed: read by this into the DB's threat-IP table. */
  threatIps?: { source: string; read: (text: string, where: string) => ThreatIpEntry[] };
  /** A 404 is not an error (an Alpine branch without a community repo). */
  optional?: boolean;
}

function plan(o: UpdateOptions, dir: string, feeds: FeedSet): Download[] {
  const known = feeds.updateSources();
  const sources = o.sources?.length ? o.sources : [...known.keys()];
  for (const s of sources) if (!known.has(s)) throw new InputError('USAGE', `unknown source "${s}" (known: ${[...known.keys()].join(', ')})`);
  const shorthand: Record<string, FeedOptionValues> = {
    osv: { url: o.osvUrl, ecosystems: o.osvEcosystems },
    debian: { url: o.debianTrackerUrl },
    alpine: { url: o.alpineSecdbUrl, branches: o.alpineBranches },
  };
  const out: Download[] = [];
  for (const [source, feed] of known) {
    if (!sources.includes(source)) continue;
    const values = { ...shorthand[source], ...o.feedOptions?.[source] };
    const read = feeds.ordered.find((f) => f.update === feed)?.threatIps;
    for (const d of feed.plan(values))
      out.push({
        url: d.url,
        file: join(dir, basename(d.name)),
        ...(d.optional ? { optional: true } : {}),
        ...(read ? { threatIps: { source, read } } : {}),
      });
  }
  return out;
}

/** What a download needs: the guard every connection goes through, and the idle timeout. */
interface Net {
  guard: OutboundGuard;
  timeoutMs: number;
}

async function download(d: Download, max: number, net: Net): Promise<{ bytes: number; sha256: string } | undefined> {
  const res = await guardedGet(d.url, net);
  const status = res.statusCode ?? 0;
  if (status === 404 && d.optional) {
    res.resume();
    return undefined;
  }
  if (status < 200 || status >= 300) {
    res.resume();
    throw new InputError('DOWNLOAD_FAILED', `HTTP ${status}`, d.url);
  }
  const declared = Number(res.headers['content-length'] ?? NaN);
  if (declared > max) {
    res.destroy();
    throw new LimitError('LIMIT_DOWNLOAD_SIZE', `${declared} bytes, more than the limit of ${max}`, d.url);
  }
  const hash = createHash('sha256');
  const out = createWriteStream(d.file);
  // A write still pending when the download fails reports on the destroyed stream: kept, not thrown uncaught.
  let writeError: Error | undefined;
  out.on('error', (e) => (writeError ??= e));
  let bytes = 0;
  try {
    for await (const chunk of res as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      if (bytes > max) throw new LimitError('LIMIT_DOWNLOAD_SIZE', `more than the limit of ${max} bytes`, d.url);
      hash.update(chunk);
      if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
    }
  } catch (e) {
    out.destroy();
    res.destroy();
    if (e instanceof InputError) throw e;
    throw new InputError('DOWNLOAD_FAILED', `download interrupted (${e instanceof Error ? e.message : e})`, d.url);
  }
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  if (writeError) throw new InputError('DOWNLOAD_FAILED', `cannot write the download (${writeError.message})`, d.url);
  if (Number.isFinite(declared) && declared !== bytes) throw new InputError('DOWNLOAD_TRUNCATED', `got ${bytes} of ${declared} bytes`, d.url);
  return { bytes, sha256: hash.digest('hex') };
}

/** The published checksum (`<url>.sha256`, as `sha256sum` writes it), when the server has one. */
async function publishedSha256(url: string, net: Net): Promise<string | undefined> {
  const res = await guardedGet(`${url}.sha256`, net);
  const status = res.statusCode ?? 0;
  if (status < 200 || status >= 300) {
    res.resume();
    return undefined;
  }
  // Only the start is read: a sum is 64 characters.
  let text = '';
  try {
    for await (const chunk of res as AsyncIterable<Buffer>) {
      text += chunk.toString('latin1');
      if (text.length >= 4096) break;
    }
  } catch (e) {
    throw new InputError('DOWNLOAD_FAILED', `download interrupted (${e instanceof Error ? e.message : e})`, `${url}.sha256`);
  } finally {
    res.destroy();
  }
  const m = /^([0-9a-f]{64})\b/i.exec(text.slice(0, 4096).trim());
  if (!m) throw new InputError('DOWNLOAD_CHECKSUM', 'published checksum file is not a sha256 sum', `${url}.sha256`);
  return m[1]!.toLowerCase();
}

export async function updateDb(o: UpdateOptions): Promise<UpdateResult> {
  const log = o.log ?? (() => {});
  const max = o.maxDownloadBytes ?? 4 * 1024 ** 3;
  // Feed URLs are options: loopback, private and metadata addresses are refused unless allowlisted, as for the server's connections.
  const net: Net = {
    guard: new OutboundGuard({ allow: parseAllowList(o.outboundAllow ?? [], 'outbound allowlist'), allowHint: OUTBOUND_HINT }),
    timeoutMs: o.timeoutMs ?? 10 * 60_000,
  };
  mkdirSync(dirname(o.dbPath), { recursive: true });
  const dir = join(dirname(o.dbPath), `.vigil-download-${process.pid}-${randomBytes(4).toString('hex')}`);
  mkdirSync(dir);
  const result: UpdateResult = { downloads: [], stats: { files: 0, advisories: 0, withdrawn: 0, cves: 0, formats: {} } };
  try {
    const files: Download[] = [];
    for (const d of plan(o, dir, await advisoryFeeds())) {
      log(`downloading ${d.url}`);
      const got = await download(d, max, net);
      if (!got) continue;
      const sum = await publishedSha256(d.url, net);
      if (sum && sum !== got.sha256) throw new InputError('DOWNLOAD_CHECKSUM', `sha256 ${got.sha256} does not match the published ${sum}`, d.url);
      result.downloads.push({ url: d.url, bytes: got.bytes, sha256: got.sha256, verified: !!sum });
      files.push(d);
    }
    const writer = DbWriter.open(o.dbPath, { fresh: true, ...(o.now ? { now: o.now } : {}) });
    try {
      for (let i = 0; i < files.length; i++) {
        log(`importing ${result.downloads[i]!.url}`);
        const t = files[i]!.threatIps;
        if (t) {
          if (result.downloads[i]!.bytes > THREAT_IPS_MAX_BYTES)
            throw new LimitError('LIMIT_THREAT_IPS_SIZE', `larger than ${THREAT_IPS_MAX_BYTES} bytes`, files[i]!.url);
          const entries = t.read(await readFile(files[i]!.file, 'utf8'), files[i]!.url);
          for (const e of entries) writer.putThreatIp(t.source, files[i]!.url, e);
          result.stats.files++;
          result.stats.formats[t.source] = (result.stats.formats[t.source] ?? 0) + 1;
          result.threatIps = (result.threatIps ?? 0) + entries.length;
          continue;
        }
        const s = await importPaths(writer, [files[i]!.file], DEFAULT_IMPORT_LIMITS);
        result.stats.files += s.files;
        result.stats.advisories += s.advisories;
        result.stats.withdrawn += s.withdrawn;
        result.stats.cves += s.cves;
        for (const [k, v] of Object.entries(s.formats)) result.stats.formats[k] = (result.stats.formats[k] ?? 0) + v;
      }
      // Record the URL as each source's origin (import recorded the temp file).
      for (const src of writer.touchedSources)
        writer.noteSource(
          src,
          originFor(
            src,
            result.downloads.map((x) => x.url),
          ),
        );
      writer.commit();
    } catch (e) {
      writer.abort();
      throw e;
    }
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function originFor(source: string, urls: string[]): string {
  const hit = urls.find((u) => u.toLowerCase().includes(source === 'ghsa' ? '/npm/' : source));
  return hit ?? urls.join(' ');
}
