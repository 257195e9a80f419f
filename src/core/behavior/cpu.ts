// CPU behaviour: per-process CPU percent from cumulative tick counters, the
// episodes of sustained high CPU (consecutive samples above the threshold
// for at least the threshold's duration), and when an episode is due for a
// report. Pure: the sampler (src/node/sensors/cpu-sampler.ts) feeds it
// readings and times it took on its injected clock. The threshold is read
// at each sample (the detection policy's `cpu`, which may change live).
import type { CpuLevel } from './thresholds.js';

/** /proc/PID/stat counts utime and stime in USER_HZ ticks, 100 per second on every Linux architecture. */
export const USER_HZ = 100;

/** Percent of one CPU used between two readings of a cumulative counter (ticks at `hz` per second). */
export function cpuPercent(prevTicks: number, ticks: number, elapsedMs: number, hz = USER_HZ): number {
  if (!(elapsedMs > 0) || !(ticks >= prevTicks)) return 0;
  return (((ticks - prevTicks) / hz) * 1000 * 100) / elapsedMs;
}

export interface CpuEpisode {
  /** Start of the first high interval (ms). */
  since: number;
  /** End of the last high interval (ms). */
  last: number;
  samples: number;
  /** Sum of the samples' percents (the average is sum / samples). */
  sum: number;
  /** Reported: not yet, without miner traits (checked again later), or with them (final). */
  reported: 'no' | 'plain' | 'traits';
  /** When the traits were last looked at. */
  checkedAt: number;
}

export const episodeAverage = (e: CpuEpisode): number => (e.samples ? e.sum / e.samples : 0);
export const episodeSeconds = (e: CpuEpisode): number => (e.last - e.since) / 1000;

/**
 * Episodes of high CPU by process key (pid and start time, so a reused pid is
 * another process). A sample below the threshold ends the episode; keys not
 * sampled in a round are dropped by `retain`, so memory follows the process table.
 */
export class CpuEpisodes {
  private readonly m = new Map<string, CpuEpisode>();

  constructor(private readonly level: () => CpuLevel) {}

  /** Record one sample covering [from, to]; returns the episode while it lasts. */
  observe(key: string, from: number, to: number, percent: number): CpuEpisode | undefined {
    if (percent < this.level().percent) {
      this.m.delete(key);
      return undefined;
    }
    let e = this.m.get(key);
    if (!e) this.m.set(key, (e = { since: from, last: to, samples: 0, sum: 0, reported: 'no', checkedAt: 0 }));
    e.last = to;
    e.samples++;
    e.sum += percent;
    return e;
  }

  /** Whether the episode lasted long enough and its traits should be looked at now: first when it is sustained, then (while none were found) once per sustain period. */
  due(e: CpuEpisode, now: number): boolean {
    const duration = this.level().duration;
    if (e.last - e.since < duration) return false;
    if (e.reported === 'no') return true;
    if (e.reported === 'traits') return false;
    return now - e.checkedAt >= Math.max(duration, 1);
  }

  /** The episode was looked at (and reported) at `now`, with or without miner traits. */
  mark(e: CpuEpisode, now: number, withTraits: boolean): void {
    e.checkedAt = now;
    e.reported = withTraits ? 'traits' : 'plain';
  }

  /** Keep only the episodes of `alive` keys. */
  retain(alive: ReadonlySet<string>): void {
    for (const k of this.m.keys()) if (!alive.has(k)) this.m.delete(k);
  }

  get size(): number {
    return this.m.size;
  }
}
