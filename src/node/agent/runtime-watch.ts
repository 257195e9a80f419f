// The agent's view of one container runtime of the node (docs/agent.md, "Node
// inventory"), whatever the runtime: its running containers, listed and
// inspected at start and kept current from its events stream. A backend
// (./containerd-watch.ts: containerd; the Docker Engine has its own watch,
// ./docker-watch.ts, which also checks containers running when first seen)
// says how to follow, list and inspect; this loop owns the rest. Every
// change hands the runtime's whole inventory to `onInventory` (coalesced); a
// start hands the backend's start document to `onStart` (the start checks).
// A lost events stream is followed again after a pause, with a full re-list
// (events in between are not replayed by either runtime).
import { MAX_NODE_CONTAINERS, type NodeContainer } from '../../core/checks/node-container.js';

/** What an event did to a container: it started, it changed (or may have), or it is gone for good. */
export type RuntimeChange = 'start' | 'change' | 'gone';

export interface RuntimeBackend<D> {
  /** Names the runtime in notices (`Docker Engine`, `containerd`). */
  readonly label: string;
  /** Follows the events stream until `signal` aborts; resolves when the runtime ends it. */
  follow(onChange: (key: string, change: RuntimeChange) => void, signal: AbortSignal): Promise<void>;
  /** Keys of the containers that may be running (at most `max`). */
  list(max: number): Promise<string[]>;
  /** The container of `key`, undefined when it is gone; `doc` is what `onStart` receives. */
  inspect(key: string): Promise<{ container: NodeContainer; doc: D } | undefined>;
}

export interface RuntimeWatchOptions<D> {
  onInventory(containers: NodeContainer[]): void;
  onStart?(doc: D, c: NodeContainer): void;
  notice?(line: string): void;
  /** Coalescing of inventory changes (default 200 ms). */
  coalesceMs?: number;
  /** Pause before following a lost events stream again (default 2 s). */
  retryMs?: number;
}

const LIVE = new Set(['running', 'paused', 'restarting']);

export class RuntimeWatch<D> {
  private readonly containers = new Map<string, NodeContainer>();
  private readonly abort = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private chain: Promise<void> = Promise.resolve();
  private lastProblem = '';

  constructor(
    private readonly backend: RuntimeBackend<D>,
    private readonly o: RuntimeWatchOptions<D>,
  ) {}

  /** The current inventory. */
  snapshot(): NodeContainer[] {
    return [...this.containers.values()];
  }

  start(): void {
    this.running ??= this.loop();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    clearTimeout(this.timer);
    await this.running?.catch(() => {});
    await this.chain.catch(() => {});
  }

  private async loop(): Promise<void> {
    const label = this.backend.label;
    while (!this.abort.signal.aborted) {
      try {
        // Follow events first, then list: a container started in between is seen by one or the other.
        const following = this.backend.follow((key, change) => this.event(key, change), this.abort.signal);
        following.catch(() => {}); // awaited below; a failure before that is not unhandled
        await this.relist();
        this.changed();
        await following;
        if (!this.abort.signal.aborted) this.problem(`${label} events stream ended (restarted?)`);
      } catch (e) {
        if (this.abort.signal.aborted) break;
        this.problem(`${label}: ${(e as Error).message}`);
      }
      await new Promise((r) => setTimeout(r, this.o.retryMs ?? 2000));
    }
  }

  private problem(line: string): void {
    if (line !== this.lastProblem) this.o.notice?.(`${line}; inventory retried`);
    this.lastProblem = line;
  }

  private async relist(): Promise<void> {
    const keys = await this.backend.list(MAX_NODE_CONTAINERS);
    const seen = new Set(keys);
    for (const k of [...this.containers.keys()]) if (!seen.has(k)) this.containers.delete(k);
    for (const k of keys) await this.refresh(k, false);
    this.lastProblem = '';
  }

  private event(key: string, change: RuntimeChange): void {
    // In order: a quick start/die pair must end with the container gone.
    this.chain = this.chain.then(async () => {
      if (change === 'gone') this.containers.delete(key);
      else await this.refresh(key, change === 'start');
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
    if (LIVE.has(got.container.state)) {
      if (this.containers.size < MAX_NODE_CONTAINERS || this.containers.has(key)) this.containers.set(key, got.container);
    } else this.containers.delete(key);
    if (started) this.o.onStart?.(got.doc, got.container);
  }

  private changed(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.o.onInventory(this.snapshot()), this.o.coalesceMs ?? 200);
  }
}
