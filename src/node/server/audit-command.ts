// Implementation of `vigil audit verify` and `vigil audit export`.
import { createWriteStream, existsSync } from 'node:fs';
import { once } from 'node:events';
import { InputError } from '../../core/errors.js';
import { loadConfig } from './config.js';
import { openStore, parseDbUrl, type Store } from '../store/store.js';
import { exportAudit, verifyAudit } from '../store/audit-log.js';

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

export async function auditVerifyCommand(opts: Record<string, unknown>): Promise<number> {
  const store = await openExisting(opts);
  try {
    const r = await verifyAudit(store.db);
    if (r.ok) {
      process.stdout.write(`audit trail OK: ${r.records} records, hash chain intact\n`);
      return 0;
    }
    process.stdout.write(`audit trail BROKEN at record ${r.bad!.seq}: ${r.bad!.reason} (${r.records} records before it verify)\n`);
    return 1;
  } finally {
    await store.close();
  }
}

export async function auditExportCommand(opts: Record<string, unknown>): Promise<number> {
  const format = String(opts.format ?? 'jsonl');
  if (format !== 'jsonl' && format !== 'csv') throw new InputError('USAGE', `--format must be jsonl or csv, got ${format}`);
  const store = await openExisting(opts);
  const out = opts.output ? createWriteStream(String(opts.output)) : process.stdout;
  try {
    for await (const chunk of exportAudit(store.db, format)) {
      if (!out.write(chunk)) await once(out, 'drain');
    }
    if (out !== process.stdout) {
      (out as ReturnType<typeof createWriteStream>).end();
      await once(out, 'finish');
    }
    return 0;
  } finally {
    await store.close();
  }
}
