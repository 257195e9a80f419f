// `vigil audit verify|checkpoint|export` over an existing server database:
// the results and the export stream; src/cli/server/audit-command.ts prints
// them. The keys come from the server's data dir (or VIGIL_SECRET_KEY).
import { createPublicKey, type KeyObject } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../../core/errors.js';
import { loadConfig, type ServerConfig } from './config.js';
import { openStore, parseDbUrl, type Store } from '../store/store.js';
import { exportAudit, verifyAudit, writeCheckpoint, type Checkpoint, type VerifyResult } from '../store/audit-log.js';
import { auditChainKey, CHECKPOINT_FILE, loadSigningKey, readCheckpointFile, readPublicKey } from './audit-keys.js';
import { readSecretKey } from '../crypto/secret-box.js';

function serverConfig(opts: Record<string, unknown>): ServerConfig {
  return loadConfig({ db: opts.db, config: opts.config as string | undefined, ...(opts.dataDir ? { dataDir: opts.dataDir } : {}) });
}

async function openExisting(opts: Record<string, unknown>): Promise<Store> {
  const cfg = serverConfig(opts);
  const p = parseDbUrl(cfg.db);
  if (p.dialect === 'sqlite' && p.path !== ':memory:' && !existsSync(p.path!)) throw new InputError('DB_MISSING', 'no server database here', p.path);
  const store = await openStore(cfg.db, { migrate: false, poolSize: 2 });
  try {
    await store.db.selectFrom('audit_log').select('seq').limit(1).execute();
  } catch {
    await store.close();
    throw new InputError('DB_NOT_VIGIL', 'not a Vigil server database (no audit_log table)', p.path ?? 'postgres');
  }
  return store;
}

interface TrailKeys {
  key: Buffer;
  trusted: KeyObject[];
  signing: KeyObject;
  dataDir: string;
}

function trailKeys(opts: Record<string, unknown>): TrailKeys {
  const cfg = serverConfig(opts);
  const signing = loadSigningKey(cfg.dataDir, false);
  const extra = ([] as unknown[]).concat(opts.publicKey ?? []).map((p) => readPublicKey(String(p)));
  return { key: auditChainKey(readSecretKey(cfg.secretKey, cfg.dataDir)), trusted: [createPublicKey(signing), ...extra], signing, dataDir: cfg.dataDir };
}

/**
 * Verify the chain of the database named by the options (--db, --config,
 * --data-dir) against the newest trusted checkpoint: --checkpoint FILE, the
 * data dir's copy and the database's.
 */
export async function verifyAuditTrail(opts: Record<string, unknown>): Promise<VerifyResult> {
  const keys = trailKeys(opts);
  const external: Array<{ checkpoint: Checkpoint; source: string }> = [];
  if (opts.checkpoint) external.push({ checkpoint: readCheckpointFile(String(opts.checkpoint)), source: String(opts.checkpoint) });
  const copy = join(keys.dataDir, CHECKPOINT_FILE);
  if (existsSync(copy)) external.push({ checkpoint: readCheckpointFile(copy), source: copy });
  const store = await openExisting(opts);
  try {
    return await verifyAudit(store.db, { key: keys.key, trusted: keys.trusted, external });
  } finally {
    await store.close();
  }
}

/** Verifies the trail, then signs its head into a new checkpoint (stored in the database and returned). */
export async function checkpointAuditTrail(opts: Record<string, unknown>): Promise<{ verify: VerifyResult; checkpoint?: Checkpoint }> {
  const verify = await verifyAuditTrail(opts);
  if (!verify.ok) return { verify };
  const keys = trailKeys(opts);
  const store = await openExisting(opts);
  try {
    return { verify, checkpoint: await writeCheckpoint(store, keys.signing) };
  } finally {
    await store.close();
  }
}

export function parseAuditFormat(format: unknown): 'jsonl' | 'csv' {
  const f = String(format ?? 'jsonl');
  if (f !== 'jsonl' && f !== 'csv') throw new InputError('USAGE', `--format must be jsonl or csv, got ${f}`);
  return f;
}

/** The audit trail as JSON lines or CSV chunks; the database is closed when the iteration ends. */
export async function* exportAuditTrail(opts: Record<string, unknown>, format: 'jsonl' | 'csv'): AsyncGenerator<string> {
  const store = await openExisting(opts);
  try {
    yield* exportAudit(store.db, format);
  } finally {
    await store.close();
  }
}
