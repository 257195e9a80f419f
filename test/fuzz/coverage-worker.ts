// The worker thread of the coverage-guided fuzzer (coverage-fuzzer.ts): loads
// one target, runs the inputs the parent sends and measures, after each input
// (or each batch), V8's precise block coverage of the target's own source
// files through node:inspector. It keeps the set of coverage keys seen so far
// and answers, per input, whether it reached new ones. A crash is any error
// that is not the target's expected refusal (InputError/LimitError); an
// uncaught exception, a hang or running out of memory end the worker and
// the parent attributes them to the input the control block names.
import { Session } from 'node:inspector';
import { parentPort, workerData } from 'node:worker_threads';
import type { CoverageTarget, TargetModule, WorkerData, WorkerRequest, WorkerResult } from './coverage-protocol.js';
import { CTRL_INDEX, CTRL_SEQ } from './coverage-protocol.js';

interface Range {
  startOffset: number;
  endOffset: number;
  count: number;
}
interface FunctionCoverage {
  functionName: string;
  ranges: Range[];
}
interface ScriptCoverage {
  url: string;
  functions: FunctionCoverage[];
}

const data = workerData as WorkerData;
const ctrl = new Int32Array(data.control);
const session = new Session();
session.connect();

function post<T>(method: string, params?: object): Promise<T> {
  return new Promise((resolve, reject) => {
    session.post(method, params ?? {}, (err, res) => (err ? reject(err) : resolve(res as T)));
  });
}

/** AFL-style hit-count classes: 1, 2, 3, 4-7, 8-15, 16-31, 32-127, 128+. */
function bucket(n: number): number {
  if (n <= 3) return n;
  if (n < 8) return 4;
  if (n < 16) return 5;
  if (n < 32) return 6;
  if (n < 128) return 7;
  return 8;
}

const mod = (await import(data.module)) as TargetModule;
const make = mod.targets[data.target];
if (!make) throw new Error(`no fuzz target ${data.target} in ${data.module}`);
const target: CoverageTarget = await make();
const cover = target.cover ?? ['/src/'];
const covered = (url: string): boolean => url.startsWith('file:') && !url.includes('/node_modules/') && cover.some((c) => url.includes(c));
const seen = new Set<string>();

await post('Profiler.enable');
await post('Profiler.startPreciseCoverage', { callCount: true, detailed: true, allowTriggeredUpdates: false });

/**
 * Block starts known per function. V8 normalises what it reports (a block
 * with its parent's count is left out, neighbours with equal counts are
 * merged), so a block is identified by its start offset, remembered from any
 * report, and its count is that of the innermost reported range holding it.
 */
const blockStarts = new Map<string, number[]>();

/** The coverage keys since the last call (V8 resets the counters on each take). */
async function take(counts: boolean): Promise<string[]> {
  const { result } = await post<{ result: ScriptCoverage[] }>('Profiler.takePreciseCoverage');
  const keys: string[] = [];
  for (const s of result) {
    if (!covered(s.url)) continue;
    for (const f of s.functions) {
      const fn = f.ranges[0];
      if (!fn || fn.count === 0) continue;
      const id = `${s.url}|${fn.startOffset}`;
      let starts = blockStarts.get(id);
      if (!starts) blockStarts.set(id, (starts = [fn.startOffset]));
      for (const r of f.ranges) if (!starts.includes(r.startOffset)) starts.push(r.startOffset);
      for (const at of starts) {
        // ranges are nested in order: the last one that holds the offset is the innermost
        let count = 0;
        for (const r of f.ranges) if (r.startOffset <= at && at < r.endOffset) count = r.count;
        if (count > 0) keys.push(counts ? `${id}|${at}#${bucket(count)}` : `${id}|${at}`);
      }
    }
  }
  return keys;
}

const expected = target.expected ?? ((e: unknown) => e instanceof Error && e.name === 'InputError' && !/[\n\r]/.test(e.message));

function describe(e: unknown): { name: string; message: string; stack: string } {
  if (e instanceof Error) return { name: e.name, message: e.message, stack: e.stack ?? '' };
  return { name: typeof e, message: String(e), stack: '' };
}

async function runOne(input: Buffer, i: number): Promise<WorkerResult['results'][number]> {
  Atomics.store(ctrl, CTRL_INDEX, i);
  Atomics.add(ctrl, CTRL_SEQ, 1);
  const t0 = performance.now();
  let crash: WorkerResult['results'][number]['crash'];
  try {
    await target.run(input);
  } catch (e) {
    if (!expected(e)) crash = describe(e);
  }
  // Callbacks the input scheduled run now, while it is still the current input (an uncaught error there is its crash).
  await new Promise((resolve) => setImmediate(resolve));
  Atomics.add(ctrl, CTRL_SEQ, 1);
  const ms = performance.now() - t0;
  const mem = process.memoryUsage().arrayBuffers;
  return { ms, crash, mem };
}

async function handle(req: WorkerRequest): Promise<WorkerResult> {
  if (req.mode === 'close') {
    await target.close?.();
    return { results: [] };
  }
  const inputs = req.inputs.map((u) => Buffer.from(u.buffer, u.byteOffset, u.byteLength));
  const results: WorkerResult['results'] = [];
  if (req.mode === 'batch') {
    // One coverage take for the whole batch (block coverage without counts):
    // only when it shows something new are the inputs run again one by one.
    for (const [i, b] of inputs.entries()) results.push(await runOne(b, i));
    const keys = await take(false);
    const fresh = keys.some((k) => !seenBinary.has(k));
    return { results, batchNew: fresh };
  }
  for (const [i, b] of inputs.entries()) {
    const r = await runOne(b, i);
    const keys = await take(true);
    let added = 0;
    for (const k of keys) {
      if (seen.has(k)) continue;
      seen.add(k);
      seenBinary.add(k.slice(0, k.lastIndexOf('#')));
      added++;
    }
    results.push({ ...r, added });
  }
  return { results, total: seen.size, blocks: seenBinary.size };
}
const seenBinary = new Set<string>();

// Coverage from the target's own setup (imports, fixtures) is not the inputs' doing.
await take(true);
const seeds = await target.seeds();
parentPort!.on('message', (req: WorkerRequest) => {
  void handle(req).then((r) => parentPort!.postMessage(r));
});
parentPort!.postMessage({ ready: true, seeds, dict: target.dict ?? [], maxLen: target.maxLen ?? 0 });
