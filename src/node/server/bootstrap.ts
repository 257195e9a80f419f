// First start: when there is no user, create the Administrator `admin` with
// VIGIL_ADMIN_PASSWORD (checked against the password rules) or a generated
// one-time password (printed once by
// the caller), bound to all projects; and a `default` project. Idempotent;
// replicas starting together run it one after the other (startup-lock.ts).
import { randomBytes } from 'node:crypto';
import type { ServerContext } from './context.js';
import { firstStart } from '../services/setup.js';
import { checkAdminPassword } from './config.js';

export interface BootstrapResult {
  /** Set when the admin was created now. */
  admin?: { username: string; password: string; generated: boolean };
  defaultProjectId: string;
}

export async function bootstrap(ctx: ServerContext): Promise<BootstrapResult> {
  // loadConfig checked it already; a config built in code (tests, benchmarks) is checked here.
  checkAdminPassword(ctx.config.adminPassword);
  const generated = !ctx.config.adminPassword;
  const password = ctx.config.adminPassword ?? randomBytes(12).toString('base64url');
  const r = await firstStart(ctx, password);
  return { admin: r.adminCreated ? { username: 'admin', password, generated } : undefined, defaultProjectId: r.defaultProjectId };
}
