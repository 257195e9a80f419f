// The image pipeline: read every layer once (two at a time, merged bottom to
// top in order), buffer only what analyzers require, build the squashed
// FileTree, then run the OS analyzers and the package analyzers on it.
// Per-layer results can come from / go to a LayerCache.
import type { Analyzer, AnalyzerContext, AnalyzerFile, AnalyzerInput } from '../analyzers/types.js';
import { ClaimIndex, entryFilter } from '../analyzers/claims.js';
import { ANALYZER_MANIFEST } from '../analyzers/manifest.js';
import { mergeNpmPackages } from '../analyzers/js-lock.js';
import { LimitError } from '../errors.js';
import { contentSink, type ContentRecord, type ContentScanner } from './content.js';
import { SquashedTree } from './file-tree.js';
import { fromLayerScan, layerCacheKey, toLayerScan, type LayerCache, type LayerScanData } from './layer-scan.js';

export { MemoryLayerCache, layerCacheKey, type LayerCache, type LayerScan } from './layer-scan.js';
import { resolveLimits } from './limits.js';
import { loadTarReader, scanLayerEntries, scanTarLayer, layerError, type ByteBudget, type Reducer, type Spill } from './tar-layer.js';
import type { Image, ImageConfig, Layer, ReadLimits } from './types.js';
import type { FileEntry, LayerRef, Notice, OsInfo, Package } from '../inventory/types.js';

export interface AnalyzeProgress {
  /** Index of the layer being read (the last one that got bytes). */
  layer: number;
  layers: number;
  /** Stored (compressed) bytes read so far, all layers. */
  bytes: number;
  /** Sum of the layers' stored sizes, when every source layer knows its size. */
  totalBytes?: number;
  done?: boolean;
}

export interface AnalyzeOptions {
  limits?: Partial<ReadLimits>;
  ctx?: AnalyzerContext;
  onProgress?: (p: AnalyzeProgress) => void;
  layerCache?: LayerCache;
  /** Layers read at the same time (default 2). */
  concurrency?: number;
  signal?: AbortSignal;
  /** Scanners that see regular files' bytes as layers stream by (content.ts). */
  contentScanners?: ContentScanner[];
  /** Hash every regular file (FileEntry.sha256 in the tree). */
  hashFiles?: boolean;
  /** Where tar layers' large reduced files stream (see Spill); absent: buffered whole. */
  spill?: () => Spill;
  /**
   * Nothing but the analyzers reads the result's `tree` (no image check, no
   * unowned-files report): a layer the source walks itself (rootfs) may then
   * leave out the regular files no analyzer may claim (claims.ts,
   * entryFilter), so the tree holds directories, symlinks and those files.
   * Ignored with content scanners or hashing.
   */
  analyzersOnly?: boolean;
}

export interface ImageAnalysis {
  os?: OsInfo;
  packages: Package[];
  /** What the analyzers could not read (an unreadable package database). */
  notices: Notice[];
  tree: SquashedTree;
  layers: LayerRef[];
  config: ImageConfig;
  /** Content scanners' observations, every layer, bottom first (empty without content scanners). */
  content: ContentRecord[];
}

function shortDigest(d: string): string {
  const i = d.indexOf(':');
  return i >= 0 && d.length > i + 13 ? d.slice(0, i + 13) : d;
}

export function layerWhere(image: Image, layer: Layer): string {
  // A root filesystem has one synthetic layer: its name says all.
  if (image.type === 'rootfs') return image.name;
  return `${image.name} layer ${layer.ref.index} (${shortDigest(layer.ref.digest)})`;
}

/** Run `start(i)` for i in 0..n-1 with at most `width` in flight; `apply` sees results strictly in order. */
async function orderedPool<T>(n: number, width: number, start: (i: number) => Promise<T>, apply: (i: number, v: T) => void): Promise<void> {
  if (n === 0) return;
  await new Promise<void>((resolve, reject) => {
    const results = new Map<number, T>();
    let next = 0; // next to apply
    let launched = 0;
    let failed = false;
    const launch = (): void => {
      while (!failed && launched < n && launched < next + width) {
        const i = launched++;
        start(i).then(
          (v) => {
            if (failed) return;
            results.set(i, v);
            try {
              while (results.has(next)) {
                const r = results.get(next)!;
                results.delete(next);
                apply(next, r);
                next++;
              }
            } catch (e) {
              failed = true;
              reject(e);
              return;
            }
            if (next === n) resolve();
            else launch();
          },
          (e) => {
            if (failed) return;
            failed = true;
            reject(e);
          },
        );
      }
    };
    launch();
  });
}

/** Merged view of every layer: the tree, and each required path's versions. */
class Merger {
  readonly tree: SquashedTree;
  /** Buffered versions of required regular files, bottom layer first, since the path was last deleted. */
  readonly versions = new Map<string, AnalyzerFile[]>();
  /** Every path an analyzer required in some layer (files, hard links, symlinks). */
  readonly required = new Set<string>();
  readonly content: ContentRecord[] = [];

  constructor(limits: ReadLimits) {
    this.tree = new SquashedTree(limits.maxSymlinkDepth);
  }

  private forget(path: string, subtreeOnly: boolean): void {
    if (this.versions.size === 0) return;
    const prefix = path === '/' ? '/' : path + '/';
    for (const k of this.versions.keys()) {
      if ((!subtreeOnly && k === path) || k.startsWith(prefix)) this.versions.delete(k);
    }
  }

  apply(layer: number, scan: LayerScanData): void {
    for (const ob of scan.content ?? []) this.content.push({ ...ob, layer, deleted: false });
    // Whiteouts hide lower layers only, so apply them before this layer's own entries.
    for (const se of scan.entries) {
      if (se.whiteout === 'file') {
        this.tree.remove(se.path);
        this.forget(se.path, false);
      } else if (se.whiteout === 'opaque') {
        this.tree.clear(se.path);
        this.forget(se.path, true);
      }
    }
    for (const se of scan.entries) {
      if (se.whiteout) continue;
      const entry: FileEntry = { path: se.path, kind: se.kind, mode: se.mode, size: se.size, uid: se.uid, gid: se.gid, layer };
      if (se.linkTarget !== undefined) entry.linkTarget = se.linkTarget;
      if (se.sha256 !== undefined) entry.sha256 = se.sha256;
      if (this.tree.add(entry)) this.forget(se.path, true);
      if (!se.required) continue;
      this.required.add(se.path);
      const content = se.kind === 'file' ? scan.files.get(se.path) : undefined;
      if (content) {
        let list = this.versions.get(se.path);
        if (!list) this.versions.set(se.path, (list = []));
        // A path repeated inside one layer: the later entry wins.
        if (list.length > 0 && list[list.length - 1]!.entry.layer === layer) list.pop();
        list.push({ path: se.path, content, entry });
      }
    }
  }

  /** Bytes of a path's final version; symlinks and hard links are followed to a buffered file. */
  contentOf(path: string): { content: Buffer; entry: FileEntry } | undefined {
    let entry = this.tree.get(path);
    if (!entry) return undefined;
    let at = path;
    if (entry.kind === 'symlink') {
      const resolved = this.tree.resolvePath(path);
      if (!resolved) return undefined;
      at = resolved;
      entry = this.tree.get(resolved);
      if (!entry) return undefined;
    }
    if (entry.kind === 'hardlink' && entry.linkTarget) {
      const layer = entry.layer;
      const found = this.versions
        .get(entry.linkTarget)
        ?.filter((v) => v.entry.layer <= layer)
        .pop();
      return found ? { content: found.content, entry } : undefined;
    }
    if (entry.kind !== 'file') return undefined;
    const layer = entry.layer;
    const v = this.versions.get(at)?.findLast((x) => x.entry.layer === layer);
    return v ? { content: v.content, entry: v.entry } : undefined;
  }
}

/**
 * Read an image's layers and run the analyzers: `os` analyzers first, then
 * `package` analyzers with the OS they found. Packages whose `layer` is unset
 * (or only carries an index) get the full LayerRef: from the index, else from
 * the layer of their `filePath`.
 */
export async function analyzeImage(image: Image, analyzers: Analyzer[], opts: AnalyzeOptions = {}): Promise<ImageAnalysis> {
  const limits = resolveLimits(opts.limits);
  const layers = image.layers;
  if (layers.length > limits.maxLayers) {
    throw new LimitError('LIMIT_LAYERS', `image has ${layers.length} layers, over the limit of ${limits.maxLayers} (raise with --max-layers)`, image.name);
  }
  // Which analyzers an entry concerns is looked up by its name first (Analyzer.claims).
  const claims = new ClaimIndex(analyzers);
  const wants = (e: FileEntry): boolean => claims.wants(e.path, e);
  // A file is reduced when every analyzer claiming it shares one `reduce` (see Analyzer.reduce).
  const reducer = analyzers.some((a) => a.reduce)
    ? (e: FileEntry): Reducer | undefined => {
        let fn: Analyzer['reduce'];
        for (const a of claims.claimers(e.path, e)) {
          if (!a.reduce || (fn && fn !== a.reduce)) return undefined;
          fn = a.reduce;
        }
        return fn;
      }
    : undefined;
  const sizes = layers.map((l) => l.size);
  const totalBytes = sizes.every((s) => typeof s === 'number') ? (sizes as number[]).reduce((a, b) => a + b, 0) : undefined;
  let bytes = 0;
  let current = 0;
  const progress = (): void => {
    if (!opts.onProgress) return;
    const p: AnalyzeProgress = { layer: current, layers: layers.length, bytes };
    if (totalBytes !== undefined) p.totalBytes = totalBytes;
    opts.onProgress(p);
  };
  const budget: ByteBudget = { used: 0 };
  const scanners = opts.contentScanners ?? [];
  const hashFiles = opts.hashFiles === true;
  const sink = scanners.length > 0 || hashFiles ? contentSink(scanners, hashFiles) : undefined;
  // The cache key names the content scanners too: their observations are part of a layer's scan.
  const keyModules: Array<{ id: string; version: number }> = [...analyzers, ...scanners.map((s) => ({ id: 'content:' + s.id, version: s.version }))];
  if (hashFiles) keyModules.push({ id: 'content:sha256', version: 1 });
  const merger = new Merger(limits);
  const filter = opts.analyzersOnly && !sink ? entryFilter(analyzers, ANALYZER_MANIFEST) : undefined;
  // When one layer fails, the layer still being read is stopped too, before the caller closes the image.
  const stop = new AbortController();
  const onCallerAbort = (): void => stop.abort();
  opts.signal?.addEventListener('abort', onCallerAbort, { once: true });
  if (opts.signal?.aborted) stop.abort();

  const readLayer = async (i: number): Promise<LayerScanData> => {
    const layer = layers[i]!;
    const where = layerWhere(image, layer);
    // A filtered walk is not what another analysis of the layer would read: not cached.
    const key = opts.layerCache && layer.open && !(filter && layer.entries) ? layerCacheKey(layer.ref, keyModules) : undefined;
    if (key && opts.layerCache) {
      const hit = await opts.layerCache.get(key);
      const data = hit ? fromLayerScan(hit) : undefined;
      if (data && (!sink || data.content)) {
        if (layer.size) {
          bytes += layer.size;
          current = i;
          progress();
        }
        return data;
      }
    }
    const so = {
      where,
      layer: i,
      limits,
      wants,
      ...(reducer ? { reducer } : {}),
      budget,
      onBytes: (n: number) => {
        bytes += n;
        current = i;
        progress();
      },
      signal: stop.signal,
      ...(sink ? { content: sink } : {}),
      ...(opts.spill ? { spill: opts.spill } : {}),
    };
    let data: LayerScanData;
    if (layer.entries) {
      data = await scanLayerEntries(layer.entries(filter), so);
    } else if (layer.open) {
      let stream;
      try {
        await loadTarReader();
        stream = await layer.open();
      } catch (e) {
        throw layerError(e, where);
      }
      data = await scanTarLayer(stream, so);
    } else {
      throw layerError(new Error('layer has neither a blob nor entries'), where);
    }
    if (key && opts.layerCache) await opts.layerCache.set(key, toLayerScan(data));
    return data;
  };

  try {
    await orderedPool(layers.length, Math.max(1, opts.concurrency ?? 2), readLayer, (i, data) => merger.apply(i, data));
  } catch (e) {
    stop.abort();
    throw e;
  } finally {
    opts.signal?.removeEventListener('abort', onCallerAbort);
  }
  if (opts.onProgress) {
    const p: AnalyzeProgress = { layer: Math.max(0, layers.length - 1), layers: layers.length, bytes, done: true };
    if (totalBytes !== undefined) p.totalBytes = totalBytes;
    opts.onProgress(p);
  }

  const tree = merger.tree;
  const ctx = opts.ctx ?? {};
  // Each analyzer's files: the final version of every required path it claims, sorted by path.
  const filesOf = new Map<Analyzer, AnalyzerFile[]>(analyzers.map((a) => [a, []]));
  for (const path of [...merger.required].sort()) {
    const entry = tree.get(path);
    if (!entry) continue;
    const claimers = claims.claimers(path, entry);
    if (claimers.length === 0) continue;
    const c = merger.contentOf(path);
    if (!c) continue;
    // One object per analyzer, as before: an analyzer never sees another's.
    for (const a of claimers) filesOf.get(a)?.push({ path, content: c.content, entry: c.entry });
  }
  const inputFor = (a: Analyzer, os: OsInfo | undefined): AnalyzerInput => {
    const input: AnalyzerInput = {
      files: filesOf.get(a) ?? [],
      versions: (p: string) => [...(merger.versions.get(p) ?? [])],
      tree,
      ctx,
    };
    if (os) input.os = os;
    return input;
  };

  let os: OsInfo | undefined;
  for (const a of analyzers) {
    if (a.kind !== 'os') continue;
    const r = await a.analyze(inputFor(a, undefined));
    if (!os && r.os) os = r.os;
  }
  const refs = layers.map((l) => l.ref);
  const packages: Package[] = [];
  const notices: Notice[] = [];
  for (const a of analyzers) {
    if (a.kind !== 'package') continue;
    const r = await a.analyze(inputFor(a, os));
    if (!os && r.os) os = r.os;
    notices.push(...(r.notices ?? []));
    for (const p of r.packages ?? []) {
      const idx = p.layer?.index ?? (p.filePath ? tree.get(p.filePath)?.layer : undefined);
      if (idx !== undefined && refs[idx] && (!p.layer || !p.layer.digest)) p.layer = refs[idx];
      packages.push(p);
    }
  }
  // A version is deleted when the squashed view no longer has it (removed, or replaced by a later layer).
  for (const r of merger.content) r.deleted = tree.get(r.path)?.layer !== r.layer;
  // npm, yarn and pnpm report the same JavaScript packages from their own files: one component per name@version.
  const out: ImageAnalysis = { packages: mergeNpmPackages(packages), notices, tree, layers: refs, config: image.config, content: merger.content };
  if (os) out.os = os;
  return out;
}
