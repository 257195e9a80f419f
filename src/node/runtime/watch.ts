// `vigil runtime watch`: builds the runtime pipeline (./pipeline.ts) for this
// host and runs it until stopped. Owns the wiring: prerequisites (exit 2 when
// not root, no tracefs, no BTF), the policy file and learn state, the engine,
// the procfs inventory, the sensors (bpftrace, or the procfs polling
// fallback; key-file integrity; auth logs; CPU sampling; account files),
// and the exit code (3 when a
// sensor died). Prints nothing itself: alerts, notices and stats go to the
// output the caller gives (src/cli/runtime/output.ts for the command).
import { hostname } from 'node:os';
import { InputError } from '../../core/errors.js';
import type { PolicyDocument } from '../../core/policy/model.js';
import { protectedPaths } from '../../core/policy/model.js';
import { PolicyStage } from '../../core/policy/stage.js';
import {
  buildProgram,
  DEFAULT_PROTECTED_PREFIXES,
  DEFAULT_SENSITIVE_PATHS,
  programEnv,
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
import type { Sensor } from '../sensors/sensor.js';
import { behaviorThresholds, type BehaviorThresholds } from '../../core/behavior/thresholds.js';
import { readThresholdsFile } from './thresholds-file.js';
import { readPolicyFile, readLearnState, writeLearnState } from './policy-file.js';
import type { EngineLike } from './engine.js';
import { RuntimePipeline, type KillFn, type RuntimeOutput } from './pipeline.js';

export interface WatchOptions {
  ruleFiles?: string[];
  /** Load the built-in rules (default true). */
  builtinRules?: boolean;
  policyFile?: string;
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
  /** Thresholds of the CPU sampler and the account-files sensor (default src/core/behavior/thresholds.ts); `thresholdsFile` is read when this is not given. */
  thresholds?: BehaviorThresholds;
  thresholdsFile?: string;
  dockerSocket?: string;
  /** Where alerts, notices and stats go. */
  output: RuntimeOutput;
  /** Resolves when the watch should stop (default: SIGINT/SIGTERM). */
  until?: Promise<unknown>;
  /** Injected engine (tests); default: the built-in rules plus ruleFiles, with the policies' decision. */
  engine?: EngineLike | null;
  clock?: () => number;
  kill?: KillFn;
}

export const DEFAULT_STATE_FILE = '/var/lib/vigil/runtime-learn.json';

export async function runWatch(o: WatchOptions): Promise<number> {
  const host = hostname();
  const clock = o.clock ?? Date.now;
  const sensorKind = o.sensor ?? 'ebpf';

  // Inputs first: a bad policy or rule file is exit 2 before anything starts.
  const policy: PolicyDocument | undefined = o.policyFile ? readPolicyFile(o.policyFile) : undefined;
  const thresholds = o.thresholds ?? (o.thresholdsFile ? readThresholdsFile(o.thresholdsFile) : behaviorThresholds());
  const stateFile = o.stateFile ?? DEFAULT_STATE_FILE;
  const stage = policy ? new PolicyStage(policy, readLearnState(stateFile), clock) : undefined;
  const saveLearned = () => {
    if (stage) writeLearnState(stateFile, stage.learn);
  };
  if (stage?.takeLearned()) saveLearned();

  let prereqs: ReturnType<typeof checkPrereqs> | undefined;
  if (sensorKind === 'ebpf') prereqs = checkPrereqs();
  else if ((process.getuid?.() ?? -1) !== 0) throw new InputError('SENSOR_NOT_ROOT', 'runtime watch needs root (/proc of every process); run it as root');

  let engine: EngineLike | null;
  if (o.engine !== undefined) engine = o.engine;
  else {
    const { loadEngine } = await import('./engine.js');
    engine =
      o.builtinRules === false && !o.ruleFiles?.length && !o.threatIpsFile && !stage
        ? null
        : await loadEngine({
            ruleFiles: o.ruleFiles,
            threatIpsFile: o.threatIpsFile,
            host,
            builtin: o.builtinRules !== false,
            clock,
            ...(stage ? { policyDecision: stage.violations } : {}),
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

  // Inventory of what runs now, so the first events of old processes have their parents and containers.
  for (const pid of procs.fs.pids()) procs.get(pid);

  let main: Sensor;
  if (sensorKind === 'ebpf') {
    const extraProtected = policy ? protectedPaths(policy).map((p) => (p.endsWith('/') ? p : `${p}/`)) : [];
    const inodes = sensitiveIdentities();
    const hostPidns = procs.fs.pidNamespace('self');
    const program = buildProgram({
      ...(hostPidns !== undefined ? { hostPidns } : {}),
      sensitiveInodes: inodes,
      v1SubsysIndex: v1SubsysIndex(readBounded('/proc/cgroups') ?? ''),
      rawSyscalls: o.rawSyscalls !== false,
      sensitivePaths: DEFAULT_SENSITIVE_PATHS,
      protectedPrefixes: [...DEFAULT_PROTECTED_PREFIXES, ...extraProtected, ...(policy ? protectedPaths(policy) : [])],
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
    });
  } else {
    main = new ProcPoller({ procs, containers, host, intervalMs: o.pollIntervalMs ?? 200, ignore: self, now: clock });
  }
  const fim = new FileIntegrity({ paths: o.keyFiles ?? KEY_FILES, host, now: clock });
  const auth = new AuthLogTail({ files: o.authLogs ?? DEFAULT_AUTH_LOGS, host, now: clock });
  const cpu = new CpuSampler({ procs, containers, host, thresholds: thresholds.cpu, now: clock, ignore: self });
  const accounts = new AccountFilesSensor({ containers, host, thresholds: thresholds.accounts, now: clock });

  const pipeline = new RuntimePipeline({
    host,
    sensors: [main, fim, auth, cpu, accounts],
    engine,
    outputs: [o.output],
    clock,
    protectedPids: self,
    writers: fim,
    ...(stage ? { policies: stage, saveLearned } : {}),
    ...(o.kill ? { kill: o.kill } : {}),
    gauges: () => ({ procs: procs.size, containers: containers.active }),
    statsMs: o.statsIntervalMs ?? 0,
  });

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
  o.output.notice?.(`runtime sensors ready: ${detail}, ${rules}, ${policy ? `${policy.policies.length} policies` : 'no policies'}`);

  const why = await pipeline.run(stopSignal);
  await pipeline.stop();
  if (why) {
    o.output.notice?.(why);
    return 3;
  }
  return 0;
}
