// The one shape of a runtime sensor: the eBPF sensor (bpftrace), the procfs
// poller, file integrity (inotify) and the auth log tail all implement
// `Sensor`, and all pass the conformance suite of ./sensor-conformance.ts.
// A sensor turns one source of host activity into normalised events
// (src/core/events/event.ts) and hands them to the sink it is started with;
// it counts what it delivered, what it knows it lost and what input it had to
// drop as malformed, and says whether it runs. The runtime pipeline
// (src/node/runtime/pipeline.ts) owns the sinks; sensors never print.
import type { SyscallEvent } from '../../core/events/event.js';

export interface SensorSink {
  /** One normalised event; `ktimeNs` is the kernel's monotonic time of it when the sensor knows it (enforcement delay). */
  event(e: SyscallEvent, ktimeNs?: number): void;
  /** The sensor's lost count grew (the pipeline reports it promptly). */
  lost?(total: number): void;
  /** Something an operator should read (start slower than usual...). */
  notice?(message: string): void;
  /** The sensor stopped on its own after a successful start; why, in one line. */
  failed?(why: string): void;
}

export type SensorState = 'stopped' | 'starting' | 'running' | 'failed';

export interface SensorHealth {
  state: SensorState;
  /** One line: what the sensor watches and how (shown at start), or why it failed. */
  detail: string;
  /** Events delivered to the sink. */
  events: number;
  /** Events the sensor knows it lost (kernel buffer overruns, dropped oversized records). */
  lost: number;
  /** Input records dropped as malformed. */
  bad: number;
  /** Raw records read, when the sensor reads a record stream (bpftrace output lines). */
  lines?: number;
  /** Events counted at the source instead of delivered: repeats of an identical event within the source's window (the eBPF sensor's exec burst aggregation). */
  aggregated?: number;
}

export interface Sensor {
  /** Short id: `ebpf`, `procfs`, `file-integrity`, `auth-log`. */
  readonly name: string;
  /** Start delivering events to `sink`; resolves once the sensor is running, rejects with an InputError when it cannot start. */
  start(sink: SensorSink): Promise<void>;
  /** Stop delivering events and release what the sensor holds; idempotent. */
  stop(): Promise<void>;
  health(): SensorHealth;
}

/** Counters and state every sensor keeps; sensors embed one. */
export class SensorStatus {
  state: SensorState = 'stopped';
  detail: string;
  events = 0;
  lost = 0;
  bad = 0;

  constructor(detail: string) {
    this.detail = detail;
  }

  snapshot(): SensorHealth {
    return { state: this.state, detail: this.detail, events: this.events, lost: this.lost, bad: this.bad };
  }
}

/**
 * A sensor that polls its source: `poll()` every `intervalMs` while started,
 * `prime()` once before the first poll (an inventory of what exists already).
 */
export abstract class PollingSensor implements Sensor {
  abstract readonly name: string;
  protected sink?: SensorSink;
  protected readonly status: SensorStatus;
  private timer?: NodeJS.Timeout;

  constructor(
    detail: string,
    private readonly intervalMs: number,
  ) {
    this.status = new SensorStatus(detail);
  }

  /** One look at the source; events go to `this.sink`. */
  abstract poll(): void;

  protected prime(): void {}

  async start(sink: SensorSink): Promise<void> {
    if (this.timer) return;
    this.status.state = 'starting';
    this.prime();
    this.sink = sink;
    this.timer = setInterval(() => this.poll(), this.intervalMs);
    this.status.state = 'running';
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.sink = undefined;
    this.status.state = 'stopped';
  }

  health(): SensorHealth {
    return this.status.snapshot();
  }
}
