// The node agent's one follow loop (docs/agent.md, "Node inventory" and
// "Node-local images"), whatever it follows and whichever runtime holds it:
// subscribe to the runtime's events, then list everything (a change between
// the two is seen by one or the other), then take events until the stream
// ends; a lost stream or an unreachable runtime is told once (until the
// problem changes) and followed again after a pause that doubles while it
// keeps failing (from `retryMs`, default 2 s, to `maxRetryMs`, default
// 30 s), with a full re-list: runtimes do not replay the events in between.
// Subclasses say what an event and a re-list do (./runtime-watch.ts: the
// containers; ./image-scanner.ts: the images); a backend says how to
// subscribe to one runtime (the Docker Engine's `GET /events`, containerd's
// Events.Subscribe).

import { setTimeout as sleep } from 'node:timers/promises';

/** How to follow one runtime's events. */
export interface EventSource<E> {
  /** Names the runtime in notices (`Docker Engine`, `containerd`). */
  readonly label: string;
  /** Follows the events stream until `signal` aborts; resolves when the runtime ends it, rejects when it cannot be reached. */
  subscribe(onEvent: (e: E) => void, signal: AbortSignal): Promise<void>;
}

export interface FollowOptions {
  /** What is retried, in notices (`inventory`, `image scanning`). */
  what: string;
  notice?(line: string): void;
  /** First pause before following a lost events stream again (default 2 s). */
  retryMs?: number;
  /** Longest pause (default 30 s). */
  maxRetryMs?: number;
}

export abstract class NodeFollower<E> {
  protected readonly abort = new AbortController();
  /** The subclass's coalescing timer (cleared at stop). */
  protected timer: NodeJS.Timeout | undefined;
  private lastProblem = '';
  private running: Promise<void> | undefined;

  constructor(
    protected readonly source: EventSource<E>,
    private readonly follow: FollowOptions,
  ) {}

  protected abstract onEvent(e: E): void;
  /** Lists everything again (at each (re)subscription). */
  protected abstract relist(): Promise<void>;
  /** Resolves when the subclass's pending work is done (stop waits for it). */
  protected abstract drained(): Promise<unknown> | undefined;

  start(): void {
    this.running ??= this.loop();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    clearTimeout(this.timer);
    await this.running?.catch(() => {});
    await this.drained()?.catch(() => {});
  }

  /** Tells a problem once, until it changes (or a re-list succeeds). */
  protected problem(line: string): void {
    if (line !== this.lastProblem) this.follow.notice?.(`${line}; ${this.follow.what} retried`);
    this.lastProblem = line;
  }

  private async loop(): Promise<void> {
    const { signal } = this.abort;
    const first = this.follow.retryMs ?? 2000;
    let pause = first;
    while (!signal.aborted) {
      try {
        let refused = false;
        const following = this.source.subscribe((e) => this.onEvent(e), signal);
        following.catch(() => (refused = true)); // awaited below; a failure before that is not unhandled
        await this.relist();
        // Listed and following: healthy again (a problem is told anew, the pause starts over).
        if (!refused) [this.lastProblem, pause] = ['', first];
        await following;
        if (!signal.aborted) this.problem(`${this.source.label} events stream ended (restarted?)`);
      } catch (e) {
        if (signal.aborted) break;
        this.problem(`${this.source.label}: ${(e as Error).message.split('\n')[0]}`);
      }
      await sleep(pause, undefined, { signal }).catch(() => {}); // an abort ends the pause
      pause = Math.min(pause * 2, this.follow.maxRetryMs ?? 30_000);
    }
  }
}
