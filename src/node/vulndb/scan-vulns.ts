// The vulnerability scanner's entry point for `vigil scan --scanners vuln`:
// opens the DB file, matches packages (src/core/vulndb/match.ts), then applies
// --ignore-unfixed, the ignore file and OpenVEX. Owns the default DB location.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { InputError, LimitError } from '../../core/errors.js';
import type { OsInfo, Package } from '../../core/inventory/types.js';
import type { VulnerabilityFinding } from '../../core/scan/types.js';
import { applyIgnores, applyIgnoreUnfixed, parseIgnoreFile } from '../../core/vulndb/ignore.js';
import { matchPackages } from '../../core/vulndb/match.js';
import { applyVex, parseOpenVex } from '../../core/vulndb/vex.js';
import { VulnDb } from './db.js';
import { missingDbError } from './scan-vulns-errors.js';

export { missingDbError };

export interface ScanVulnsOptions {
  /** DB file; default `defaultDbPath()`. */
  dbPath?: string;
  /** Findings without a fixed version are kept with `ignored: true`. */
  ignoreUnfixed?: boolean;
  /** `.vigilignore` (YAML or Trivy-style lines). */
  ignoreFile?: string;
  /** OpenVEX document. */
  vexFile?: string;
  /** Clock for ignore-file expiry; default now. */
  now?: Date;
  /** The scanned image's name (matches VEX products naming the image). */
  artifactName?: string;
  /** The image's manifest or config digest (matches `pkg:oci/...@sha256:` VEX products). */
  artifactDigest?: string;
}

/** `$VIGIL_DB`, else `$XDG_CACHE_HOME/vigil/db/vigil.db`, else `~/.cache/vigil/db/vigil.db`. */
export function defaultDbPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.VIGIL_DB) return env.VIGIL_DB;
  const cache = env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(cache, 'vigil', 'db', 'vigil.db');
}

const MAX_POLICY_FILE = 16 * 1024 * 1024;

function readPolicyFile(path: string, what: string): string {
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    throw new InputError(what === 'VEX' ? 'VEX_MISSING' : 'IGNORE_FILE_MISSING', `${what} file not found`, path);
  }
  if (size > MAX_POLICY_FILE) throw new LimitError('LIMIT_FILE_SIZE', `${what} file is larger than ${MAX_POLICY_FILE} bytes`, path);
  return readFileSync(path, 'utf8');
}

export async function scanVulnerabilities(
  input: { packages: Package[]; os?: OsInfo },
  opts: ScanVulnsOptions = {},
): Promise<VulnerabilityFinding[]> {
  const dbPath = opts.dbPath ?? defaultDbPath();
  if (!existsSync(dbPath)) throw missingDbError(dbPath);
  // Read the policy files first: a typo there should fail before the work.
  const ignores = opts.ignoreFile ? parseIgnoreFile(readPolicyFile(opts.ignoreFile, 'ignore'), opts.ignoreFile) : undefined;
  let vex;
  if (opts.vexFile) {
    const text = readPolicyFile(opts.vexFile, 'VEX');
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (e) {
      throw new InputError('VEX_INVALID', `invalid JSON (${e instanceof Error ? e.message.slice(0, 120) : e})`, opts.vexFile);
    }
    vex = parseOpenVex(doc, opts.vexFile);
  }
  const db = VulnDb.open(dbPath);
  let findings: VulnerabilityFinding[];
  try {
    findings = matchPackages(input.packages, input.os, db);
  } finally {
    db.close();
  }
  if (vex) applyVex(findings, vex, opts.artifactName, opts.artifactDigest);
  if (ignores) applyIgnores(findings, ignores, opts.now ?? new Date());
  if (opts.ignoreUnfixed) applyIgnoreUnfixed(findings);
  return findings;
}
