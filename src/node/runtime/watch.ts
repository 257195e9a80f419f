// `vigil runtime watch`: builds the runtime pipeline (./pipeline.ts) for this
// host and runs it until stopped. Owns the wiring: prerequisites (exit 2 when
// not root, no tracefs, no BTF), the policy file and learn state, the engine,
// the procfs inventory, the sensors (bpftrace, or the procfs polling
// fallback; key-file integrity; auth logs; CPU sampling; account files),
// the malware signatures run on every new executable (../malware: the image
// scanner's YARA rules and hash lists), and the exit code (3 when a
// sensor died). Prints nothing itself: alerts, notices and stats go to the
// output the caller gives (src/cli/runtime/output.ts for the command).
import { hostname } from 'node:os';
import { InputError } from '../../core/errors.js';
import type { Alert } from '../../core/alerts/types.js';
import type { PolicyDocument } from '../../core/policy/model.js';
import { protectedPaths } from '../../core/policy/model.js';
import { PolicyStage } from '../../core/policy/stage.js';
import type { LearnState } from '../../core/policy/evaluate.js';
import {
  buildProgram,
  syscallTracepoints,
  DEFAULT_PROTECTED_PREFIXES,
  DEFAULT_SENSITIVE_PATHS,
  programEnv,
  rootDevice,
  sensitiveIdentities,
  v1SubsysIndex,
} from '../sensors/bpftrace/program.js';
import { checkPrereqs } from '../sensors/bpftrace/runner.js';
import { EbpfSensor } from '../sensors/bpftrace/sensor.js';
import { ProcCache, ProcFs, readBounded } from '../sensors/procfs.js';
import { ContainerResolver, type MetadataClient } from '../sensors/container-resolver.js';
import { DockerClient } from '../sensors/docker-client.js';
import { CrictlClient } from '../sensors/cri-client.js';
import { ProcPoller } from '../sensors/proc-poller.js';
import { FileIntegrity, KEY_FILES } from '../sensors/file-integrity.js';
import { AuthLogTail, DEFAULT_AUTH_LOGS } from '../sensors/auth-log.js';
import { CpuSampler } from '../sensors/cpu-sampler.js';
import { AccountFilesSensor } from '../sensors/account-files.js';
import { pageOutOwnExecutable } from '../sensors/page-out.js';
import type { Sensor } from '../sensors/sensor.js';
import { behaviorThresholds, type BehaviorThresholds } from '../../core/behavior/thresholds.js';
import type { DetectionPolicy } from '../../core/policy/detection.js';
import { defaultThresholds } from '../../core/policy/thresholds.js';
import { readThresholdsFile } from './thresholds-file.js';
import { readPolicyFiles, readLearnState, writeLearnState } from './policy-file.js';
import { liveDetection, type EngineLike, type LiveDetection } from './engine.js';
import { RuntimePipeline, type KillFn, type RuntimeOutput } from './pipeline.js';
import { ExecScanner } from '../malware/exec-scanner.js';
import { loadSignatures } from '../malware/signatures.js';

export interface WatchOptions {
  /** When node's start-up pages go back to the kernel after the sensors are ready (OWN_PAGES_DELAY_MS). */
  ownPagesDelayMs?: number;
  ruleFiles?: string[];
  /** Load the built-in rules (default true). */
  builtinRules?: boolean;
  policyFile?: string;
  /** Policy files (runtime and/or detection policies); `policyFile` is one more. */
  policyFiles?: string[];
  threatIpsFile?: string;
  /** Where learned whitelists are kept. */
  stateFile?: string;
  sensor?: 'ebpf' | 'procfs';
  /** Attach raw_syscalls:sys_enter for module loading and kexec (default true; costly, see bench/README.md). */
  rawSyscalls?: boolean;
  pollIntervalMs?: number;
  /** Stats every N ms (0: only at exit). */
  statsIntervalMs?: number;
  /** Key files hashed for system/key-file-change (default: the catalog's list). */
  keyFiles?: string[];
  authLogs?: string[];
  /**
   * Sampling parameters of the CPU sampler and the account-files sensor (default src/core/behavior/thresholds.ts), and
   * optionally a CPU threshold (`cpuThreshold`, applied as the first detection policy); `thresholdsFile` is read when this is not given.
   */
  thresholds?: BehaviorThresholds;
  thresholdsFile?: string;
  dockerSocket?: string;
  /** Run the malware signatures on each new executable (default true). */
  malware?: boolean;
  /** Extra YARA rule / hash list files or directories, beside the built-in ones (`--malware-rules`). */
  malwareRules?: string[];
  /** Where alerts, notices and stats go. */
  output: RuntimeOutput;
  /** Resolves when the watch should stop (default: SIGINT/SIGTERM). */
  until?: Promise<unknown>;
  /** Injected engine (tests); default: the built-in rules plus ruleFiles, with the policies' decision. */
  engine?: EngineLike | null;
  clock?: () => number;
  kill?: KillFn;
  /**
   * The node agent: always build a policy stage (empty without a policy
   * file) and hand it over before the sensors start, so policies pushed later
   * replace its document live (PolicyStage.replace). Also given the file
   * paths the probe watches (eBPF compiles them in at start).
   */
  /** Sensors of the caller, run beside the host's (the agent's container starts). */
  extraSensors?: Sensor[];
  /** Whether detection runs now (the agent: cluster protection); default always. */
  detecting?: () => boolean;
  /** More paths the eBPF probe watches opens of (the agent's saved pushed file-protection paths). */
  extraProtectedPaths?: string[];
  /** Told of the learn state after each save (and once at start): the agent reports it to the server. */
  onLearned?: (learn: LearnState) => void;
  livePolicies?: (stage: PolicyStage, probe: { protectedPrefixes: readonly string[] | undefined }, detection: LiveDetection) => void;
  /** Handed the pipeline before its sensors start (the agent reads sensor health from it). */
  onPipeline?: (p: RuntimePipeline) => void;
}

export const DEFAULT_STATE_FILE = '/var/lib/vigil/runtime-learn.json';
/** Long enough for the start's last work (the first container inventory, the first CPU samples) to be over. */
export const OWN_PAGES_DELAY_MS = 30_000;

/** Minimum time between two collections asked for by the exec scanner (ms). */
export const GC_MIN_GAP_MS = 10_000;
let lastGc = -Infinity;

/**
 * A full garbage collection after the exec scanner read a large executable whole (its buffer, up to 64 MiB,
 * is garbage once the scan ends): only when Node runs with `--expose-gc` (the agent image's launcher does),
 * at most once per GC_MIN_GAP_MS; whether it ran. Without it the buffer stays resident until V8's next major
 * collection, which an idle agent may not run for minutes.
 */
export function collectGarbage(now = performance.now()): boolean {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (typeof gc !== 'function' || now - lastGc < GC_MIN_GAP_MS) return false;
  lastGc = now;
  gc();
  return true;
}

export async function runWatch(o: WatchOptions): Promise<number> {
  const host = hostname();
  const clock = o.clock ?? Date.now;
  const sensorKind = o.sensor ?? 'ebpf';

  // Inputs first: a bad policy or rule file is exit 2 before anything starts.
  const files = [...(o.policyFiles ?? []), ...(o.policyFile ? [o.policyFile] : [])];
  const read = readPolicyFiles(files);
  const policy: PolicyDocument | undefined = read.runtime;
  const thresholds = o.thresholds ?? (o.thresholdsFile ? readThresholdsFile(o.thresholdsFile) : behaviorThresholds());
  // The CPU threshold has one home, the detection policies' `cpu` (shared by the rule and the sampler): a
  // thresholds file's cpu.percent / cpu.sustainSeconds enter the engine as the first detection policy
  // (a detection policy's `cpu` threshold, later, wins over it).
  const fromFile: DetectionPolicy[] = thresholds.cpuThreshold
    ? [{ name: o.thresholdsFile ?? 'thresholds', thresholds: { cpu: { ...thresholds.cpuThreshold } } }]
    : [];
  const detection = read.detection || fromFile.length ? [...fromFile, ...(read.detection?.policies ?? [])] : undefined;
  const stateFile = o.stateFile ?? DEFAULT_STATE_FILE;
  const stage = policy || o.livePolicies ? new PolicyStage(policy ?? { policies: [] }, readLearnState(stateFile), clock) : undefined;
  const saveLearned = () => {
    if (!stage) return;
    writeLearnState(stateFile, stage.learn);
    o.onLearned?.(stage.learn);
  };
  if (stage?.takeLearned()) saveLearned();
  else if (stage) o.onLearned?.(stage.learn);

  // Signatures are input too: a broken user rule file is exit 2 before the sensors start.
  const signatures = o.malware === false ? undefined : await loadSignatures(o.malwareRules ?? []);

  let prereqs: ReturnType<typeof checkPrereqs> | undefined;
  if (sensorKind === 'ebpf') prereqs = checkPrereqs();
  else if ((process.getuid?.() ?? -1) !== 0) throw new InputError('SENSOR_NOT_ROOT', 'runtime watch needs root (/proc of every process); run it as root');

  let engine: EngineLike | null;
  if (o.engine !== undefined) engine = o.engine;
  else {
    const { loadEngine } = await import('./engine.js');
    engine =
      o.builtinRules === false && !o.ruleFiles?.length && !o.threatIpsFile && !stage && !detection
        ? null
        : await loadEngine({
            ruleFiles: o.ruleFiles,
            threatIpsFile: o.threatIpsFile,
            host,
            builtin: o.builtinRules !== false,
            clock,
            ...(stage ? { policyDecision: stage.violations } : {}),
            ...(detection ? { detection } : {}),
          });
  }

  const procs = new ProcCache(new ProcFs());
  const clients: MetadataClient[] = [];
  const dockerSock = o.dockerSocket ?? '/var/run/docker.sock';
  if (DockerClient.available(dockerSock)) clients.push(new DockerClient({ socketPath: dockerSock }));
  const cri = CrictlClient.detect();
  if (cri) clients.push(new CrictlClient(cri));
  const containers = new ContainerResolver({ clients, now: clock });
  const self = new Set<number>([process.pid]);
  // VIGIL_KEEP_STARTUP_PAGES=1 keeps the pages only the start used resident: bpftrace's LLVM, node's own
  // start-up code (the benchmark's peer; docs/agent.md).
  const keepStartupPages = process.env.VIGIL_KEEP_STARTUP_PAGES === '1';

  // Inventory of what runs now, so the first events of old processes have their parents and containers.
  for (const pid of procs.fs.pids()) procs.get(pid);

  let main: Sensor;
  let probePrefixes: string[] | undefined;
  if (sensorKind === 'ebpf') {
    const own = [...(policy ? protectedPaths(policy) : []), ...(o.extraProtectedPaths ?? [])];
    const extraProtected = own.map((p) => (p.endsWith('/') ? p : `${p}/`));
    const inodes = sensitiveIdentities();
    const rootDev = rootDevice();
    probePrefixes = [...DEFAULT_PROTECTED_PREFIXES, ...extraProtected, ...own];
    const hostPidns = procs.fs.pidNamespace('self');
    const program = buildProgram({
      ...(hostPidns !== undefined ? { hostPidns } : {}),
      sensitiveInodes: inodes,
      v1SubsysIndex: v1SubsysIndex(readBounded('/proc/cgroups') ?? ''),
      rawSyscalls: o.rawSyscalls !== false,
      syscallTracepoints: syscallTracepoints(),
      sensitivePaths: DEFAULT_SENSITIVE_PATHS,
      protectedPrefixes: probePrefixes,
    });
    main = new EbpfSensor({
      bpftrace: prereqs!.bpftrace,
      program,
      env: programEnv(),
      procs,
      containers,
      host,
      ignore: self,
      now: clock,
      inodes: new Map(inodes.map((x) => [`${x.dev}:${x.ino}`, x.path])),
      ...(rootDev !== undefined ? { rootDev } : {}),
      releaseCompilerPages: !keepStartupPages,
    });
  } else {
    main = new ProcPoller({ procs, containers, host, intervalMs: o.pollIntervalMs ?? 200, ignore: self, now: clock });
  }
  const fim = new FileIntegrity({ paths: o.keyFiles ?? KEY_FILES, host, now: clock });
  const auth = new AuthLogTail({ files: o.authLogs ?? DEFAULT_AUTH_LOGS, host, now: clock });
  // The rule's CPU threshold in force (defaults, thresholds file, detection policies; pushed ones replace the
  // engine live) is the sampler's too: read from the engine at each sample.
  const cpuDefault = defaultThresholds().cpu;
  const level = () => engine?.engine?.thresholds.cpu ?? cpuDefault;
  const cpu = new CpuSampler({ procs, containers, host, thresholds: thresholds.cpu, level, now: clock, ignore: self });
  const accounts = new AccountFilesSensor({ containers, host, thresholds: thresholds.accounts, now: clock });

  if (stage && o.livePolicies) o.livePolicies(stage, { protectedPrefixes: probePrefixes }, liveDetection(engine, detection ?? []));

  const pipeline = new RuntimePipeline({
    host,
    sensors: [main, fim, auth, cpu, accounts, ...(o.extraSensors ?? [])],
    engine,
    outputs: [o.output],
    clock,
    protectedPids: self,
    writers: fim,
    containers,
    ...(stage ? { policies: stage, saveLearned } : {}),
    ...(o.kill ? { kill: o.kill } : {}),
    gauges: () => ({ procs: procs.size, containers: containers.active }),
    ...(signatures
      ? {
          execWatcher: (emit: (a: Alert) => void) =>
            new ExecScanner({
              ...(signatures.engine ? { engine: signatures.engine } : {}),
              knownBad: signatures.knownBad,
              onAlert: emit,
              host,
              clock,
              afterLargeScan: () => collectGarbage(),
              describeContainer: async (c) => {
                const m = await containers.lookup(c.id);
                return m ? { ...c, ...(m.name ? { name: m.name } : {}), ...(m.image ? { image: m.image } : {}) } : c;
              },
            }),
        }
      : {}),
    statsMs: o.statsIntervalMs ?? 0,
    ...(o.detecting ? { detecting: o.detecting } : {}),
  });
  o.onPipeline?.(pipeline);

  const stopSignal =
    o.until ??
    new Promise<void>((res) => {
      const on = () => res();
      process.once('SIGINT', on);
      process.once('SIGTERM', on);
    });

  await pipeline.start();
  const rules = engine && engine.ruleCount > 0 ? `${engine.ruleCount} rules` : 'no rules';
  const detail =
    sensorKind === 'ebpf'
      ? main.health().detail
      : `${main.health().detail} (eBPF not used: only processes that live longer than the interval are seen, and no syscalls)`;
  const sigs = signatures ? `malware signatures on exec (${signatures.info.rules} YARA rules, ${signatures.info.hashes} hashes)` : 'no malware signatures';
  o.output.notice?.(
    `runtime sensors ready: ${detail}, ${rules}, ${stage?.doc.policies.length ? `${stage.doc.policies.length} policies` : 'no policies'}${detection ? `, ${detection.length} detection policies` : ''}, ${sigs}`,
  );

  // Once the start is well over, node's pages that only the start used go back to the kernel (once).
  const ownPages = keepStartupPages
    ? undefined
    : setTimeout(() => void pageOutOwnExecutable(self).catch(() => undefined), o.ownPagesDelayMs ?? OWN_PAGES_DELAY_MS);
  ownPages?.unref();
  const why = await pipeline.run(stopSignal);
  clearTimeout(ownPages);
  await pipeline.stop();
  if (why) {
    o.output.notice?.(why);
    return 3;
  }
  return 0;
}
