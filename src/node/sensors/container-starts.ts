// Container starts as runtime events (product.md 3.1, "at container start"):
// the node agent's runtime watches (src/node/agent/docker-watch.ts,
// containerd-watch.ts) hand each started container here (Docker: its inspect
// document; containerd: the spec read from its OCI runtime spec); the sensor turns it into a
// `type: 'container'` event whose container.spec is the normalised spec of
// src/core/checks (the one the admission path and `vigil check` read), so the
// engine's startup-checks detector raises container/abnormal-startup with
// the container, its image and the offending settings.
import { dockerInspectSpecs } from '../../core/checks/docker-inspect.js';
import type { SyscallEvent } from '../../core/events/event.js';
import type { ContainerSpec } from '../../core/checks/spec.js';
import { SensorStatus, type Sensor, type SensorHealth, type SensorSink } from './sensor.js';

/** Starts kept until the sensor starts (a node runs far fewer containers). */
const MAX_EARLY = 1000;

export class ContainerStartSensor implements Sensor {
  readonly name = 'container-starts';
  private sink?: SensorSink;
  private readonly status: SensorStatus;
  /** Inspect documents handed over before the sensor started, checked when it starts. */
  private readonly early: unknown[] = [];
  private ended = false;

  constructor(private readonly o: { host: string; now?: () => number; source: string }) {
    this.status = new SensorStatus(`container starts from ${o.source}`);
  }

  async start(sink: SensorSink): Promise<void> {
    this.sink = sink;
    this.status.state = 'running';
    // Starts seen before the pipeline ran (the containers running when the agent started).
    const early = this.early.splice(0);
    for (const doc of early) this.started(doc);
  }

  async stop(): Promise<void> {
    this.ended = true;
    this.early.length = 0;
    this.sink = undefined;
    this.status.state = 'stopped';
  }

  health(): SensorHealth {
    return this.status.snapshot();
  }

  /** A Docker container started: its `docker inspect` document. */
  started(doc: unknown): void {
    if (!this.sink) {
      if (!this.ended && this.early.length < MAX_EARLY) this.early.push(doc);
      return;
    }
    const d = doc as { Id?: unknown; Image?: unknown; State?: { Pid?: unknown } } | null;
    let spec;
    try {
      if (typeof d?.Id !== 'string' || !/^[0-9a-f]{64}$/.test(d.Id)) throw new Error('no Id');
      spec = dockerInspectSpecs(doc, 'container start')[0]!;
    } catch {
      this.status.bad++;
      return;
    }
    const imageDigest = typeof d.Image === 'string' && d.Image.startsWith('sha256:') ? d.Image : undefined;
    this.startedSpec({ id: d.Id, spec, pid: typeof d.State?.Pid === 'number' ? d.State.Pid : 0, ...(imageDigest ? { imageDigest } : {}) });
  }

  /** A container started, already read into the checks' spec (containerd: from its OCI runtime spec). */
  startedSpec(s: { id: string; spec: ContainerSpec; pid: number; imageDigest?: string }): void {
    if (!this.sink) return;
    const { spec } = s;
    const container: NonNullable<SyscallEvent['container']> = { id: s.id, name: spec.name, spec, privileged: spec.privileged };
    if (spec.image) container.image = spec.image;
    if (s.imageDigest) container.imageDigest = s.imageDigest;
    container.mounts = spec.mounts.map((m) => ({ source: m.source, destination: m.destination, ...(m.readOnly ? { readOnly: true } : {}) }));
    this.status.events++;
    this.sink.event({
      source: 'syscall',
      type: 'container',
      time: (this.o.now ?? Date.now)(),
      args: {},
      proc: { pid: s.pid, ppid: 0, name: '', uid: -1 },
      container,
      host: this.o.host,
    });
  }
}
