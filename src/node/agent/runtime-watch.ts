// The agent's view of one container runtime of the node (docs/agent.md, "Node
// inventory"), whatever the runtime: its running containers, listed and
// inspected at start and kept current from its events stream, through the
// one follow loop (./node-follow.ts). A backend (./docker-watch.ts: the
// Docker Engine; ./containerd-watch.ts: containerd) says how to subscribe,
// list and inspect; this watch owns the rest. Every change hands the
// runtime's whole inventory to `onInventory` (coalesced). Every container
// start is handed to `onStart` (the start checks) once: those seen starting,
// and those already running when first seen (agent start, re-list); what
// identifies a start is the backend's `start` (Docker: the start time;
// containerd, which keeps no start time: the task's pid), which the agent
// also derives the start checks' alert IDs from, so a restarted agent stores
// nothing twice.
import { MAX_NODE_CONTAINERS, type NodeContainer } from '../../core/checks/node-container.js';
import { NodeFollower, type EventSource } from './node-follow.js';

/** What an event did to a container: it started, it changed (or may have), or it is gone for good. */
export type RuntimeChange = 'start' | 'change' | 'gone';

export interface RuntimeEvent {
  key: string;
  change: RuntimeChange;
}

export interface RuntimeBackend<D> extends EventSource<RuntimeEvent> {
  /** Keys of the containers that may be running (at most `max`). */
  list(max: number): Promise<string[]>;
  /**
   * The container of `key`, undefined when it is gone; `doc` is what `onStart`
   * receives; `start` identifies this start of the container.
   */
  inspect(key: string): Promise<{ container: NodeContainer; doc: D; start: string } | undefined>;
}

export interface RuntimeWatchOptions<D> {
  onInventory(containers: NodeContainer[]): void;
  onStart?(doc: D, c: NodeContainer): void;
  notice?(line: string): void;
  /** Coalescing of inventory changes (default 200 ms). */
  coalesceMs?: number;
  /** First pause before following a lost events stream again (default 2 s, doubling to 30 s). */
  retryMs?: number;
}

const LIVE = new Set(['running', 'paused', 'restarting']);

export class RuntimeWatch<D> extends NodeFollower<RuntimeEvent> {
  private readonly containers = new Map<string, NodeContainer>();
  /** The start of each container whose start was checked (onStart), by key. */
  private readonly checked = new Map<string, { id: string; start: string }>();
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly backend: RuntimeBackend<D>,
    private readonly o: RuntimeWatchOptions<D>,
  ) {
    super(backend, { what: 'inventory', ...(o.notice ? { notice: o.notice } : {}), ...(o.retryMs !== undefined ? { retryMs: o.retryMs } : {}) });
  }

  /** The current inventory. */
  snapshot(): NodeContainer[] {
    return [...this.containers.values()];
  }

  /** What identifies the checked start of the container of this ID ('' when unknown). */
  startOf(id: string): string {
    for (const c of this.checked.values()) if (c.id === id) return c.start;
    return '';
  }

  protected drained(): Promise<void> {
    return this.chain;
  }

  protected async relist(): Promise<void> {
    const keys = await this.backend.list(MAX_NODE_CONTAINERS);
    const seen = new Set(keys);
    for (const k of [...this.containers.keys()]) if (!seen.has(k)) this.containers.delete(k);
    for (const k of [...this.checked.keys()]) if (!seen.has(k)) this.checked.delete(k);
    for (const k of keys) await this.refresh(k, false);
    this.changed();
  }

  protected onEvent({ key, change }: RuntimeEvent): void {
    // In order: a quick start/die pair must end with the container gone.
    this.chain = this.chain.then(async () => {
      if (change === 'gone') {
        this.containers.delete(key);
        this.checked.delete(key);
      } else await this.refresh(key, change === 'start');
      this.changed();
    });
  }

  private async refresh(key: string, started: boolean): Promise<void> {
    let got;
    try {
      got = await this.backend.inspect(key);
    } catch (e) {
      this.o.notice?.(`${this.backend.label}: cannot inspect container ${key.slice(0, 90)}: ${(e as Error).message}`);
      return;
    }
    if (!got) {
      this.containers.delete(key);
      return;
    }
    const c = got.container;
    if (LIVE.has(c.state)) {
      if (this.containers.size < MAX_NODE_CONTAINERS || this.containers.has(key)) this.containers.set(key, c);
    } else this.containers.delete(key);
    // Every start is checked once: those seen starting, and those already running when first seen (agent start, re-list).
    if ((started || c.state === 'running') && this.checked.get(key)?.start !== got.start) {
      this.checked.set(key, { id: c.id, start: got.start });
      this.o.onStart?.(got.doc, c);
    }
  }

  private changed(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.o.onInventory(this.snapshot()), this.o.coalesceMs ?? 200);
  }
}
