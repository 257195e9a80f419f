// `vigil audit verify|export` over an existing server database: the results
// and the export stream; src/cli/server/audit-command.ts prints them.
import { existsSync } from 'node:fs';
import { InputError } from '../../core/errors.js';
import { loadConfig } from './config.js';
import { openStore, parseDbUrl, type Store } from '../store/store.js';
import { exportAudit, verifyAudit, type VerifyResult } from '../store/audit-log.js';

async function openExisting(opts: Record<string, unknown>): Promise<Store> {
  const cfg = loadConfig({ db: opts.db, config: opts.config as string | undefined });
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

/** Verify the hash chain of the database named by the options (--db, --config). */
export async function verifyAuditTrail(opts: Record<string, unknown>): Promise<VerifyResult> {
  const store = await openExisting(opts);
  try {
    return await verifyAudit(store.db);
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
