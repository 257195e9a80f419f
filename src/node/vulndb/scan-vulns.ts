// The vulnerability scanner's entry point for `vigil scan --scanners vuln`:
// opens the DB file, matches packages (src/core/vulndb/match.ts), then applies
// --ignore-unfixed, the ignore file and OpenVEX. Owns the default DB location.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { InputError, LimitError } from '../../core/errors.js';
import type { Notice, OsInfo, Package } from '../../core/inventory/types.js';
import { coverageNotices } from '../../core/ecosystems/index.js';
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

/** A vulnerability scan made ready before the image is read: DB open, ignore file and VEX parsed. */
export interface PreparedVulnScan {
  /** Match an inventory, apply VEX, ignores and --ignore-unfixed; the notices say what could not be matched. */
  run(input: { packages: Package[]; os?: OsInfo }, artifact?: { name?: string; digest?: string }): { findings: VulnerabilityFinding[]; notices: Notice[] };
  close(): void;
}

/**
 * Opens the DB and reads the policy files first, so a missing DB or a typo
 * in the ignore or VEX file fails before any layer is read.
 */
export function prepareVulnScan(opts: ScanVulnsOptions = {}): PreparedVulnScan {
  const dbPath = opts.dbPath ?? defaultDbPath();
  if (!existsSync(dbPath)) throw missingDbError(dbPath);
  const ignores = opts.ignoreFile ? parseIgnoreFile(readPolicyFile(opts.ignoreFile, 'ignore'), opts.ignoreFile) : undefined;
  let vex: ReturnType<typeof parseOpenVex> | undefined;
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
  return {
    run(input, artifact = {}) {
      const findings = matchPackages(input.packages, input.os, db);
      const notices = coverageNotices(input.packages, input.os, (k) => db.hasEcosystem(k));
      const name = artifact.name ?? opts.artifactName;
      const digest = artifact.digest ?? opts.artifactDigest;
      if (vex) applyVex(findings, vex, name, digest);
      if (ignores) applyIgnores(findings, ignores, opts.now ?? new Date());
      if (opts.ignoreUnfixed) applyIgnoreUnfixed(findings);
      return { findings, notices };
    },
    close: () => db.close(),
  };
}

export async function scanVulnerabilities(input: { packages: Package[]; os?: OsInfo }, opts: ScanVulnsOptions = {}): Promise<VulnerabilityFinding[]> {
  const scan = prepareVulnScan(opts);
  try {
    return scan.run(input).findings;
  } finally {
    scan.close();
  }
}
