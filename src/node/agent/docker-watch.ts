// The agent's view of the node's Docker Engine (docs/agent.md, "Node
// inventory"): the running containers, listed and inspected at start and kept
// current from `GET /events` (container start, die, pause, rename, ...).
// Every change hands the whole inventory to `onInventory` (coalesced); each
// start, and each running container seen for the first time (those running
// when the agent starts), hands the container's inspect document to
// `onStart` (the start checks), once per container start. A lost
// events stream is followed again after a pause, with a full re-list (events
// in between are not replayed by the engine).
import type { DockerEngine, DockerEvent } from '../docker/engine-api.js';
import { EngineFollower } from './engine-follower.js';
import { MAX_NODE_CONTAINERS, nodeContainerOf, type NodeContainer } from '../../core/checks/node-container.js';

export interface DockerWatchOptions {
  engine: DockerEngine;
  onInventory(containers: NodeContainer[]): void;
  onStart?(doc: unknown, c: NodeContainer): void;
  notice?(line: string): void;
  /** Coalescing of inventory changes (default 200 ms). */
  coalesceMs?: number;
  /** Pause before following a lost events stream again (default 2 s). */
  retryMs?: number;
}

/** Container events that change what runs (or how it is named). */
const CHANGES = new Set(['start', 'die', 'stop', 'kill', 'destroy', 'pause', 'unpause', 'rename', 'restart', 'oom']);

export class DockerWatch extends EngineFollower {
  private readonly containers = new Map<string, NodeContainer>();
  /** Start time of each container whose start was checked (onStart), by id. */
  private readonly checked = new Map<string, string>();
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly o: DockerWatchOptions) {
    super(o.engine, {
      filters: { type: ['container'] },
      what: 'inventory',
      ...(o.notice ? { notice: o.notice } : {}),
      ...(o.retryMs !== undefined ? { retryMs: o.retryMs } : {}),
    });
  }

  /** The current inventory. */
  snapshot(): NodeContainer[] {
    return [...this.containers.values()];
  }

  /** The start time of a container whose start was checked ('' when unknown). */
  startedAt(id: string): string {
    return this.checked.get(id) ?? this.containers.get(id)?.startedAt ?? '';
  }

  protected drained(): Promise<void> {
    return this.chain;
  }

  protected async relist(): Promise<void> {
    const ids = await this.o.engine.containerIds(MAX_NODE_CONTAINERS);
    const seen = new Set(ids);
    for (const id of [...this.containers.keys()]) if (!seen.has(id)) this.containers.delete(id);
    for (const id of [...this.checked.keys()]) if (!seen.has(id)) this.checked.delete(id);
    for (const id of ids) await this.refresh(id, false);
    this.lastProblem = '';
    this.changed();
  }

  protected onEvent(e: DockerEvent): void {
    const id = e.Actor?.ID ?? e.id;
    const action = (e.Action ?? '').split(':')[0]!;
    if (typeof id !== 'string' || !/^[0-9a-f]{64}$/.test(id) || !CHANGES.has(action)) return;
    // In order: a quick start/die pair must end with the container gone.
    this.chain = this.chain.then(async () => {
      if (action === 'destroy') {
        this.containers.delete(id);
        this.checked.delete(id);
      } else await this.refresh(id, action === 'start');
      this.changed();
    });
  }

  private async refresh(id: string, started: boolean): Promise<void> {
    let doc: unknown;
    try {
      doc = await this.o.engine.inspectContainer(id);
    } catch (e) {
      this.o.notice?.(`cannot inspect container ${id.slice(0, 12)}: ${(e as Error).message}`);
      return;
    }
    if (doc === undefined) {
      this.containers.delete(id);
      return;
    }
    let c: NodeContainer;
    try {
      c = nodeContainerOf(doc, `container ${id.slice(0, 12)}`);
    } catch (e) {
      this.o.notice?.((e as Error).message);
      return;
    }
    if (c.state === 'running' || c.state === 'paused' || c.state === 'restarting') {
      if (this.containers.size < MAX_NODE_CONTAINERS || this.containers.has(id)) this.containers.set(id, c);
    } else this.containers.delete(id);
    // Every start is checked once: those seen starting, and those already running when first seen (agent start, re-list).
    if ((started || c.state === 'running') && this.checked.get(id) !== c.startedAt) {
      this.checked.set(id, c.startedAt);
      this.o.onStart?.(doc, c);
    }
  }

  private changed(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.o.onInventory(this.snapshot()), this.o.coalesceMs ?? 200);
  }
}
