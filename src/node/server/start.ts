// Starting the server process by role: `all` (API + scheduler + scan
// workers), `api` (API + scheduler), `worker` (scan workers only; needs
// PostgreSQL, whose pg-boss queue the processes share). Wires the store,
// secret box, queue, scan service, notifier and scheduler into one context.
import { dirname, resolve } from 'node:path';
import pino from 'pino';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { InputError } from '../../core/errors.js';
import type { ServerConfig } from './config.js';
import type { ServerContext } from './context.js';
import { openStore, parseDbUrl } from '../store/store.js';
import { SecretBox, loadSecretKey } from '../crypto/secret-box.js';
import { AuditCheckpointer, auditChainKey, loadSigningKey } from './audit-keys.js';
import { InProcessQueue } from '../jobs/in-process-queue.js';
import { PgBossQueue } from '../jobs/pg-boss-queue.js';
import type { JobQueue } from '../jobs/queue.js';
import { ScanService, SCAN_QUEUE, type ScanFn } from '../jobs/scan-service.js';
import { Scheduler } from '../jobs/scheduler.js';
import { VulnDbIdentityReader, vulnDbStatus } from '../jobs/vulndb-identity.js';
import { Notifier } from '../notify/dispatcher.js';
import { OutboundGuard, parseAllowList } from '../net/outbound.js';
import { ServerImagePolicy, parseLocalDirs } from '../image/server-policy.js';
import { Metrics } from './metrics.js';
import { buildApp } from './app.js';
import { bootstrap, type BootstrapResult } from './bootstrap.js';
import { withStartupLock } from '../store/startup-lock.js';
import { changeBus } from '../store/changes.js';
import { loadOrCreatePki } from '../agent/pki.js';
import { startAgentLink, type AgentLinkServer } from '../agent/link-server.js';

export interface StartOptions {
  clock?: () => Date;
  scanFn?: ScanFn;
  log?: FastifyBaseLogger;
  /** Where one-time messages (the generated admin password) go; default: nowhere (the CLI passes stdout). */
  print?: (line: string) => void;
  /** Do not start the periodic scheduler loop (tests call tick()). */
  noSchedulerLoop?: boolean;
}

export interface RunningServer {
  ctx: ServerContext;
  app?: FastifyInstance;
  url?: string;
  scheduler?: Scheduler;
  boot?: BootstrapResult;
  /** The node agent link (gRPC over TLS), served with the API. */
  agentLink?: AgentLinkServer;
  close(): Promise<void>;
}

export async function createContext(config: ServerConfig, o: StartOptions = {}): Promise<ServerContext> {
  const dialect = parseDbUrl(config.db).dialect;
  if (config.role === 'worker' && dialect !== 'postgres') {
    throw new InputError(
      'ROLE_NEEDS_POSTGRES',
      "role worker needs PostgreSQL (--db postgres://...): SQLite's in-process queue cannot be shared by worker processes",
      '--role',
    );
  }
  const log = o.log ?? (pino({ level: process.env.VIGIL_LOG_LEVEL ?? 'warn' }) as unknown as FastifyBaseLogger);
  const clock = o.clock ?? (() => new Date());
  const secretKey = loadSecretKey(config.secretKey, config.dataDir);
  const secrets = new SecretBox(secretKey);
  const auditSigningKey = loadSigningKey(config.dataDir, true);
  const store = await openStore(config.db, { backgroundCheckpoints: true });
  store.auditKey = auditChainKey(secretKey);
  let queue: JobQueue;
  if (store.dialect === 'postgres') {
    queue = new PgBossQueue({
      connectionString: store.pg!.connectionString,
      schema: store.pg!.schema === 'public' ? 'pgboss' : `${store.pg!.schema}_boss`,
      pollingIntervalSeconds: Math.max(1, config.jobPollSeconds),
      maintenanceIntervalSeconds: Math.max(1, config.jobMaintenanceSeconds),
    });
  } else {
    queue = new InProcessQueue();
  }
  const metrics = new Metrics();
  const outbound = new OutboundGuard({ allow: parseAllowList(config.outboundAllow) });
  const localDirs = parseLocalDirs(config.localImageDirs);
  // The demo scans its own image by local reference: its directory is allowed.
  if (config.demo) localDirs.push(dirname(resolve(config.demoImage ?? '.vigil-demo/demo-image.tar')));
  const imagePolicy = new ServerImagePolicy({
    localDirs,
    outbound,
    tokenRealms: config.tokenRealms
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean),
  });
  const notifier = new Notifier({
    store,
    secrets,
    clock,
    outbound,
    onError: (t, e) => log.warn({ target: t, err: e }, 'notification failed'),
    onDrop: () => metrics.inc('vigil_notifications_dropped_total', 'Notifications dropped because too many deliveries were in flight.'),
  });
  const scans = new ScanService({
    store,
    queue,
    secrets,
    clock,
    scanFn: o.scanFn,
    imagePolicy,
    vulnDbPath: config.vulnDb,
    queueOptions: { retryLimit: config.jobRetryLimit, retryDelaySeconds: config.jobRetryDelaySeconds, expireInSeconds: config.jobExpireSeconds },
    events: {
      scanFinished: (e) => {
        void notifier.scanFinished(e).catch(() => {});
      },
      alertsRaised: (projectId, alerts) => {
        void notifier.alerts(projectId, alerts).catch(() => {});
      },
    },
  });
  metrics.gauge('vigil_scan_jobs_pending', 'Scan jobs waiting or running.', () => queue.size(SCAN_QUEUE));
  const vulnDb = new VulnDbIdentityReader(scans.vulnDbPath);
  metrics.info(
    'vigil_vulndb_info',
    'The vulnerability DB this process serves (digest: its content digest) and the deployment\'s newest; stale="1" when this one is older.',
    async () => {
      const st = await vulnDbStatus(store, vulnDb);
      return {
        digest: st.served?.digest ?? '',
        built_at: st.served?.builtAt ?? '',
        deployment_digest: st.deployment?.digest ?? '',
        stale: st.stale ? '1' : '0',
      };
    },
  );
  metrics.gauge('vigil_vulndb_stale', "Whether this process serves an older vulnerability DB than the deployment's newest (1) or not (0).", async () =>
    (await vulnDbStatus(store, vulnDb)).stale ? 1 : 0,
  );
  const changes = changeBus(store, (e) => log.warn({ err: e }, 'change notifications'));
  return { store, config, secrets, queue, scans, notifier, metrics, clock, log, authCache: new Map(), vulnDb, auditSigningKey, outbound, imagePolicy, changes };
}

export async function startServer(config: ServerConfig, o: StartOptions = {}): Promise<RunningServer> {
  const print = o.print ?? (() => {});
  const ctx = await createContext(config, o);
  const closers: Array<() => Promise<void> | void> = [ctx.metrics.watchEventLoop()];
  const running: RunningServer = {
    ctx,
    close: async () => {
      for (const c of closers.reverse()) await c();
      await ctx.notifier.flush();
      await ctx.store.close();
    },
  };
  try {
    // Replicas started at once create the queues and the first admin one after the other.
    await withStartupLock(ctx.store, async () => {
      await ctx.queue.start();
      closers.push(() => ctx.queue.stop());
      await ctx.scans.init();
      if (config.role !== 'worker') running.boot = await bootstrap(ctx);
    });
    if (config.role !== 'worker') {
      // Signs the trail's head periodically and last thing on shutdown (closers run in reverse).
      const checkpointer = new AuditCheckpointer({
        store: ctx.store,
        key: ctx.auditSigningKey,
        dataDir: config.dataDir,
        clock: ctx.clock,
        onError: (e) => ctx.log.warn({ err: e }, 'audit checkpoint failed'),
        onCheckpoint: (c) => {
          void ctx.notifier.auditCheckpoint(c).catch(() => {});
        },
      });
      checkpointer.start(Math.max(0, config.auditCheckpointSeconds) * 1000);
      closers.push(() => checkpointer.stop());
      const boot = running.boot!;
      if (boot.admin) {
        print(
          boot.admin.generated
            ? `vigil: created user admin with the one-time password ${boot.admin.password} (change it; set VIGIL_ADMIN_PASSWORD to choose it)`
            : 'vigil: created user admin with the password from VIGIL_ADMIN_PASSWORD',
        );
      }
      const pki = await loadOrCreatePki(
        config.dataDir,
        config.agentNames
          .split(',')
          .map((n) => n.trim())
          .filter(Boolean),
      );
      ctx.agentCaHash = pki.caHash;
      const app = await buildApp(ctx);
      running.app = app;
      closers.push(() => app.close());
      try {
        await app.listen({ host: config.host, port: config.port });
      } catch (e) {
        const code = (e as { code?: string }).code;
        if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL')
          throw new InputError('LISTEN', `cannot listen: ${code}`, `${config.host}:${config.port}`);
        throw e;
      }
      const addr = app.server.address();
      const port = typeof addr === 'object' && addr ? addr.port : config.port;
      running.url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
      try {
        const link = await startAgentLink(ctx, pki, {
          host: config.host,
          port: config.agentPort,
          offlineSeconds: Math.max(1, config.agentOfflineSeconds),
          certSeconds: config.agentCertSeconds,
          alertRate: config.agentAlertRate,
          alertBurst: config.agentAlertBurst,
          commitIntervalMs: config.agentCommitMs,
          commits: config.agentCommits,
        });
        running.agentLink = link;
        closers.push(() => link.close());
      } catch (e) {
        throw new InputError('LISTEN', `cannot serve the agent link: ${(e as Error).message.split('\n')[0]}`, `${config.host}:${config.agentPort}`);
      }
      const vulnDbPath = ctx.scans.vulnDbPath;
      const scheduler = new Scheduler({
        store: ctx.store,
        scans: ctx.scans,
        clock: ctx.clock,
        vulnDb: () => ctx.vulnDb.current(),
        vulnDbPath,
        onError: (e) => ctx.log.warn({ err: e }, 'scheduler tick failed'),
      });
      running.scheduler = scheduler;
      if (!o.noSchedulerLoop) {
        scheduler.start(Math.max(1, config.schedulerIntervalSeconds) * 1000);
        closers.push(() => scheduler.stop());
      }
    }
    if (config.role !== 'api') {
      await ctx.scans.startWorkers(config.workerConcurrency);
      if (ctx.queue.kind === 'in-process') await ctx.scans.recover();
    }
  } catch (e) {
    await running.close().catch(() => {});
    throw e;
  }
  return running;
}
