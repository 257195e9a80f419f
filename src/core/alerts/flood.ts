// Flood aggregation on the agent (docs/agent.md): while one detection fires
// over and over on one subject, the first `passThrough` alerts of a window go
// out as they are and the rest are counted; when the window closes, one
// alert stands for them (a copy of the last one with a new ID, its count and
// the window in `fields`, the message saying so). Identical means the same
// type, rule, subject (container, Kubernetes object, image or host) and
// process executable. Pure: the caller passes the time and new IDs.
import type { Alert } from './types.js';

export interface FloodOptions {
  windowMs: number;
  passThrough: number;
  /** Distinct keys tracked at most (a flood of distinct alerts is not aggregated past it; the queue cap bounds it). */
  maxKeys: number;
}

export const DEFAULT_FLOOD: FloodOptions = { windowMs: 10_000, passThrough: 20, maxKeys: 10_000 };

interface Window {
  start: number;
  seen: number;
  held: number;
  last?: Alert;
}

function floodKey(a: Alert): string {
  const subject = a.container?.id
    ? `c:${a.container.id}`
    : a.k8s && (a.k8s.name || a.k8s.resource)
      ? `k:${a.k8s.namespace ?? ''}/${a.k8s.resource ?? ''}/${a.k8s.name ?? ''}`
      : a.image
        ? `i:${a.image.ref}:${a.image.file ?? ''}`
        : `h:${a.host}`;
  return `${a.type}\u0000${a.rule}\u0000${subject}\u0000${a.process?.exepath ?? a.process?.name ?? ''}`;
}

export class FloodAggregator {
  private readonly windows = new Map<string, Window>();
  /** Alerts held back and summarised (a running total). */
  aggregated = 0;

  constructor(
    private readonly newId: () => string,
    readonly o: FloodOptions = DEFAULT_FLOOD,
  ) {}

  /** The alert to send now, or undefined when it is held back (counted into its window's summary). */
  offer(a: Alert, now: number): Alert | undefined {
    const key = floodKey(a);
    let w = this.windows.get(key);
    if (w && now - w.start >= this.o.windowMs && !w.held) {
      this.windows.delete(key);
      w = undefined;
    }
    if (!w) {
      if (this.windows.size >= this.o.maxKeys) return a;
      w = { start: now, seen: 0, held: 0 };
      this.windows.set(key, w);
    }
    w.seen++;
    if (w.seen <= this.o.passThrough) return a;
    w.held++;
    w.last = a;
    this.aggregated++;
    return undefined;
  }

  /** Summaries of the windows that closed by `now` (or of all held ones with `all`, at shutdown). */
  flush(now: number, all = false): Alert[] {
    const out: Alert[] = [];
    for (const [key, w] of this.windows) {
      if (!all && now - w.start < this.o.windowMs) continue;
      this.windows.delete(key);
      if (!w.held || !w.last) continue;
      const seconds = Math.max(1, Math.round((now - w.start) / 1000));
      out.push({
        ...w.last,
        id: this.newId(),
        message: `${w.held} more identical alerts in ${seconds} s (flood, aggregated): ${w.last.message}`.slice(0, 4000),
        fields: {
          ...(w.last.fields ?? {}),
          'vigil.aggregated.count': w.held,
          'vigil.aggregated.from': new Date(w.start).toISOString(),
          'vigil.aggregated.to': new Date(now).toISOString(),
        },
      });
    }
    return out;
  }
}
