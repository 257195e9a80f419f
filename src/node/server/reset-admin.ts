// `vigil server reset-admin`: recover access from the server host when no
// administrator can log in (forgotten password, the last administrator
// disabled in the database). Works on the server's database with its key
// files, like `vigil audit verify`: whoever runs it can read the data dir.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { InputError } from '../../core/errors.js';
import { passwordProblem } from '../../core/auth/password-policy.js';
import { loadConfig } from './config.js';
import { openStore, parseDbUrl } from '../store/store.js';
import { readSecretKey } from '../crypto/secret-box.js';
import { auditChainKey } from './audit-keys.js';
import { resetAdministrator } from '../services/users.js';

export interface ResetAdminResult {
  username: string;
  /** The new password when generated here (shown once). */
  generatedPassword?: string;
  created: boolean;
}

/** opts: db, config, dataDir (as `vigil server`), user (default admin), password (else one is generated). */
export async function resetAdmin(opts: { db?: string; config?: string; dataDir?: string; user?: string; password?: string }): Promise<ResetAdminResult> {
  const cfg = loadConfig({ db: opts.db, config: opts.config, ...(opts.dataDir ? { dataDir: opts.dataDir } : {}) });
  const username = opts.user ?? 'admin';
  if (!/^[^\s]{1,100}$/.test(username)) throw new InputError('CONFIG', 'user name must be 1 to 100 characters without spaces', '--user');
  const generated = opts.password === undefined ? randomBytes(15).toString('base64url') : undefined;
  const password = opts.password ?? generated!;
  const problem = passwordProblem(password, { username });
  if (problem) throw new InputError('CONFIG', problem, 'password');
  const p = parseDbUrl(cfg.db);
  if (p.dialect === 'sqlite' && p.path !== ':memory:' && !existsSync(p.path!)) throw new InputError('DB_MISSING', 'no server database here', p.path);
  const store = await openStore(cfg.db, { migrate: false, poolSize: 2 });
  try {
    store.auditKey = auditChainKey(readSecretKey(cfg.secretKey, cfg.dataDir));
    const r = await resetAdministrator({ store, clock: () => new Date() }, username, password);
    return { username, generatedPassword: generated, created: r.created };
  } finally {
    await store.close();
  }
}
