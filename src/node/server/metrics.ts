// Prometheus metrics in the text exposition format: request counts and
// latency histograms per route, plus gauges the server sets (queued scans),
// counters, named histograms (the agent link's timings) and the event
// loop's delay. Small and dependency-free; labels are route patterns, never
// raw URLs.
import { monitorEventLoopDelay } from 'node:perf_hooks';

const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Buckets of the named histograms (seconds): fine around the agent link's 200 ms target. */
export const FINE_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 1, 2.5, 5, 10];
/** The event-loop delay monitor's timer (ms); a sample is the timer's interval, so the delay is what exceeds it. */
const LOOP_RESOLUTION_MS = 10;

interface Histogram {
  help: string;
  buckets: readonly number[];
  series: Map<string, { counts: number[]; sum: number; n: number }>;
}

function esc(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

export class Metrics {
  private readonly requests = new Map<string, number>();
  private readonly hist = new Map<string, { counts: number[]; sum: number; n: number }>();
  private readonly gauges = new Map<string, { help: string; value: () => number | Promise<number> }>();
  private readonly counters = new Map<string, { help: string; value: number; series: Map<string, number> }>();
  private readonly infos = new Map<string, { help: string; labels: () => Promise<Record<string, string>> }>();
  private readonly histograms = new Map<string, Histogram>();

  observeRequest(method: string, route: string, status: number, seconds: number): void {
    const k = `method="${esc(method)}",route="${esc(route)}",status="${status}"`;
    this.requests.set(k, (this.requests.get(k) ?? 0) + 1);
    const hk = `method="${esc(method)}",route="${esc(route)}"`;
    let h = this.hist.get(hk);
    if (!h) this.hist.set(hk, (h = { counts: BUCKETS.map(() => 0), sum: 0, n: 0 }));
    for (let i = 0; i < BUCKETS.length; i++) if (seconds <= BUCKETS[i]!) h.counts[i]!++;
    h.sum += seconds;
    h.n++;
  }

  gauge(name: string, help: string, value: () => number | Promise<number>): void {
    this.gauges.set(name, { help, value });
  }

  /** An info metric: one sample of value 1 whose labels carry the data (e.g. which DB digest is served). */
  info(name: string, help: string, labels: () => Promise<Record<string, string>>): void {
    this.infos.set(name, { help, labels });
  }

  /** Adds an observation (seconds) to a named histogram (FINE_BUCKETS unless given); with `labels`, to that labelled series. */
  observe(name: string, help: string, seconds: number, labels?: Record<string, string>, buckets: readonly number[] = FINE_BUCKETS): void {
    const l = labels
      ? Object.entries(labels)
          .map(([k, v]) => `${k}="${esc(v)}"`)
          .join(',')
      : '';
    const h = this.histograms.get(name) ?? this.histograms.set(name, { help, buckets, series: new Map() }).get(name)!;
    let x = h.series.get(l);
    if (!x) h.series.set(l, (x = { counts: h.buckets.map(() => 0), sum: 0, n: 0 }));
    for (let i = 0; i < h.buckets.length; i++) if (seconds <= h.buckets[i]!) x.counts[i]!++;
    x.sum += seconds;
    x.n++;
  }

  /**
   * Watches the event loop: every second, the longest delay of that second
   * (beyond the monitor's 10 ms timer) goes into the histogram
   * `vigil_event_loop_delay_seconds`, so a stall of the process shows as
   * seconds whose maximum was over a bucket. Returns the stop function.
   */
  watchEventLoop(intervalMs = 1000): () => void {
    const m = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
    m.enable();
    const t = setInterval(() => {
      if (!m.count) return;
      const max = Math.max(0, m.max / 1e6 - LOOP_RESOLUTION_MS) / 1000;
      m.reset();
      this.observe('vigil_event_loop_delay_seconds', "The longest event-loop delay of each second (beyond the monitor's 10 ms timer).", max);
    }, intervalMs);
    t.unref();
    return () => {
      clearInterval(t);
      m.disable();
    };
  }

  /** Adds to a counter; with `labels`, to that labelled series of it. */
  inc(name: string, help: string, by = 1, labels?: Record<string, string>): void {
    const l = labels
      ? `{${Object.entries(labels)
          .map(([k, v]) => `${k}="${esc(v)}"`)
          .join(',')}}`
      : '';
    const c = this.counters.get(name) ?? { help, value: 0, series: new Map<string, number>() };
    if (l) c.series.set(l, (c.series.get(l) ?? 0) + by);
    else c.value += by;
    this.counters.set(name, c);
  }

  async render(): Promise<string> {
    const out: string[] = [];
    out.push('# HELP vigil_http_requests_total HTTP requests by route and status.', '# TYPE vigil_http_requests_total counter');
    for (const [k, v] of this.requests) out.push(`vigil_http_requests_total{${k}} ${v}`);
    out.push('# HELP vigil_http_request_duration_seconds HTTP request latency.', '# TYPE vigil_http_request_duration_seconds histogram');
    for (const [k, h] of this.hist) {
      BUCKETS.forEach((b, i) => out.push(`vigil_http_request_duration_seconds_bucket{${k},le="${b}"} ${h.counts[i]}`));
      out.push(`vigil_http_request_duration_seconds_bucket{${k},le="+Inf"} ${h.n}`);
      out.push(`vigil_http_request_duration_seconds_sum{${k}} ${h.sum}`, `vigil_http_request_duration_seconds_count{${k}} ${h.n}`);
    }
    for (const [name, h] of this.histograms) {
      out.push(`# HELP ${name} ${h.help}`, `# TYPE ${name} histogram`);
      for (const [l, x] of h.series) {
        const pre = l ? `${l},` : '';
        h.buckets.forEach((b, i) => out.push(`${name}_bucket{${pre}le="${b}"} ${x.counts[i]}`));
        out.push(`${name}_bucket{${pre}le="+Inf"} ${x.n}`);
        const lb = l ? `{${l}}` : '';
        out.push(`${name}_sum${lb} ${x.sum}`, `${name}_count${lb} ${x.n}`);
      }
    }
    for (const [name, c] of this.counters) {
      out.push(`# HELP ${name} ${c.help}`, `# TYPE ${name} counter`);
      if (c.series.size) for (const [l, v] of c.series) out.push(`${name}${l} ${v}`);
      else out.push(`${name} ${c.value}`);
    }
    for (const [name, g] of this.gauges) {
      let v: number;
      try {
        v = await g.value();
      } catch {
        continue;
      }
      out.push(`# HELP ${name} ${g.help}`, `# TYPE ${name} gauge`, `${name} ${v}`);
    }
    for (const [name, m] of this.infos) {
      let labels: Record<string, string>;
      try {
        labels = await m.labels();
      } catch {
        continue;
      }
      const l = Object.entries(labels)
        .map(([k, v]) => `${k}="${esc(v)}"`)
        .join(',');
      out.push(`# HELP ${name} ${m.help}`, `# TYPE ${name} gauge`, `${name}{${l}} 1`);
    }
    return `${out.join('\n')}\n`;
  }
}
