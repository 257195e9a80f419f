// `vigil server reset-admin`: print the outcome of src/node/server/reset-admin.ts.
// The password comes from VIGIL_RESET_PASSWORD (never a flag: it would show in
// the process list and shell history) or is generated and printed once.
import { resetAdmin } from '../../node/server/reset-admin.js';

export async function resetAdminCommand(opts: Record<string, unknown>): Promise<number> {
  const given = process.env.VIGIL_RESET_PASSWORD;
  const r = await resetAdmin({
    user: opts.user as string | undefined,
    db: opts.db as string | undefined,
    config: opts.config as string | undefined,
    dataDir: opts.dataDir as string | undefined,
    password: given ? given : undefined,
  });
  const pw = r.generatedPassword ? ` with the password ${r.generatedPassword} (shown once)` : ' with the password from VIGIL_RESET_PASSWORD';
  process.stdout.write(
    `vigil: ${r.created ? 'created' : 'reset'} user ${r.username}: enabled, Administrator on all projects, earlier tokens revoked; log in${pw}\n`,
  );
  return 0;
}
