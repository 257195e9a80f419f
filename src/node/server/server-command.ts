// Implementation of `vigil server`: load the config, start by role, print
// the URL (and on first start the admin login), optionally set up the demo
// project, and shut down cleanly on SIGINT/SIGTERM.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { InputError } from '../../core/errors.js';
import { loadConfig } from './config.js';
import { startServer, type RunningServer } from './start.js';
import { insertImage } from './routes/images.js';
import { appendAudit, SYSTEM_ACTOR } from '../store/audit-log.js';

export async function serverCommand(opts: Record<string, unknown>): Promise<number> {
  const config = loadConfig({
    db: opts.db, port: opts.port, host: opts.host, role: opts.role, config: opts.config as string | undefined, dataDir: opts.dataDir,
    metricsPublic: opts.metricsPublic, vulnDb: opts.vulnDb, workerConcurrency: opts.workerConcurrency, demo: opts.demo, demoImage: opts.demoImage, agentPort: opts.agentPort,
  });
  if (config.demo && !config.vulnDb && existsSync(resolve('.vigil-demo/vigil.db'))) config.vulnDb = resolve('.vigil-demo/vigil.db');
  const server = await startServer(config);
  const stop = async () => {
    process.stderr.write('vigil: shutting down\n');
    await server.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
  if (server.url) process.stdout.write(`vigil: server listening on ${server.url} (API ${server.url}/api/v1, docs ${server.url}/api/docs)\n`);
  if (server.agentLink) process.stdout.write(`vigil: agent link (gRPC, TLS) on ${server.agentLink.address}, CA hash ${server.agentLink.caHash}\n`);
  else process.stdout.write(`vigil: worker ${server.ctx.scans.workerName} processing scan jobs\n`);
  if (config.demo && server.boot) await setUpDemo(server, config.demoImage);
  // Keep running until a signal arrives.
  await new Promise(() => {});
  return 0;
}

async function setUpDemo(server: RunningServer, imagePath?: string): Promise<void> {
  const ctx = server.ctx;
  const path = resolve(imagePath ?? '.vigil-demo/demo-image.tar');
  if (!existsSync(path)) throw new InputError('DEMO_IMAGE', 'demo image not found; build it with `node scripts/build-demo-image.mjs` or pass --demo-image PATH', path);
  const projectId = server.boot!.defaultProjectId;
  const ref = `docker-archive:${path}`;
  let image = await ctx.store.db.selectFrom('images').select(['id', 'last_scan_id']).where('project_id', '=', projectId).where('ref', '=', ref).executeTakeFirst();
  if (!image) {
    const id = await ctx.store.db.transaction().execute(async (trx) => {
      const iid = await insertImage(ctx, trx, projectId, ref);
      await appendAudit(trx, ctx.store.dialect, SYSTEM_ACTOR, { event: 'addImage', projectId, resourceType: 'image', resourceId: iid, summary: { ref, demo: true } }, ctx.clock());
      return iid;
    });
    image = { id, last_scan_id: null };
  }
  let scanId = image.last_scan_id;
  if (!scanId) {
    scanId = await ctx.scans.enqueue(projectId, image.id, 'demo');
    const deadline = Date.now() + 180_000;
    for (;;) {
      const s = await ctx.store.db.selectFrom('scans').select(['status', 'error']).where('id', '=', scanId).executeTakeFirstOrThrow();
      if (s.status === 'succeeded') break;
      if (s.status === 'failed') throw new InputError('DEMO_SCAN', `demo scan failed: ${s.error}`, path);
      if (Date.now() > deadline) throw new InputError('DEMO_SCAN', 'demo scan did not finish within 3 minutes', path);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  const im = await ctx.store.db.selectFrom('images').selectAll().where('id', '=', image.id).executeTakeFirstOrThrow();
  const pk = await ctx.store.db.selectFrom('packages').select((eb) => eb.fn.countAll<number>().as('n')).where('image_id', '=', image.id).executeTakeFirstOrThrow();
  process.stdout.write(`vigil: demo project "default": ${ref} scanned: ${Number(pk.n)} packages; vulnerabilities critical=${im.critical} high=${im.high} medium=${im.medium} low=${im.low}\n`);
  process.stdout.write(`vigil: open ${server.url}/api/docs and log in (POST /api/v1/auth/login) as admin${server.boot!.admin ? ` / ${server.boot!.admin.password}` : ' with the password set on first start'}\n`);
}
