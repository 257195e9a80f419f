// Where a page's first load spends its time, from Chromium's own
// performance timeline (CDP tracing, the categories DevTools' Performance
// panel records): the renderer main thread's busy time by kind (script
// compile and run, style, layout, paint, HTML), the top scripts by run time,
// and each request's start and end from navigation (resource timing).
import type { Browser, Page } from 'playwright-core';
import { BENCH_CONTEXT, type BenchServer } from './console-server.js';

interface TraceEvent {
  name: string;
  cat: string;
  ph: string;
  ts: number;
  dur?: number;
  /** Thread (CPU) time of the event, when Chromium records it. */
  tdur?: number;
  pid: number;
  tid: number;
  args?: { name?: string; fileName?: string; data?: { url?: string } };
}

export interface PageProfile {
  ms: number;
  /** Main-thread busy time by kind (ms), top-level tasks' children attributed by name. */
  busy: Record<string, number>;
  /** Scripts by evaluation + compile time on the main thread (ms). */
  scripts: { url: string; ms: number }[];
  /** Requests: path, start and end (ms from navigation start), transfer size (bytes). */
  requests: { path: string; start: number; end: number; bytes: number }[];
}

const KIND: Record<string, string> = {
  EvaluateScript: 'script',
  'v8.evaluateModule': 'script',
  FunctionCall: 'script',
  TimerFire: 'script',
  FireAnimationFrame: 'script',
  EventDispatch: 'script',
  RunMicrotasks: 'script',
  'V8.GCScavenger': 'gc',
  MajorGC: 'gc',
  MinorGC: 'gc',
  'v8.compile': 'compile',
  'v8.compileModule': 'compile',
  'V8.CompileCode': 'compile',
  'v8.produceModuleCache': 'compile',
  UpdateLayoutTree: 'style',
  ParseAuthorStyleSheet: 'style',
  Layout: 'layout',
  PrePaint: 'paint',
  Paint: 'paint',
  Layerize: 'paint',
  UpdateLayer: 'paint',
  CompositeLayers: 'paint',
  ParseHTML: 'html',
};

/** The page's renderer main thread: the CrRendererMain of the process that ran the page's own scripts (Chromium's UI pages are traced too). */
function mainThread(events: TraceEvent[], base: string): { pid: number; tid: number } | undefined {
  const pid = events.find((e) => e.name === 'ParseHTML' && JSON.stringify(e.args ?? {}).includes(base))?.pid;
  return events.find((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain' && e.pid === pid);
}

/**
 * Self time per kind on the main thread: each complete event's duration
 * minus its children's (CPU time where Chromium records it, else wall
 * time), its kind its own (KIND) or else its parent's, and
 * script time attributed to the script URL of the nearest enclosing call.
 */
function busyByKind(events: TraceEvent[], base: string): { busy: Record<string, number>; scripts: Map<string, number> } {
  const main = mainThread(events, base);
  const own = events
    .filter((e) => main && e.pid === main.pid && e.tid === main.tid && e.ph === 'X' && e.dur !== undefined)
    .sort((a, b) => a.ts - b.ts || b.dur! - a.dur!);
  const busy: Record<string, number> = {};
  const scripts = new Map<string, number>();
  const stack: { e: TraceEvent; child: number; kind: string; url?: string }[] = [];
  const cost = (e: TraceEvent) => e.tdur ?? e.dur!;
  const close = (upTo: number) => {
    while (stack.length && stack[stack.length - 1]!.e.ts + stack[stack.length - 1]!.e.dur! <= upTo) {
      const top = stack.pop()!;
      const self = Math.max(0, cost(top.e) - top.child) / 1000;
      busy[top.kind] = (busy[top.kind] ?? 0) + self;
      if ((top.kind === 'script' || top.kind === 'compile' || top.kind === 'gc') && top.url) scripts.set(top.url, (scripts.get(top.url) ?? 0) + self);
      if (stack.length) stack[stack.length - 1]!.child += cost(top.e);
    }
  };
  for (const e of own) {
    close(e.ts);
    const parent = stack[stack.length - 1];
    stack.push({ e, child: 0, kind: KIND[e.name] ?? parent?.kind ?? 'other', url: e.args?.data?.url || e.args?.fileName || parent?.url });
  }
  close(Infinity);
  return { busy, scripts };
}

/** One cold first load of `path` with the timeline recorded (the same readiness test as firstLoad). */
export async function profileFirstLoad(browser: Browser, s: BenchServer, path: string, selector: string, until?: string): Promise<PageProfile> {
  const ctx = await browser.newContext(BENCH_CONTEXT);
  try {
    await ctx.addInitScript(`localStorage.setItem('vigil.session', ${JSON.stringify(JSON.stringify(s.session))})`);
    const page: Page = await ctx.newPage();
    await browser.startTracing(page, { categories: ['devtools.timeline', 'v8.execute', 'v8', 'disabled-by-default-devtools.timeline', 'loading'] });
    let ms: number;
    try {
      const t0 = performance.now();
      await page.goto(s.base + path);
      await page.locator(selector).first().waitFor({ timeout: 60_000 });
      if (until) await page.waitForFunction(until, undefined, { timeout: 60_000, polling: 'raf' });
      ms = performance.now() - t0;
    } catch (e) {
      await browser.stopTracing();
      throw e;
    }
    const requests = (await page.evaluate(() =>
      // The document (navigation entry) and every request after it.
      performance
        .getEntries()
        .filter((e) => ['navigation', 'resource'].includes(e.entryType))
        .map((r) => {
          const x = r as unknown as { name: string; startTime: number; responseEnd: number; transferSize: number };
          return { path: new URL(x.name).pathname + new URL(x.name).search, start: x.startTime, end: x.responseEnd, bytes: x.transferSize };
        }),
    )) as PageProfile['requests'];
    const buf = await browser.stopTracing();
    const { traceEvents } = JSON.parse(buf.toString('utf8')) as { traceEvents: TraceEvent[] };
    const { busy, scripts } = busyByKind(traceEvents, s.base);
    return {
      ms,
      busy,
      scripts: [...scripts].map(([url, v]) => ({ url: new URL(url, s.base).pathname, ms: v })).sort((a, b) => b.ms - a.ms),
      requests,
    };
  } finally {
    await ctx.close();
  }
}

export function profileText(p: PageProfile): string[] {
  const f = (x: number) => x.toFixed(0);
  const total = Object.values(p.busy).reduce((a, b) => a + b, 0);
  return [
    `first load ${f(p.ms)} ms; main thread busy ${f(total)} ms: ${Object.entries(p.busy)
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k} ${f(v)}`)
      .join(', ')}`,
    `scripts (compile + run): ${p.scripts
      .slice(0, 6)
      .map((x) => `${x.url.replace(/^\/assets\//, '')} ${f(x.ms)}`)
      .join(', ')}`,
    ...p.requests.map((r) => `  ${f(r.start).padStart(6)}-${f(r.end).padEnd(6)} ${String(r.bytes).padStart(8)} B  ${r.path}`),
  ];
}
