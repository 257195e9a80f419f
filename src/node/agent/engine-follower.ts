// What the agent's Docker Engine watchers share (the inventory,
// ./docker-watch.ts; the images, ./image-scanner.ts): started once, followed
// through followEngine (events, then a re-list; again after a lost stream),
// a problem told once until it changes, stopped by aborting and waiting for
// the subclass's own pending work.
import { followEngine, type DockerEngine, type DockerEvent } from '../docker/engine-api.js';

export abstract class EngineFollower {
  protected readonly abort = new AbortController();
  /** The subclass's coalescing timer (cleared at stop). */
  protected timer: NodeJS.Timeout | undefined;
  protected lastProblem = '';
  private running: Promise<void> | undefined;

  constructor(
    protected readonly engine: DockerEngine,
    private readonly follow: { filters: Record<string, string[]>; what: string; notice?: (line: string) => void; retryMs?: number },
  ) {}

  protected abstract onEvent(e: DockerEvent): void;
  protected abstract relist(): Promise<void>;
  /** Resolves when the subclass's pending work is done (stop waits for it). */
  protected abstract drained(): Promise<unknown> | undefined;

  start(): void {
    this.running ??= followEngine(this.engine, {
      filters: this.follow.filters,
      onEvent: (e) => this.onEvent(e),
      relist: () => this.relist(),
      problem: (line) => this.problem(line),
      signal: this.abort.signal,
      ...(this.follow.retryMs !== undefined ? { retryMs: this.follow.retryMs } : {}),
    });
  }

  async stop(): Promise<void> {
    this.abort.abort();
    clearTimeout(this.timer);
    await this.running?.catch(() => {});
    await this.drained()?.catch(() => {});
  }

  protected problem(line: string): void {
    if (line !== this.lastProblem) this.follow.notice?.(`${line}; ${this.follow.what} retried`);
    this.lastProblem = line;
  }
}
