// The runtime pipeline: sensors -> enrichment -> policies -> actions ->
// engine -> exec signatures -> outputs, for one host. `vigil runtime watch` runs it with the
// stdout output of src/cli; the node agent will run the same pipeline with an
// output that sends alerts to the server. Owns: starting and stopping the
// sensors (./../sensors/sensor.ts), the per-event step (`handle`), the kill
// of enforced violations (first, before the engine runs), lost-event alerts,
// the hand-over of successful execs to the exec watcher (the malware
// signatures, src/node/malware/exec-scanner.ts: it reads and matches off the
// event path and raises its alerts through the pipeline's outputs later),
// the stats, and the periodic work (engine window eviction, learn-state
// saves, stats). The clock, the monotonic clock and the kill function are
// injected; nothing here prints.
//
// Procfs enrichment and container resolution happen inside the sensors
// (they share the ProcCache and ContainerResolver the caller gives them);
// the pipeline's enrichment step is what needs two sensors (a key-file
// change names the process the syscall sensor saw opening the file) or
// time: an event of a container whose runtime metadata (name, image) is
// still being looked up waits for it, at most `enrichWaitMs` (500 ms), so
// image-scoped policies and allowlists hold from a container's first
// moments. The wait is per container: later events of that container queue
// behind it (their order is kept), events of other containers and of the
// host go on (so across containers the order may change by up to the wait;
// aggregation windows run on event time, not arrival). An event whose
// metadata did not come in time, or that no runtime knows, is processed
// anyway and marked (`container.metadata`, the alert's field
// `container.metadata`); while a timed-out lookup is still in flight the
// container's further events do not wait again.
import { randomUUID } from 'node:crypto';
import type { Alert } from '../../core/alerts/types.js';
import type { EngineEvent, SyscallEvent } from '../../core/events/event.js';
import { alertContainer, alertProcess, lostEventsAlert, violationAlert } from '../../core/policy/alert.js';
import { VIOLATION_ALERTS } from '../../core/policy/evaluate.js';
import type { PolicyStage } from '../../core/policy/stage.js';
import type { Sensor, SensorHealth, SensorSink } from '../sensors/sensor.js';
import { mergeMeta, type Enrichment } from '../sensors/container-resolver.js';
import type { EngineLike } from './engine.js';
import type { ExecEvent } from '../malware/exec-scanner.js';

/** Where alerts go (stdout JSON lines or text for `runtime watch`, the server for the agent). */
export interface RuntimeOutput {
  alert(a: Alert): void;
  /** Every normalised event (debugging: `--events`). */
  event?(e: EngineEvent): void;
  /** One line for the operator (ready, still attaching, a sensor stopped). */
  notice?(message: string): void;
  /** The stats (periodically and at stop). */
  stats?(s: PipelineStats): void;
}

export interface PipelineStats {
  events: number;
  alerts: number;
  killed: number;
  /** Events the sensors lost (kernel buffers): the sum of `sensors[].lost`. */
  lost: number;
  /** Each sensor's state and counters (the agent's heartbeat). */
  sensors: Array<SensorHealth & { name: string }>;
  /** Malformed input records the sensors dropped. */
  bad: number;
  /** Raw records the sensors read (bpftrace lines). */
  lines: number;
  /** Events the sensors counted at the source instead of delivering (identical execs in a burst, counted in the kernel). */
  aggregated?: number;
  /** Kernel-event to processing delay of the last event (ms). */
  lagMs: number;
  /** Events dropped while detection was off (the node agent's cluster protection closed). */
  paused?: number;
  /** Container events processed without their runtime metadata (lookup timed out, failed or impossible). */
  unenriched: number;
  procs: number;
  containers: number;
  rssMiB: number;
}

/** Told about every successful exec (cheap, synchronous); raises its alerts later through `emit`. */
export interface ExecWatcher {
  seen(ev: ExecEvent): void;
  /** Resolves when the pending work is done (stop waits for it, bounded). */
  drained(): Promise<void>;
}

/** Sends SIGKILL to `pid`; throws (an errno error) when it cannot. */
export type KillFn = (pid: number) => void;

export interface ActionResult {
  kind: 'killed' | 'alert';
  detail: string;
  delayUs?: number;
}

export interface RuntimePipelineOptions {
  host: string;
  sensors: Sensor[];
  engine: EngineLike | null;
  /** The runtime policies (the engine must have been built with `policyDecision: policies.violations`). */
  policies?: PolicyStage;
  outputs: RuntimeOutput[];
  /** Wall clock, ms (default Date.now). */
  clock?: () => number;
  /** Monotonic clock in ns, the kernel's (default process.hrtime): the kill delay is measured on it. */
  monoNs?: () => number;
  /** Default: process.kill(pid, 'SIGKILL'). */
  kill?: KillFn;
  newId?: () => string;
  /** Pids never killed (the agent, its sensors' children); the sensors add theirs. */
  protectedPids?: Set<number>;
  /** Called (from the periodic work, and at stop) when the learn state changed. */
  saveLearned?: () => void;
  /** Builds the exec watcher (malware signatures on exec) with the pipeline's alert emitter. */
  execWatcher?: (emit: (a: Alert) => void) => ExecWatcher;
  /** How long stop waits for the exec watcher's pending scans (ms, default 5000). */
  execDrainMs?: number;
  /** Key files' sensor, told who opens watched files for writing. */
  writers?: { noteWrite(path: string, proc: SyscallEvent['proc']): void };
  /** Container metadata for the enrichment step (the ContainerResolver the sensors share); without it events are not held. */
  containers?: { enrichment(id: string): Enrichment };
  /** Longest wait (ms) of a container's events for its pending metadata lookup (default 500). */
  enrichWaitMs?: number;
  /** Timer of that wait (tests inject one): runs `fn` after `ms`, returns its cancel. Default setTimeout. */
  setTimer?: (fn: () => void, ms: number) => () => void;
  /**
   * Whether detection runs (default: always). Off: every event is counted and
   * dropped before the policies (no kill, no alert, no exec scan); the sensors
   * keep running (turning it on again is immediate) and lost events are still
   * reported.
   */
  detecting?: () => boolean;
  /** Sizes of the caches, for the stats. */
  gauges?: () => { procs: number; containers: number };
  /** Periods (ms): lost-event check, engine flush, learn-state save, stats (0: only at stop). */
  lostCheckMs?: number;
  flushMs?: number;
  saveMs?: number;
  statsMs?: number;
}

const defaultKill: KillFn = (pid) => {
  process.kill(pid, 'SIGKILL');
};

/**
 * The wait's deadline, passed only once the I/O that arrived meanwhile has been read: Node runs expired
 * timers before it polls I/O, so after a stall of the event loop (a starved CPU on a loaded host, a burst
 * of records) a runtime's answer that came in time would lose to the timer. The deadline's callback runs
 * in the check phase, after that poll.
 */
const defaultTimer = (fn: () => void, ms: number): (() => void) => {
  let imm: NodeJS.Immediate | undefined;
  const t = setTimeout(() => {
    imm = setImmediate(fn);
  }, ms);
  return () => {
    clearTimeout(t);
    if (imm) clearImmediate(imm);
  };
};

/** The events of one container held while its metadata lookup is pending. */
interface Held {
  events: Array<{ e: SyscallEvent; ktimeNs: number | undefined }>;
  cancel: () => void;
}

export class RuntimePipeline {
  readonly stats: PipelineStats = {
    events: 0,
    alerts: 0,
    killed: 0,
    lost: 0,
    bad: 0,
    lines: 0,
    lagMs: 0,
    paused: 0,
    unenriched: 0,
    procs: 0,
    containers: 0,
    rssMiB: 0,
    sensors: [],
  };
  private readonly clock: () => number;
  private readonly monoNs: () => number;
  private readonly kill: KillFn;
  private readonly newId: () => string;
  private readonly protectedPids: Set<number>;
  private reportedLost = 0;
  private timers: NodeJS.Timeout[] = [];
  private failure?: (why: string) => void;
  private readonly failed = new Promise<string>((res) => (this.failure = res));
  private started: Sensor[] = [];
  private readonly exec?: ExecWatcher;
  /** Container id -> its events waiting for the metadata lookup. */
  private readonly held = new Map<string, Held>();
  /** Containers whose lookup outlived the wait and is still in flight: their events do not wait again. */
  private readonly slow = new Set<string>();
  private readonly setTimer: (fn: () => void, ms: number) => () => void;

  constructor(private readonly o: RuntimePipelineOptions) {
    // The policy detectors of the engine word the violations: without an engine they would be silent.
    if (o.policies && !o.engine) throw new Error('runtime pipeline: policies need an engine built with their decision (policyDecision)');
    this.clock = o.clock ?? Date.now;
    this.monoNs = o.monoNs ?? (() => Number(process.hrtime.bigint()));
    this.kill = o.kill ?? defaultKill;
    this.newId = o.newId ?? randomUUID;
    this.protectedPids = o.protectedPids ?? new Set([process.pid]);
    this.setTimer = o.setTimer ?? defaultTimer;
    this.exec = o.execWatcher?.((a) => this.emit(a));
  }

  /** Containers whose events are held now (waiting for metadata). */
  get holding(): number {
    return this.held.size;
  }

  private emit(a: Alert): void {
    this.stats.alerts++;
    for (const out of this.o.outputs) out.alert(a);
  }

  private notice(m: string): void {
    for (const out of this.o.outputs) out.notice?.(m);
  }

  /** SIGKILL an offending process, unless it is protected; the alert's action. */
  act(pid: number, ktimeNs?: number): ActionResult {
    // pid 0 would signal our own process group, 1 is init, and never ourselves or our sensors.
    if (!Number.isInteger(pid) || pid <= 1 || this.protectedPids.has(pid)) return { kind: 'alert', detail: `not killed: pid ${pid} is protected` };
    try {
      this.kill(pid);
    } catch (e) {
      return { kind: 'alert', detail: `kill of pid ${pid} failed: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` };
    }
    this.stats.killed++;
    const delayUs = ktimeNs !== undefined ? Math.max(0, Math.round((this.monoNs() - ktimeNs) / 1000)) : undefined;
    return { kind: 'killed', detail: `SIGKILL sent to pid ${pid}`, ...(delayUs !== undefined ? { delayUs } : {}) };
  }

  /**
   * One event through the pipeline: enrichment (a container event may be
   * held until its metadata arrives, bounded), policies (the kill first: it
   * is time-critical), engine, outputs.
   */
  handle(e: EngineEvent, ktimeNs?: number): void {
    this.stats.events++;
    if (this.o.detecting && !this.o.detecting()) {
      this.stats.paused = (this.stats.paused ?? 0) + 1;
      return;
    }
    if (e.source === 'syscall' && (e.type === 'openat' || e.type === 'openat2') && e.fd?.name && (Number(e.args.flags) & 3) !== 0)
      this.o.writers?.noteWrite(e.fd.name, e.proc);
    if (e.source === 'syscall' && this.hold(e, ktimeNs)) return;
    this.process(e, ktimeNs);
  }

  /** Container metadata: merged when cached; true when the event is held for a pending lookup. */
  private hold(e: SyscallEvent, ktimeNs: number | undefined): boolean {
    const c = e.container;
    if (!this.o.containers || !c || c.id === 'host' || c.image) return false;
    const held = this.held.get(c.id);
    if (held) {
      held.events.push({ e, ktimeNs });
      return true;
    }
    const r = this.o.containers.enrichment(c.id);
    if (r.meta) {
      mergeMeta(c, r.meta);
      return false;
    }
    if (!r.pending || this.slow.has(c.id)) {
      c.metadata = r.pending ? 'timeout' : 'unavailable';
      this.stats.unenriched++;
      return false;
    }
    const id = c.id;
    const h: Held = { events: [{ e, ktimeNs }], cancel: () => {} };
    this.held.set(id, h);
    h.cancel = this.setTimer(() => {
      this.slow.add(id);
      this.release(id, h, undefined, 'timeout');
    }, this.o.enrichWaitMs ?? 500);
    r.pending.then(
      (m) => {
        this.slow.delete(id);
        this.release(id, h, m, 'unavailable');
      },
      () => {
        this.slow.delete(id);
        this.release(id, h, undefined, 'unavailable');
      },
    );
    return true;
  }

  /** Process a container's held events, in their order, with the metadata or marked without it. */
  private release(id: string, h: Held, meta: Parameters<typeof mergeMeta>[1] | undefined, why: 'timeout' | 'unavailable'): void {
    if (this.held.get(id) !== h) return;
    this.held.delete(id);
    h.cancel();
    for (const { e, ktimeNs } of h.events) {
      if (meta) mergeMeta(e.container!, meta);
      else {
        e.container!.metadata = why;
        this.stats.unenriched++;
      }
      try {
        this.process(e, ktimeNs);
      } catch (err) {
        // Off the sensor's call stack: report it rather than reject into nowhere.
        this.notice(`runtime pipeline: event of container ${id.slice(0, 12)} failed: ${(err as Error).message.split('\n')[0]}`);
      }
    }
  }

  /** Every held event now, without waiting longer (stop). */
  private releaseAll(): void {
    for (const [id, h] of [...this.held]) this.release(id, h, undefined, 'timeout');
  }

  /** Policies, actions, engine, exec signatures and outputs of one (enriched) event. */
  private process(e: EngineEvent, ktimeNs: number | undefined): void {
    if (ktimeNs !== undefined) this.stats.lagMs = (this.monoNs() - ktimeNs) / 1e6;
    for (const out of this.o.outputs) out.event?.(e);

    // Policies: one decision (PolicyStage), shared with the engine's policy detectors, which word the alerts.
    let actions: Map<string, ActionResult> | undefined;
    let killedTypes: Map<string, ActionResult> | undefined;
    const policyAlerts: Alert[] = [];
    if (this.o.policies && e.source === 'syscall') {
      for (const v of this.o.policies.decide(e).violations) {
        const r = v.enforce ? this.act(e.proc.pid, ktimeNs) : undefined;
        if (r) (actions ??= new Map()).set(`${v.type}\u0000${v.subject}`, r);
        if (r?.kind === 'killed') (killedTypes ??= new Map()).set(v.type, r);
        // Reverse shells have no policy detector (the rules raise them): the policy's own alert, below.
        if (v.type === VIOLATION_ALERTS.reverseShell.type) {
          const a = violationAlert(v, e, this.newId(), this.o.host);
          if (r) a.action = r;
          policyAlerts.push(a);
        }
      }
    }

    const ruleAlerts = this.o.engine ? this.o.engine.process(e) : [];
    const ruleTypes = new Set<string>();
    const missing = e.source === 'syscall' ? e.container?.metadata : undefined;
    if (missing) for (const a of [...ruleAlerts, ...policyAlerts]) a.fields = { ...a.fields, 'container.metadata': missing };
    for (const a of ruleAlerts) {
      ruleTypes.add(a.type);
      // A policy alert carries the result of its own kill; a rule alert of a type a policy killed for says so.
      const own = a.rule.startsWith('policy:') ? actions?.get(`${a.type}\u0000${String(a.fields?.subject ?? '')}`) : undefined;
      const k = own ?? killedTypes?.get(a.type);
      if (k) a.action = { kind: k.kind, detail: k.detail, ...(k.delayUs !== undefined ? { delayUs: k.delayUs } : {}) };
      else if (a.rule.startsWith('policy:')) a.action = { kind: 'alert' };
      this.emit(a);
    }
    // A policy's reverse-shell verdict duplicates the rules' one: keep the rule alert (it carries the kill).
    for (const a of policyAlerts) if (!ruleTypes.has(a.type)) this.emit(a);

    // Exec signatures last: the watcher only secures the file here, its alerts come later.
    if (this.exec && e.source === 'syscall' && e.type === 'execve' && (e.res ?? 0) >= 0 && e.proc.exepath?.startsWith('/')) {
      const container = alertContainer(e);
      this.exec.seen({
        pid: e.proc.pid,
        ppid: e.proc.ppid,
        exePath: e.proc.exepath,
        process: alertProcess(e),
        time: e.time,
        ...(container ? { container } : {}),
        ...(e.proc.exeIdentity ? { fileKey: e.proc.exeIdentity } : {}),
      });
    }
  }

  /** Lost kernel events are never silent: one alert per increase. */
  checkLost(): void {
    let lost = 0;
    for (const s of this.started) lost += s.health().lost;
    if (lost > this.reportedLost) {
      this.emit(lostEventsAlert(lost - this.reportedLost, lost, this.newId(), this.o.host, this.clock()));
      this.reportedLost = lost;
    }
  }

  private sink(): SensorSink {
    return {
      event: (e, ktimeNs) => this.handle(e, ktimeNs),
      lost: () => this.checkLost(),
      notice: (m) => this.notice(m),
      failed: (why) => this.failure?.(why),
    };
  }

  /** Start every sensor (in order; a failure stops those already started and rethrows) and the periodic work. */
  async start(): Promise<void> {
    const sink = this.sink();
    for (const s of this.o.sensors) {
      try {
        await s.start(sink);
      } catch (e) {
        await this.stopSensors();
        throw e;
      }
      this.started.push(s);
    }
    const every = (ms: number | undefined, fn: () => void) => {
      if (ms && ms > 0) this.timers.push(setInterval(fn, ms));
    };
    every(this.o.lostCheckMs ?? 1000, () => this.checkLost());
    every(this.o.flushMs ?? 5000, () => this.o.engine?.flush?.(this.clock()));
    if (this.o.policies) every(this.o.saveMs ?? 2000, () => this.saveLearned());
    every(this.o.statsMs, () => this.reportStats());
  }

  /** Resolves with why a sensor stopped on its own, or undefined when `until` resolves first. */
  async run(until: Promise<unknown>): Promise<string | undefined> {
    return Promise.race([until.then(() => undefined), this.failed]);
  }

  private saveLearned(): void {
    if (this.o.policies?.takeLearned()) this.o.saveLearned?.();
  }

  private async stopSensors(): Promise<void> {
    for (const s of [...this.started].reverse()) await s.stop();
    this.started = [];
  }

  /** The stats now (each sensor's state and counters, their sums, cache sizes, memory). */
  snapshot(): PipelineStats {
    const sensors = this.o.sensors.map((s) => ({ name: s.name, ...s.health() }));
    let lost = 0;
    let bad = 0;
    let lines = 0;
    let aggregated = 0;
    for (const h of sensors) {
      lost += h.lost;
      bad += h.bad;
      lines += h.lines ?? 0;
      aggregated += h.aggregated ?? 0;
    }
    const g = this.o.gauges?.();
    Object.assign(this.stats, {
      sensors,
      lost,
      bad,
      lines,
      aggregated,
      procs: g?.procs ?? 0,
      containers: g?.containers ?? 0,
      rssMiB: Math.round(process.memoryUsage().rss / 1048576),
    });
    return { ...this.stats };
  }

  private reportStats(): void {
    const s = this.snapshot();
    for (const out of this.o.outputs) out.stats?.(s);
  }

  /** Stop the periodic work and the sensors, report the last lost events, save learned whitelists, report the stats. */
  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    const sensors = [...this.started];
    await this.stopSensors();
    this.releaseAll();
    if (this.exec) {
      let t: NodeJS.Timeout | undefined;
      await Promise.race([this.exec.drained(), new Promise((r) => (t = setTimeout(r, this.o.execDrainMs ?? 5000)))]);
      clearTimeout(t);
    }
    this.started = sensors;
    this.checkLost();
    this.started = [];
    this.saveLearned();
    this.reportStats();
  }
}
