// Reader limits: defaults merged with user overrides, and the mapping from CLI
// flags (`--max-file-size 512MiB`) to ReadLimits so every command that reads
// images offers the same flags with the same parsing.
import { InputError } from '../errors.js';
import { DEFAULT_LIMITS, type ReadLimits } from './types.js';

export function resolveLimits(partial?: Partial<ReadLimits>): ReadLimits {
  const out: ReadLimits = { ...DEFAULT_LIMITS };
  if (!partial) return out;
  for (const key of Object.keys(DEFAULT_LIMITS) as Array<keyof ReadLimits>) {
    const v = partial[key];
    if (v !== undefined) out[key] = v;
  }
  return out;
}

export interface LimitFlag {
  /** Long option without dashes, e.g. `max-file-size`. */
  flag: string;
  key: keyof ReadLimits;
  /** Sizes accept units (KiB, MiB, GiB, KB, MB, GB, k, m, g); counts are plain integers. */
  size: boolean;
  description: string;
}

/** Every limit flag, in the order the CLI lists them. */
export const LIMIT_FLAGS: readonly LimitFlag[] = [
  { flag: 'max-file-size', key: 'maxFileSize', size: true, description: 'largest single file an analyzer may read (default 256MiB)' },
  { flag: 'max-layer-size', key: 'maxLayerBytes', size: true, description: 'largest decompressed layer (default 32GiB)' },
  { flag: 'max-image-size', key: 'maxImageBytes', size: true, description: 'largest decompressed image, all layers (default 64GiB)' },
  { flag: 'max-entries', key: 'maxEntries', size: false, description: 'most entries in one layer (default 2000000)' },
  { flag: 'max-path-length', key: 'maxPathLength', size: false, description: 'longest path inside a layer (default 4096)' },
  { flag: 'max-manifest-size', key: 'maxManifestSize', size: true, description: 'largest manifest, index or config JSON (default 4MiB)' },
  { flag: 'max-symlink-depth', key: 'maxSymlinkDepth', size: false, description: 'most symlinks followed resolving one path (default 40)' },
  { flag: 'max-layers', key: 'maxLayers', size: false, description: 'most layers in an image (default 512)' },
];

const UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1000,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1000 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1000 ** 3,
  gib: 1024 ** 3,
  t: 1024 ** 4,
  tb: 1000 ** 4,
  tib: 1024 ** 4,
};

/** Parse `512MiB`, `2g`, `1000000` into bytes; throws InputError naming the flag. */
export function parseSize(value: string | number, flag = 'size'): number {
  if (typeof value === 'number') {
    if (Number.isSafeInteger(value) && value >= 0) return value;
  } else {
    const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(value);
    const unit = m ? UNITS[m[2]!.toLowerCase()] : undefined;
    if (m && unit !== undefined) {
      const n = Math.floor(Number(m[1]) * unit);
      if (Number.isSafeInteger(n)) return n;
    }
  }
  throw new InputError('USAGE', `invalid size ${JSON.stringify(value)} (use e.g. 512MiB, 2GiB, 1000000)`, `--${flag}`);
}

function parseCount(value: string | number, flag: string): number {
  const n = typeof value === 'number' ? value : /^\s*\d+\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < 0) throw new InputError('USAGE', `invalid number ${JSON.stringify(value)}`, `--${flag}`);
  return n;
}

/**
 * Map parsed CLI options to limits. Accepts commander's camelCase keys
 * (`maxFileSize`) or the flag names (`max-file-size`); unknown keys are ignored.
 */
export function limitsFromOptions(opts: Record<string, unknown>): Partial<ReadLimits> {
  const out: Partial<ReadLimits> = {};
  for (const f of LIMIT_FLAGS) {
    const camel = f.flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    const v = opts[camel] ?? opts[f.flag];
    if (v === undefined || v === null || v === false) continue;
    if (typeof v !== 'string' && typeof v !== 'number') continue;
    out[f.key] = f.size ? parseSize(v, f.flag) : parseCount(v, f.flag);
  }
  return out;
}
