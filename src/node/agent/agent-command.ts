// Implementation of `vigil agent`: enroll (or load the saved identity), open
// the on-disk queue, start the sender, and run the runtime pipeline
// (src/node/runtime/watch.ts) with an output that queues every alert, appends
// it to the local JSON log (<data-dir>/alerts.jsonl, rotated at 64 MiB) and
// kicks the sender; follows the Docker Engine and containerd for the node
// inventory (./runtime-watch.ts with its Docker and containerd backends) and
// scans the node's images of both (./image-scanner.ts); follows the
// kube-apiserver audit log on nodes that carry one (../k8s/audit-follow.ts);
// applies the policies the server pushes (./policies.ts) to the running
// pipeline, and stops or starts runtime detection and audit following with
// the cluster's protection; reports what learn mode learned and forgets what
// the server decided. During a flood identical alerts are aggregated
// (src/core/alerts/flood.ts) before they are queued. Stays useful offline: the pipeline runs whether or not
// the server is reachable. Prints `vigil agent: ready` on stderr once the
// sensors are attached.
import { appendFileSync, existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { hostname, release } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { randomUUID } from 'node:crypto';
import { FloodAggregator } from '../../core/alerts/flood.js';
import type { Alert } from '../../core/alerts/types.js';
import { runWatch } from '../runtime/watch.js';
import type { RuntimeOutput, RuntimePipeline } from '../runtime/pipeline.js';
import { AlertQueue, DEFAULT_QUEUE_CAP } from './queue.js';
import { enrollOrLoad, parseServer, Sender } from './link-client.js';
import { DockerEngine, dockerSocketPath } from '../docker/engine-api.js';
import { DockerWatch } from './docker-watch.js';
import { ContainerdWatch } from './containerd-watch.js';
import { ContainerdClient, containerdSocketPath } from '../containerd/client.js';
import type { NodeContainer } from '../../core/checks/node-container.js';
import { ContainerStartSensor } from '../sensors/container-starts.js';
import { AgentPolicies, type AppliedPolicies } from './policies.js';
import { NodeImageScanner } from './image-scanner.js';
import { ContainerdImages, DockerImages, type NodeImageProvider } from './node-images.js';
import { derivedAlertId } from '../../core/alerts/derived-id.js';
import { STARTUP_ALERT_TYPE } from '../../core/checks/spec.js';
import { learnedReport } from '../../core/policy/learned.js';
import { findApiserverAuditLog } from '../k8s/apiserver-audit-log.js';

export const LOCAL_LOG_MAX_BYTES = 64 * 1024 * 1024;

export interface AgentOptions {
  server: string;
  token?: string;
  caHash?: string;
  dataDir: string;
  nodeName?: string;
  queueCap?: number;
  heartbeatSeconds?: number;
  sensor?: 'ebpf' | 'procfs';
  keyFiles?: string[];
  authLogs?: string[];
  policyFile?: string;
  builtinRules?: boolean;
  ruleFiles?: string[];
  /** Docker Engine socket (container names and images, the node inventory); default DOCKER_HOST, else /var/run/docker.sock. */
  dockerSocket?: string;
  /** containerd socket (the node inventory of its containers, start checks); default CONTAINERD_ADDRESS, else /run/containerd/containerd.sock. */
  containerdSocket?: string;
  /** kube-apiserver audit log to follow; default: a local kube-apiserver's --audit-log-path; 'none': off. */
  k8sAuditLog?: string;
  until?: Promise<unknown>;
  /** Operator notices (the CLI writes them to stderr). */
  print: (line: string) => void;
}

export async function runAgent(o: AgentOptions): Promise<number> {
  const print = o.print;
  const server = parseServer(o.server);
  mkdirSync(o.dataDir, { recursive: true, mode: 0o700 });
  const version = (createRequire(import.meta.url)('../../../package.json') as { version: string }).version;
  const nodeName = o.nodeName ?? hostname();
  const identity = await enrollOrLoad({ server, dataDir: o.dataDir, token: o.token, caHash: o.caHash, nodeName, version, kernel: release() });
  print(`enrolled as node ${identity.nodeId} (cluster ${identity.clusterId})`);
  const queue = new AlertQueue(join(o.dataDir, 'queue.db'), o.queueCap ?? DEFAULT_QUEUE_CAP);
  let sensors = '';
  let pipeline: RuntimePipeline | undefined;
  const policies = new AgentPolicies(o.dataDir, print);
  let sender: Sender | undefined = undefined;
  // The node's runtimes, whichever it has: the Docker Engine (DOCKER_HOST or --docker-socket) and containerd
  // (CONTAINERD_ADDRESS or --containerd-socket): the inventory of their containers, start checks, their images.
  const dockerSocket = dockerSocketPath(o.dockerSocket);
  const engine = existsSync(dockerSocket) ? new DockerEngine({ socketPath: dockerSocket, timeoutMs: 5000 }) : undefined;
  const containerdSocket = containerdSocketPath(o.containerdSocket);
  const containerd = existsSync(containerdSocket) ? new ContainerdClient({ socketPath: containerdSocket, timeoutMs: 5000 }) : undefined;
  // Docker's own containers live in containerd's `moby` namespace: the Docker Engine reports those, named.
  const skipNamespaces = new Set(engine ? ['moby'] : []);
  const providers: NodeImageProvider[] = [
    ...(engine ? [new DockerImages(engine)] : []),
    ...(containerd ? [new ContainerdImages(containerd, skipNamespaces)] : []),
  ];
  const images = providers.length
    ? new NodeImageScanner({
        providers,
        dataDir: o.dataDir,
        send: (json) => sender?.sendImageScan(json) ?? false,
        sendPresent: (json) => sender?.sendNodeImages(json),
        notice: print,
      })
    : undefined;
  const onCommand = (kind: string, json: string) => {
    if (kind === 'scan-image') {
      if (images) images.request(json);
      else print('ignoring scan-image: no Docker Engine or containerd on this node');
      return;
    }
    if (kind !== 'policies') {
      print(`ignoring command ${kind.slice(0, 40)} (not supported by this agent)`);
      return;
    }
    const r = policies.apply(json);
    if (!r.deferred) applied(r);
  };
  // Cluster protection (the pushed set's `protected`): closed stops runtime detection (docs/agent.md).
  let detecting = true;
  const setDetection = (on: boolean) => {
    if (on !== detecting) print(on ? 'runtime detection on: cluster protection is open' : 'runtime detection off: cluster protection is closed');
    detecting = on;
    sender?.sendDetection(on, on ? '' : 'cluster protection closed');
  };
  const applied = (r: AppliedPolicies) => {
    if (r.error) print(`refused the server's policies: ${r.error}`);
    else {
      print(
        `policies applied: revision ${r.revision.slice(0, 19)}, ${r.count} runtime policies${r.detection !== undefined ? `, ${r.detection} detection policies` : ''}`,
      );
      setDetection(policies.current?.protected !== false);
    }
    sender?.reportApplied(r.revision, r.error ?? '');
  };
  policies.onApplied = applied;
  sender = new Sender({
    onCommand,
    onLearnedDecisions: (json) => policies.forgetLearned(json),
    onThreatList: (chunk) => policies.threatListChunk(chunk),
    server,
    identity,
    dataDir: o.dataDir,
    queue,
    heartbeatMs: (o.heartbeatSeconds ?? 15) * 1000,
    notice: print,
    status: () => ({ version, kernel: release(), sensors }),
    onImageScanAck: (imageId, error) => images?.acknowledged(imageId, error),
    onConnect: () => images?.connected(),
    health: () => {
      // One pipeline call: each sensor's state and the lost events they sum to.
      const s = pipeline?.snapshot();
      return {
        lostEvents: s?.lost ?? 0,
        sensors: JSON.stringify((s?.sensors ?? []).map((h) => ({ name: h.name, state: h.state, detail: h.detail, events: h.events, lost: h.lost }))),
      };
    },
  });
  sender.sendDetection(detecting);
  const logFile = join(o.dataDir, 'alerts.jsonl');
  let dropNoted = 0;
  let watch: DockerWatch | undefined;
  let containerdWatch: ContainerdWatch | undefined;
  const flood = new FloodAggregator(randomUUID);
  let floodNoted = 0;
  const enqueue = (a: Alert) => {
    if (!queue.push(a) && queue.dropped - dropNoted >= 1000) {
      dropNoted = queue.dropped;
      print(`queue full (${queue.cap} alerts): ${queue.dropped} alerts dropped so far`);
    }
    sender!.kick();
  };
  const floodTimer = setInterval(() => {
    for (const a of flood.flush(Date.now())) enqueue(a);
    if (flood.aggregated - floodNoted >= 1000) {
      floodNoted = flood.aggregated;
      print(`alert flood: ${flood.aggregated} identical alerts aggregated so far`);
    }
  }, 1000);
  floodTimer.unref();
  const output: RuntimeOutput = {
    alert(a: Alert) {
      // A start check's alert has an ID of its container start and finding: checked again after an agent restart, stored once.
      if (a.type === STARTUP_ALERT_TYPE && a.container?.id && (watch || containerdWatch)) {
        const start = watch?.startOf(a.container.id) || containerdWatch?.startOf(a.container.id) || '';
        a.id = derivedAlertId('startup', identity.nodeId, a.container.id, start, a.rule, a.message);
      }
      const line = `${JSON.stringify(a)}\n`;
      try {
        if ((statSync(logFile, { throwIfNoEntry: false })?.size ?? 0) + line.length > LOCAL_LOG_MAX_BYTES) renameSync(logFile, `${logFile}.1`);
        appendFileSync(logFile, line, { mode: 0o600 });
      } catch (e) {
        print(`cannot write the local alert log ${logFile}: ${(e as Error).message}`);
      }
      // Every alert is in the local log; the queue gets the first of a flood and then one alert per window.
      const now = flood.offer(a, Date.now());
      if (now) enqueue(now);
    },
    notice(m: string) {
      if (m.startsWith('runtime sensors ready')) {
        sensors = m.replace(/^runtime sensors ready: /, '');
        print(`ready: ${sensors}`);
      } else print(m);
    },
  };
  sender.start();
  // The node inventory: one list sent up, the Docker and containerd parts kept current.
  const parts: { docker: NodeContainer[]; containerd: NodeContainer[] } = { docker: [], containerd: [] };
  const inventory = (part: keyof typeof parts) => (list: NodeContainer[]) => {
    parts[part] = list;
    sender!.sendInventory(JSON.stringify([...parts.docker, ...parts.containerd]));
  };
  const sources = [...(engine ? [`docker ${dockerSocket}`] : []), ...(containerd ? [`containerd ${containerdSocket}`] : [])];
  const starts = sources.length ? new ContainerStartSensor({ host: hostname(), source: sources.join(', ') }) : undefined;
  if (engine) {
    watch = new DockerWatch({ engine, onInventory: inventory('docker'), onStart: (doc) => starts?.started(doc), notice: print });
    watch.start();
  } else print(`no Docker Engine at ${dockerSocket}: no Docker containers or images in the node inventory`);
  if (containerd) {
    containerdWatch = new ContainerdWatch({
      client: containerd,
      skipNamespaces,
      onInventory: inventory('containerd'),
      onStart: (s) => starts?.startedSpec(s),
      notice: print,
    });
    containerdWatch.start();
  } else print(`no containerd at ${containerdSocket}: no containerd containers or images in the node inventory`);
  images?.start();
  const until =
    o.until ??
    new Promise<void>((res) => {
      process.once('SIGINT', () => res());
      process.once('SIGTERM', () => res());
    });
  // Cluster detection from the kube-apiserver's audit log, on the nodes that carry one.
  const auditLog = o.k8sAuditLog === 'none' ? undefined : (o.k8sAuditLog ?? findApiserverAuditLog());
  const stopAudit = new AbortController();
  let audit: Promise<void> | undefined;
  if (auditLog) {
    // Loaded only here: most nodes carry no kube-apiserver (its rules, parser and pipeline would be resident memory for nothing).
    const { createClusterEngine } = await import('../k8s/cluster-engine.js');
    const { followAuditLog } = await import('../k8s/audit-follow.js');
    const ce = await createClusterEngine({ host: nodeName });
    print(`following the kube-apiserver audit log ${auditLog}`);
    audit = followAuditLog({
      path: auditLog,
      stateFile: join(o.dataDir, 'k8s-audit-position.json'),
      ce,
      emit: (alerts) => alerts.forEach((a) => output.alert(a)),
      warn: print,
      signal: stopAudit.signal,
      active: () => detecting,
    }).catch((e: unknown) => print(`stopped following ${auditLog}: ${(e as Error).message}`));
  }
  try {
    return await runWatch({
      output,
      until,
      sensor: o.sensor ?? 'ebpf',
      keyFiles: o.keyFiles,
      authLogs: o.authLogs,
      policyFile: o.policyFile,
      builtinRules: o.builtinRules,
      ruleFiles: o.ruleFiles,
      stateFile: join(o.dataDir, 'runtime-learn.json'),
      statsIntervalMs: 0,
      extraProtectedPaths: policies.savedProtectedPaths(),
      dockerSocket,
      ...(starts ? { extraSensors: [starts] } : {}),
      livePolicies: (stage, probe, detection) => policies.bind(stage, probe, detection),
      detecting: () => detecting,
      onLearned: (learn) => sender!.sendLearned(JSON.stringify(learnedReport(learn))),
      onPipeline: (p) => {
        pipeline = p;
      },
    });
  } finally {
    stopAudit.abort();
    await audit;
    clearInterval(floodTimer);
    for (const a of flood.flush(Date.now(), true)) queue.push(a);
    await watch?.stop();
    await images?.stop();
    await containerdWatch?.stop();
    containerd?.close();
    await sender.stop();
    queue.close();
  }
}
