// `vigil server`: load the config and start by role (startServerCommand),
// and set up the demo project (setUpDemo). src/cli/server/server-command.ts
// prints what they return and handles the signals.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { InputError } from '../../core/errors.js';
import { loadConfig, type ServerConfig } from './config.js';
import { startServer, type RunningServer } from './start.js';
import { ensureImage, imageSummary } from '../services/images.js';
import { scanStatus } from '../services/scans.js';
import { SYSTEM_ACTOR } from '../store/audit-log.js';
import { seedDemoData } from './demo-data.js';

export interface StartedServer {
  server: RunningServer;
  config: ServerConfig;
}

/** Load the configuration from the command's options and start the server; `print` gets its notices (first-start admin login). */
export async function startServerCommand(opts: Record<string, unknown>, print: (line: string) => void): Promise<StartedServer> {
  const config = loadConfig({
    db: opts.db,
    port: opts.port,
    host: opts.host,
    role: opts.role,
    config: opts.config as string | undefined,
    dataDir: opts.dataDir,
    metricsPublic: opts.metricsPublic,
    vulnDb: opts.vulnDb,
    workerConcurrency: opts.workerConcurrency,
    demo: opts.demo,
    demoImage: opts.demoImage,
    agentPort: opts.agentPort,
  });
  if (config.demo && !config.vulnDb && existsSync(resolve('.vigil-demo/vigil.db'))) config.vulnDb = resolve('.vigil-demo/vigil.db');
  const server = await startServer(config, { print });
  return { server, config };
}

/** What the demo set-up did: the scanned image and its counts, and the admin login when generated now. */
export interface DemoSummary {
  ref: string;
  packages: number;
  critical: number;
  high: number;
  medium: number;
  low: number;
  /** Whether demo alerts, a policy and a cluster were added now (demo-data.ts; once per data directory). */
  demoData: boolean;
  url?: string;
  adminPassword?: string;
}

/** Add and scan the demo image in the default project (once), and say what it found. */
export async function setUpDemo(server: RunningServer, imagePath?: string): Promise<DemoSummary> {
  const ctx = server.ctx;
  const path = resolve(imagePath ?? '.vigil-demo/demo-image.tar');
  if (!existsSync(path))
    throw new InputError('DEMO_IMAGE', 'demo image not found; build it with `node scripts/build-demo-image.mjs` or pass --demo-image PATH', path);
  const projectId = server.boot!.defaultProjectId;
  const ref = `docker-archive:${path}`;
  const image = await ensureImage(ctx, { actor: SYSTEM_ACTOR, event: 'addImage' }, projectId, ref, { ref, demo: true });
  let scanId = image.lastScanId;
  if (!scanId) {
    scanId = await ctx.scans.enqueue(projectId, image.id, 'demo');
    const deadline = Date.now() + 180_000;
    for (;;) {
      const s = await scanStatus(ctx, scanId);
      if (s.status === 'succeeded') break;
      if (s.status === 'failed') throw new InputError('DEMO_SCAN', `demo scan failed: ${s.error}`, path);
      if (Date.now() > deadline) throw new InputError('DEMO_SCAN', 'demo scan did not finish within 3 minutes', path);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  const im = await imageSummary(ctx, image.id);
  const demoData = await seedDemoData(ctx, projectId, image.id, ref);
  return {
    ref,
    packages: im.packages,
    demoData,
    critical: im.critical,
    high: im.high,
    medium: im.medium,
    low: im.low,
    ...(server.url ? { url: server.url } : {}),
    ...(server.boot!.admin ? { adminPassword: server.boot!.admin.password } : {}),
  };
}
