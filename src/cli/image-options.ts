// Options every command that reads an image shares (scan, sbom): platform,
// registry credentials, and the reader limits.
import { Option, type Command } from 'commander';
import type { Platform, ReadLimits } from '../core/image/types.js';
import type { OpenImageOptions } from '../node/image/types.js';
import { UsageError } from './exit.js';

export interface ImageCliOptions {
  platform?: string;
  username?: string;
  password?: string;
  insecure?: boolean;
  maxEntries?: string;
  maxFileSize?: string;
  maxLayerSize?: string;
  maxImageSize?: string;
  maxPathLength?: string;
  maxManifestSize?: string;
  maxSymlinkDepth?: string;
  maxLayers?: string;
}

const LIMIT_FLAGS: Array<[keyof ImageCliOptions, keyof ReadLimits, string, 'size' | 'count']> = [
  ['maxEntries', 'maxEntries', '--max-entries <n>', 'count'],
  ['maxFileSize', 'maxFileSize', '--max-file-size <size>', 'size'],
  ['maxLayerSize', 'maxLayerBytes', '--max-layer-size <size>', 'size'],
  ['maxImageSize', 'maxImageBytes', '--max-image-size <size>', 'size'],
  ['maxPathLength', 'maxPathLength', '--max-path-length <n>', 'count'],
  ['maxManifestSize', 'maxManifestSize', '--max-manifest-size <size>', 'size'],
  ['maxSymlinkDepth', 'maxSymlinkDepth', '--max-symlink-depth <n>', 'count'],
  ['maxLayers', 'maxLayers', '--max-layers <n>', 'count'],
];

export function addImageOptions(cmd: Command): Command {
  cmd
    .option('--platform <os/arch[/variant]>', 'platform to pick from a multi-platform image', 'linux/amd64')
    .option('--username <user>', 'registry user (else VIGIL_REGISTRY_USERNAME, else ~/.docker/config.json)')
    .option('--password <password>', 'registry password (else VIGIL_REGISTRY_PASSWORD)')
    .option('--insecure', 'allow plain HTTP and unverified TLS to the registry');
  for (const [, , flag, kind] of LIMIT_FLAGS) {
    cmd.addOption(new Option(flag, kind === 'size' ? 'reader limit (bytes, or with KiB/MiB/GiB)' : 'reader limit').hideHelp());
  }
  return cmd;
}

/** `512`, `64KiB`, `10MB`, `2GiB` -> bytes. */
export function parseSize(flag: string, v: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(b|k|kb|kib|m|mb|mib|g|gb|gib|t|tb|tib)?$/i.exec(v.trim());
  if (!m) throw new UsageError(`${flag}: not a size: ${v}`);
  const unit = (m[2] ?? 'b').toLowerCase();
  const pow = { b: 0, k: 1, kb: 1, kib: 1, m: 2, mb: 2, mib: 2, g: 3, gb: 3, gib: 3, t: 4, tb: 4, tib: 4 }[unit] ?? 0;
  return Math.floor(Number(m[1]) * 1024 ** pow);
}

function parseCount(flag: string, v: string): number {
  if (!/^\d+$/.test(v.trim())) throw new UsageError(`${flag}: not a number: ${v}`);
  return Number(v);
}

export function parsePlatform(v: string): Platform {
  const [os, architecture, variant] = v.split('/');
  if (!os || !architecture) throw new UsageError(`--platform: expected OS/ARCH[/VARIANT], got ${v}`);
  return variant ? { os, architecture, variant } : { os, architecture };
}

export function imageOpenOptions(o: ImageCliOptions): OpenImageOptions {
  const limits: Partial<ReadLimits> = {};
  for (const [key, limit, flag, kind] of LIMIT_FLAGS) {
    const v = o[key];
    if (typeof v === 'string') limits[limit] = kind === 'size' ? parseSize(flag.split(' ')[0]!, v) : parseCount(flag.split(' ')[0]!, v);
  }
  return {
    platform: parsePlatform(o.platform ?? 'linux/amd64'),
    username: o.username,
    password: o.password,
    insecure: o.insecure,
    limits,
  };
}
