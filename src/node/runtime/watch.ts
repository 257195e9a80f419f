// `vigil runtime watch`: runs the sensors, the detection engine and the
// local policies on this host and prints alerts. Owns the wiring and the
// life cycle: prerequisites (exit 2 when not root, no tracefs, no BTF), the
// procfs inventory, the bpftrace sensor (or the procfs polling fallback),
// enforcement (SIGKILL as soon as a violating event is seen), lost-event
// accounting and alerts, stats lines, and a clean stop on SIGINT/SIGTERM.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Writable } from 'node:stream';
import type { Alert } from '../../core/alerts/types.js';
import type { EngineEvent } from '../../core/events/event.js';
import { InputError } from '../../core/errors.js';
import type { PolicyDocument } from '../../core/policy/model.js';
import { protectedPaths } from '../../core/policy/model.js';
import { evaluate, startLearning, type LearnState, emptyLearnState } from '../../core/policy/evaluate.js';
import { violationAlert, lostEventsAlert } from '../../core/policy/alert.js';
import { buildProgram, DEFAULT_PROTECTED_PREFIXES, DEFAULT_SENSITIVE_PATHS, programEnv, v1SubsysIndex } from '../sensors/bpftrace/program.js';
import { BpftraceRunner, checkPrereqs } from '../sensors/bpftrace/runner.js';
import { Normaliser } from '../sensors/bpftrace/normalise.js';
import { ProcCache, ProcFs, readBounded } from '../sensors/procfs.js';
import { ContainerResolver, type MetadataClient } from '../sensors/container-resolver.js';
import { DockerClient } from '../sensors/docker-client.js';
import { CrictlClient } from '../sensors/cri-client.js';
import { ProcPoller } from '../sensors/proc-poller.js';
import { FileIntegrity, KEY_FILES } from '../sensors/file-integrity.js';
import { AuthLogTail, DEFAULT_AUTH_LOGS } from '../sensors/auth-log.js';
import { readPolicyFile, readLearnState, writeLearnState } from './policy-file.js';
import type { EngineLike } from './engine.js';

export interface WatchOptions {
  format: 'json' | 'text';
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
  /** Stats line on stderr every N ms (0: only at exit). */
  statsIntervalMs?: number;
  /** Also print every normalised event (debugging). */
  events?: boolean;
  /** Key files hashed for system/key-file-change (default: the catalog's list). */
  keyFiles?: string[];
  authLogs?: string[];
  dockerSocket?: string;
  out?: Writable;
  err?: Writable;
  /** Resolves when the watch should stop (default: SIGINT/SIGTERM). */
  until?: Promise<unknown>;
  /** Injected engine (tests); default: the built-in rules plus ruleFiles. */
  engine?: EngineLike | null;
}

export interface WatchStats {
  events: number;
  alerts: number;
  killed: number;
  lost: number;
  bad: number;
  lines: number;
}

export const DEFAULT_STATE_FILE = '/var/lib/vigil/runtime-learn.json';

function writeLine(w: Writable, s: string): void {
  w.write(`${s}\n`);
}

function textAlert(a: Alert): string {
  const c = a.container ? ` container=${a.container.id.slice(0, 12)}${a.container.name ? `(${a.container.name})` : ''}` : '';
  const p = a.process ? ` pid=${a.process.pid} proc=${a.process.name}` : '';
  const act = a.action && a.action.kind !== 'alert' ? ` action=${a.action.kind}${a.action.delayUs !== undefined ? `(${a.action.delayUs}us)` : ''}` : '';
  return `${a.time} ${a.severity.toUpperCase()} ${a.type}${c}${p}${act} ${a.message}`;
}

export async function runWatch(o: WatchOptions): Promise<number> {
  const out = o.out ?? process.stdout;
  const err = o.err ?? process.stderr;
  const host = hostname();
  const sensorKind = o.sensor ?? 'ebpf';

  // Inputs first: a bad policy or rule file is exit 2 before anything starts.
  const policy: PolicyDocument | undefined = o.policyFile ? readPolicyFile(o.policyFile) : undefined;
  const stateFile = o.stateFile ?? DEFAULT_STATE_FILE;
  const learn: LearnState = policy ? readLearnState(stateFile) : emptyLearnState();
  if (policy && startLearning(policy, learn, Date.now())) writeLearnState(stateFile, learn);

  let prereqs: ReturnType<typeof checkPrereqs> | undefined;
  if (sensorKind === 'ebpf') prereqs = checkPrereqs();
  else if ((process.getuid?.() ?? -1) !== 0) throw new InputError('SENSOR_NOT_ROOT', 'runtime watch needs root (/proc of every process); run it as root');

  let engine: EngineLike | null;
  if (o.engine !== undefined) engine = o.engine;
  else {
    const { loadEngine } = await import('./engine.js');
    engine = o.builtinRules === false && !o.ruleFiles?.length && !o.threatIpsFile
      ? null
      : await loadEngine({ ruleFiles: o.ruleFiles, threatIpsFile: o.threatIpsFile, host, builtin: o.builtinRules !== false });
  }

  const procs = new ProcCache(new ProcFs());
  const clients: MetadataClient[] = [];
  const dockerSock = o.dockerSocket ?? '/var/run/docker.sock';
  if (DockerClient.available(dockerSock)) clients.push(new DockerClient({ socketPath: dockerSock }));
  const cri = CrictlClient.detect();
  if (cri) clients.push(new CrictlClient(cri));
  const containers = new ContainerResolver({ clients });
  const stats: WatchStats = { events: 0, alerts: 0, killed: 0, lost: 0, bad: 0, lines: 0 };
  const self = new Set<number>([process.pid]);
  let learnDirty = false;

  const emit = (a: Alert): void => {
    stats.alerts++;
    writeLine(out, o.format === 'json' ? JSON.stringify(a) : textAlert(a));
  };

  /** One event through policies (enforcement first: it is time-critical) and the rules engine. */
  let lagMs = 0;
  // Created here so the handler can name key-file writers; started once the sensors are up.
  const fim: FileIntegrity = new FileIntegrity({ paths: o.keyFiles ?? KEY_FILES, host, onEvent: (e) => handle(e) });
  const handle = (e: EngineEvent, ktimeNs?: number): void => {
    stats.events++;
    // Name the writer of a key file: inotify says what changed, the syscall sensor who opened it.
    if (e.source === 'syscall' && e.type === 'openat' && e.fd?.name && (Number(e.args.flags) & 3) !== 0) fim.noteWrite(e.fd.name, e.proc);
    if (ktimeNs !== undefined) lagMs = (Number(process.hrtime.bigint()) - ktimeNs) / 1e6;
    if (o.events) writeLine(err, `event ${JSON.stringify(e)}`);
    let killedTypes: Map<string, { detail: string; delayUs?: number }> | undefined;
    const policyAlerts: Alert[] = [];
    if (policy && e.source === 'syscall') {
      const ev = evaluate(policy, e, learn, Date.now());
      if (ev.learned) learnDirty = true;
      for (const v of ev.violations) {
        const a = violationAlert(v, e, randomUUID(), host);
        if (v.enforce) {
          const r = kill(e.proc.pid, ktimeNs);
          a.action = r;
          if (r.kind === 'killed') {
            stats.killed++;
            (killedTypes ??= new Map()).set(v.type, { detail: r.detail ?? '', delayUs: r.delayUs });
          }
        }
        policyAlerts.push(a);
      }
    }
    const ruleAlerts = engine ? engine.process(e) : [];
    const ruleTypes = new Set(ruleAlerts.map((a) => a.type));
    for (const a of ruleAlerts) {
      const k = killedTypes?.get(a.type);
      if (k) a.action = { kind: 'killed', detail: k.detail, ...(k.delayUs !== undefined ? { delayUs: k.delayUs } : {}) };
      emit(a);
    }
    // A policy's reverse-shell verdict duplicates the rules' one: keep the rule alert (it carries the kill).
    for (const a of policyAlerts) if (!(a.type === 'system/reverse-shell' && ruleTypes.has(a.type))) emit(a);
  };

  // Live processes per container: when the last one exits the container's metadata is dropped
  // (a restarted container may come back with the same id and other settings).
  const live = new Map<string, Set<number>>();
  const track = (e: EngineEvent): void => {
    if (e.source !== 'syscall' || e.type !== 'execve' || !e.container || e.container.id === 'host') return;
    let s = live.get(e.container.id);
    if (!s) live.set(e.container.id, (s = new Set()));
    if (s.size < 100_000) s.add(e.proc.pid);
  };
  const untrack = (id: string, pid: number): void => {
    const s = live.get(id);
    if (!s) return;
    s.delete(pid);
    if (s.size === 0) {
      live.delete(id);
      containers.forget(id);
    }
  };

  const kill = (pid: number, ktimeNs?: number): { kind: 'killed' | 'alert'; detail: string; delayUs?: number } => {
    // pid 0 would signal our own process group, 1 is init, and never ourselves or bpftrace.
    if (!Number.isInteger(pid) || pid <= 1 || self.has(pid)) return { kind: 'alert', detail: `not killed: pid ${pid} is protected` };
    try {
      process.kill(pid, 'SIGKILL');
      const delayUs = ktimeNs !== undefined ? Math.max(0, Math.round((Number(process.hrtime.bigint()) - ktimeNs) / 1000)) : undefined;
      return { kind: 'killed', detail: `SIGKILL sent to pid ${pid}`, ...(delayUs !== undefined ? { delayUs } : {}) };
    } catch (e) {
      return { kind: 'alert', detail: `kill of pid ${pid} failed: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` };
    }
  };

  // Inventory of what runs now, so the first events of old processes have their parents and containers.
  for (const pid of procs.fs.pids()) procs.get(pid);

  const stopSignal = o.until ?? new Promise<void>((res) => {
    const on = () => res();
    process.once('SIGINT', on);
    process.once('SIGTERM', on);
  });

  let runner: BpftraceRunner | undefined;
  let poller: ProcPoller | undefined;
  let sensorDied: ((m: string) => void) | undefined;
  const died = new Promise<string>((res) => (sensorDied = res));
  const totalLost = () => (runner?.stats.lost ?? 0);
  let reportedLost = 0;
  const checkLost = () => {
    const lost = totalLost();
    if (lost > reportedLost) {
      emit(lostEventsAlert(lost - reportedLost, lost, randomUUID(), host, Date.now()));
      reportedLost = lost;
    }
  };

  if (sensorKind === 'ebpf') {
    const extraProtected = policy ? protectedPaths(policy).map((p) => (p.endsWith('/') ? p : `${p}/`)) : [];
    const program = buildProgram({
      v1SubsysIndex: v1SubsysIndex(readBounded('/proc/cgroups') ?? ''),
      rawSyscalls: o.rawSyscalls !== false,
      sensitivePaths: DEFAULT_SENSITIVE_PATHS,
      protectedPrefixes: [...DEFAULT_PROTECTED_PREFIXES, ...extraProtected, ...(policy ? protectedPaths(policy) : [])],
    });
    const norm = new Normaliser({ procs, containers, host });
    runner = new BpftraceRunner({
      bpftrace: prereqs!.bpftrace, program, env: programEnv(),
      onRecord: (r) => {
        if (r.kind === 'join') return norm.argv(r.args);
        if (r.kind === 'lost') return checkLost();
        if (r.kind !== 'event') return;
        if (self.has(r.ev.pid)) return;
        const { event, life } = norm.record(r.ev);
        if (event) {
          track(event);
          handle(event, r.ev.ktimeNs);
        }
        if (life?.kind === 'exit' && life.containerId) untrack(life.containerId, life.pid);
      },
      onSlow: (ms) => writeLine(err, `vigil: still attaching the eBPF probes after ${ms / 1000} s (bpftrace compiles them first; the host is busy)`),
      onExit: (code, signal, tail) => sensorDied?.(`bpftrace exited (${code ?? signal}): ${tail[tail.length - 1] ?? 'no message'}`),
    });
    const started = Date.now();
    await runner.start();
    if (runner.pid) self.add(runner.pid);
    writeLine(err, `vigil: runtime sensors ready: eBPF (bpftrace, ${runner.stats.probes} probes attached in ${((Date.now() - started) / 1000).toFixed(1)} s), ${engine ? `${engine.ruleCount} rules` : 'no rules'}, ${policy ? `${policy.policies.length} policies` : 'no policies'}`);
  } else {
    poller = new ProcPoller({ procs, containers, host, intervalMs: o.pollIntervalMs ?? 200, onEvent: (e) => handle(e), ignore: self });
    poller.inventory();
    poller.start();
    writeLine(err, `vigil: runtime sensors ready: procfs polling every ${o.pollIntervalMs ?? 200} ms (eBPF not used: only processes that live longer than the interval are seen, and no syscalls), ${engine ? `${engine.ruleCount} rules` : 'no rules'}, ${policy ? `${policy.policies.length} policies` : 'no policies'}`);
  }

  await fim.start();
  const auth = new AuthLogTail({ files: o.authLogs ?? DEFAULT_AUTH_LOGS, host, onEvent: (e) => handle(e) });
  auth.start();

  const statsLine = () => {
    const rs = runner?.stats;
    stats.lost = rs?.lost ?? 0;
    stats.bad = rs?.bad ?? 0;
    stats.lines = rs?.lines ?? 0;
    writeLine(err, `vigil: stats events=${stats.events} alerts=${stats.alerts} killed=${stats.killed} lost=${stats.lost} bad=${stats.bad} lines=${stats.lines} lag=${Math.round(lagMs)}ms procs=${procs.size} containers=${containers.size} rss=${Math.round(process.memoryUsage().rss / 1048576)}MiB`);
  };
  const timers: NodeJS.Timeout[] = [];
  timers.push(setInterval(checkLost, 1000));
  timers.push(setInterval(() => engine?.flush?.(Date.now()), 5000));
  if (o.statsIntervalMs) timers.push(setInterval(statsLine, o.statsIntervalMs));
  if (policy) {
    timers.push(setInterval(() => {
      if (learnDirty) {
        learnDirty = false;
        writeLearnState(stateFile, learn);
      }
    }, 2000));
  }

  // A closed stdout (`vigil runtime watch | head`) ends the watch cleanly instead of crashing on EPIPE.
  const outClosed = new Promise<undefined>((res) => out.once('error', () => res(undefined)));
  const why = await Promise.race([stopSignal.then(() => undefined), died, outClosed]);
  for (const t of timers) clearInterval(t);
  fim.stop();
  auth.stop();
  poller?.stop();
  await runner?.stop();
  checkLost();
  if (policy && learnDirty) writeLearnState(stateFile, learn);
  statsLine();
  if (why) {
    writeLine(err, `vigil: ${why}`);
    return 3;
  }
  return 0;
}
