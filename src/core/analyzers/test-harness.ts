// Test harness for analyzers: turns in-memory layers (path -> content,
// symlink or whiteout) into an AnalyzerInput with a simple squashed FileTree,
// so analyzer tests run without the image pipeline. Pure: tests read fixture
// directories themselves and hand the bytes in.
import type { LayerRef } from '../inventory/types.js';
import type { Analyzer, AnalyzerContext, AnalyzerFile, AnalyzerInput, AnalyzerResult, FileTree } from './types.js';
import type { FileEntry, OsInfo } from '../inventory/types.js';

/** One entry of a test layer: file bytes or text, a symlink, a directory or a whiteout. */
export type HarnessEntry = string | Buffer | { symlink: string } | { dir: true } | { whiteout: true };

/** A layer: absolute path -> entry. */
export type HarnessLayer = Record<string, HarnessEntry>;

export interface HarnessOptions {
  ctx?: AnalyzerContext;
  os?: OsInfo;
  /** Give the input `layers` refs (synthetic digests); default true. */
  layerRefs?: boolean;
}

interface Stored {
  entry: FileEntry;
  content?: Buffer;
}

function parentDirs(path: string): string[] {
  const out: string[] = [];
  let i = path.indexOf('/', 1);
  while (i > 0) {
    out.push(path.slice(0, i));
    i = path.indexOf('/', i + 1);
  }
  return out;
}

function dirname(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

/** Normalise `base`-relative link targets into an absolute path inside the root. */
function joinLink(dir: string, target: string): string {
  const parts = (target.startsWith('/') ? target : `${dir}/${target}`).split('/');
  const out: string[] = [];
  for (const p of parts) {
    if (p === '' || p === '.') continue;
    if (p === '..') out.pop();
    else out.push(p);
  }
  return `/${out.join('/')}`;
}

class HarnessTree implements FileTree {
  constructor(private readonly byPath: Map<string, Stored>) {}
  get(path: string): FileEntry | undefined {
    return this.byPath.get(path)?.entry;
  }
  list(dir: string): FileEntry[] {
    const prefix = dir === '/' ? '/' : `${dir}/`;
    return [...this.byPath.values()]
      .map((s) => s.entry)
      .filter((e) => e.path.startsWith(prefix) && e.path.length > prefix.length && !e.path.slice(prefix.length).includes('/'))
      .sort((a, b) => (a.path < b.path ? -1 : 1));
  }
  resolve(path: string): FileEntry | undefined {
    let current = path;
    for (let depth = 0; depth < 40; depth++) {
      // Resolve symlinks in parent directories first, then the leaf.
      let rewritten = false;
      for (const p of parentDirs(current)) {
        const e = this.byPath.get(p)?.entry;
        if (e?.kind === 'symlink' && e.linkTarget !== undefined) {
          current = joinLink(dirname(p), e.linkTarget) + current.slice(p.length);
          rewritten = true;
          break;
        }
      }
      if (rewritten) continue;
      const e = this.byPath.get(current)?.entry;
      if (e?.kind === 'symlink' && e.linkTarget !== undefined) {
        current = joinLink(dirname(current), e.linkTarget);
        continue;
      }
      return e;
    }
    return undefined;
  }
  *entries(): Iterable<FileEntry> {
    yield* [...this.byPath.values()].map((s) => s.entry).sort((a, b) => (a.path < b.path ? -1 : 1));
  }
}

/** Build the squashed view and the per-path version history of the given layers (bottom first). */
export function harnessInput(layers: HarnessLayer[], required: (path: string, entry: FileEntry) => boolean, opts: HarnessOptions = {}): AnalyzerInput {
  const squashed = new Map<string, Stored>();
  const history = new Map<string, AnalyzerFile[]>();
  layers.forEach((layer, index) => {
    for (const [path, value] of Object.entries(layer)) {
      if (typeof value === 'object' && !Buffer.isBuffer(value) && 'whiteout' in value) {
        for (const key of [...squashed.keys()]) if (key === path || key.startsWith(`${path}/`)) squashed.delete(key);
        continue;
      }
      for (const d of parentDirs(path)) {
        if (!squashed.has(d)) squashed.set(d, { entry: { path: d, kind: 'dir', mode: 0o755, size: 0, uid: 0, gid: 0, layer: index } });
      }
      let stored: Stored;
      if (typeof value === 'string' || Buffer.isBuffer(value)) {
        const content = Buffer.isBuffer(value) ? value : Buffer.from(value, 'utf8');
        stored = { entry: { path, kind: 'file', mode: 0o644, size: content.length, uid: 0, gid: 0, layer: index }, content };
      } else if ('symlink' in value) {
        stored = { entry: { path, kind: 'symlink', mode: 0o777, size: 0, uid: 0, gid: 0, linkTarget: value.symlink, layer: index } };
      } else {
        stored = { entry: { path, kind: 'dir', mode: 0o755, size: 0, uid: 0, gid: 0, layer: index } };
      }
      squashed.set(path, stored);
      if (stored.content && required(path, stored.entry)) {
        const versions = history.get(path) ?? [];
        versions.push({ path, content: stored.content, entry: stored.entry });
        history.set(path, versions);
      }
    }
  });
  const files: AnalyzerFile[] = [];
  for (const s of squashed.values()) {
    if (s.content && required(s.entry.path, s.entry)) files.push({ path: s.entry.path, content: s.content, entry: s.entry });
  }
  files.sort((a, b) => (a.path < b.path ? -1 : 1));
  const layerRefs: LayerRef[] = layers.map((_, index) => ({ index, digest: `sha256:${String(index).padStart(64, '0')}` }));
  return {
    files,
    // Only versions still visible in the chain up to the top matter for attribution; deleted versions are dropped, as the contract says.
    versions: (path) => (squashed.has(path) ? (history.get(path) ?? []) : []),
    tree: new HarnessTree(squashed),
    os: opts.os,
    ctx: opts.ctx ?? {},
    layers: opts.layerRefs === false ? undefined : layerRefs,
  };
}

/** Run one analyzer over the given layers. */
export async function runAnalyzer(analyzer: Analyzer, layers: HarnessLayer[], opts: HarnessOptions = {}): Promise<AnalyzerResult> {
  return analyzer.analyze(harnessInput(layers, (p, e) => analyzer.required(p, e), opts));
}
