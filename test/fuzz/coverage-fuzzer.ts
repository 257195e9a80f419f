// A coverage-guided fuzzer on V8's own block coverage (jazzer.js does not run
// on this project's glibc; see docs/security.md). The loop is libFuzzer's:
// take a corpus entry, mutate it (bit and byte flips, interesting values,
// chunk insert/delete/duplicate, splice with another entry, dictionary
// tokens), run the target on it in a worker thread, and keep the input when
// V8's precise coverage of the target's source files shows a block (or a
// block's hit-count class) not seen before. A finding is an error that is not
// the target's documented refusal (crash), an input that runs longer than
// the time limit (hang: the worker is terminated), or one that exhausts the
// worker's heap or grows external memory past the limit (memory). Findings
// are written with their reproducing input; crashes are minimised.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { rng } from '../../bench/lib/rng.js';
import { CTRL_INDEX, CTRL_SEQ, type CrashInfo, type WorkerReady, type WorkerRequest, type WorkerResult } from './coverage-protocol.js';

export interface FuzzOptions {
  /** The module exporting `targets` (a file URL). */
  module: string | URL;
  target: string;
  /** Wall-clock budget of the fuzzing loop (seconds; setup and calibration not counted). */
  seconds?: number;
  /** Stop after this many executions (whichever of the two comes first). */
  maxExecs?: number;
  /** Per-input time limit (ms): longer is a hang. */
  timeoutMs?: number;
  /** The worker's heap limit and the external (ArrayBuffer) memory limit, MiB. */
  memoryMb?: number;
  /** Where findings are written (`<outDir>/<target>/<kind>-<hash>.bin` and `.txt`). */
  outDir?: string;
  /** Extra seeds are read from, and new corpus entries written to, `<corpusDir>/<target>/`. */
  corpusDir?: string;
  /** PRNG seed (the run is reproducible given the same seed and timing-independent budget, i.e. maxExecs). */
  seed?: number;
  /** false: random mutation of the seeds only, nothing is ever added to the corpus (the baseline a test compares against). */
  feedback?: boolean;
  /** Inputs per coverage take: 'auto' picks by the target's speed. */
  batch?: number | 'auto';
  /** Stop at the first finding. */
  stopOnFinding?: boolean;
  /** Minimise crashing inputs (default true). */
  minimize?: boolean;
  log?: (line: string) => void;
}

export type FindingKind = 'crash' | 'hang' | 'memory';

export interface Finding {
  kind: FindingKind;
  message: string;
  stack: string;
  signature: string;
  input: Buffer;
  file?: string;
}

export interface FuzzReport {
  target: string;
  execs: number;
  seconds: number;
  execsPerSecond: number;
  seeds: number;
  corpus: number;
  /** Distinct blocks of the target's source files reached. */
  blocks: number;
  /** Distinct (block, hit-count class) pairs reached. */
  keys: number;
  restarts: number;
  /** Hangs and blow-ups the input alone did not reproduce (a stalled machine), not counted as findings. */
  unconfirmed: number;
  findings: Finding[];
}

type Dead = { dead: FindingKind; index: number; message: string; stack: string };

const WORKER = new URL('./coverage-worker.mjs', import.meta.url);

/** One worker: a target loaded, a watchdog on its control block. */
class TargetWorker {
  private worker: Worker;
  private ctrl: Int32Array;
  private pending?: { resolve: (r: WorkerResult | Dead) => void };
  private watchdog?: NodeJS.Timeout;
  ready: Promise<WorkerReady>;
  private exited = false;

  private memoryMb: number;

  constructor(
    opts: FuzzOptions,
    private timeoutMs: number,
  ) {
    const control = new SharedArrayBuffer(8);
    this.ctrl = new Int32Array(control);
    const memoryMb = (this.memoryMb = opts.memoryMb ?? 512);
    this.worker = new Worker(WORKER, {
      workerData: { module: String(opts.module), target: opts.target, control },
      resourceLimits: { maxOldGenerationSizeMb: memoryMb, maxYoungGenerationSizeMb: 64 },
      stdout: true,
      stderr: true,
    });
    // The targets' own output is not the fuzzer's; drain it.
    this.worker.stdout.resume();
    this.worker.stderr.resume();
    this.ready = new Promise((resolve, reject) => {
      const onMsg = (m: WorkerReady) => {
        this.worker.off('message', onMsg);
        this.worker.on('message', (r: WorkerResult) => this.settle(r));
        resolve(m);
      };
      this.worker.on('message', onMsg);
      this.worker.once('error', (e) => reject(e));
    });
    this.worker.on('error', (e: Error & { code?: string }) => {
      const oom = e.code === 'ERR_WORKER_OUT_OF_MEMORY';
      this.settle({
        dead: oom ? 'memory' : 'crash',
        index: Atomics.load(this.ctrl, CTRL_INDEX),
        message: oom ? `worker ran out of memory (heap limit ${memoryMb} MiB)` : `uncaught ${e.name}: ${e.message}`,
        stack: e.stack ?? '',
      });
    });
    this.worker.on('exit', (code) => {
      this.exited = true;
      this.settle({ dead: 'crash', index: Atomics.load(this.ctrl, CTRL_INDEX), message: `worker exited with code ${code}`, stack: '' });
    });
  }

  private settle(r: WorkerResult | Dead): void {
    clearInterval(this.watchdog);
    const p = this.pending;
    this.pending = undefined;
    p?.resolve(r);
  }

  request(req: WorkerRequest): Promise<WorkerResult | Dead> {
    if (this.exited) return Promise.resolve({ dead: 'crash', index: 0, message: 'worker is gone', stack: '' });
    return new Promise((resolve) => {
      this.pending = { resolve };
      let last = Atomics.load(this.ctrl, CTRL_SEQ);
      let since = performance.now();
      const rss0 = process.memoryUsage.rss();
      this.watchdog = setInterval(() => {
        const seq = Atomics.load(this.ctrl, CTRL_SEQ);
        const now = performance.now();
        // The process grew by more than the worker may hold: a blow-up (external buffers, or a heap on its way to the limit).
        const grew = process.memoryUsage.rss() - rss0;
        if (grew > this.memoryMb * 1048576) {
          const index = Atomics.load(this.ctrl, CTRL_INDEX);
          this.settle({
            dead: 'memory',
            index,
            message: `memory grew by ${Math.round(grew / 1048576)} MiB while one input ran (limit ${this.memoryMb} MiB)`,
            stack: '',
          });
          void this.worker.terminate();
        } else if (seq !== last) {
          last = seq;
          since = now;
        } else if (now - since > this.timeoutMs + 250) {
          const index = Atomics.load(this.ctrl, CTRL_INDEX);
          this.settle({ dead: 'hang', index, message: `no result within ${this.timeoutMs} ms`, stack: '' });
          void this.worker.terminate();
        }
      }, 25);
      this.worker.postMessage(req);
    });
  }

  /** Lets the target release what it holds (bounded), then ends the worker. */
  async close(): Promise<void> {
    if (!this.exited) await Promise.race([this.request({ mode: 'close', inputs: [] }), new Promise((r) => setTimeout(r, 5000))]);
    clearInterval(this.watchdog);
    this.exited = true;
    await this.worker.terminate();
  }
}

const INTERESTING8 = [0, 1, 0x7f, 0x80, 0xff, 0x30, 0x39, 0x0a, 0x20, 0x3a, 0x22, 0x7b, 0x5b, 0x2f, 0x2e, 0x2d];
const INTERESTING32 = [0, 1, 0x7f, 0x80, 0xff, 0x100, 0x1ff, 0x200, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xffffffff];
const NUMBERS = ['0', '-1', '1', '65535', '4294967296', '9007199254740993', '1e308', '-0', '99999999999999999999', 'NaN', '0x10', '1.5'];

/** The mutator: AFL's havoc stage, 1..16 stacked mutations. */
export class Mutator {
  constructor(
    private rnd: () => number,
    private dict: Buffer[],
    private maxLen: number,
  ) {}

  private int(n: number): number {
    return Math.floor(this.rnd() * n);
  }

  mutate(src: Buffer, other: Buffer | undefined): Buffer {
    let b: Buffer = Buffer.from(src);
    // mostly one or a few mutations (small steps past a check), sometimes many
    const n = this.rnd() < 0.5 ? 1 : 1 + this.int(this.rnd() < 0.7 ? 4 : 16);
    for (let i = 0; i < n; i++) b = this.one(b, other);
    return b.length > this.maxLen ? b.subarray(0, this.maxLen) : b;
  }

  private one(b: Buffer, other: Buffer | undefined): Buffer {
    const len = b.length;
    const at = (): number => this.int(Math.max(1, len));
    const chunk = (): number => 1 + this.int(Math.min(len || 1, this.rnd() < 0.8 ? 8 : 256));
    switch (this.int(15)) {
      case 0: // flip a bit
        if (len) b[at()]! ^= 1 << this.int(8);
        return b;
      case 1: // a random byte
        if (len) b[at()] = this.int(256);
        return b;
      case 2: // an interesting byte
        if (len) b[at()] = INTERESTING8[this.int(INTERESTING8.length)]!;
        return b;
      case 3: {
        // add or subtract a little
        if (len) {
          const i = at();
          b[i] = (b[i]! + (this.rnd() < 0.5 ? 1 : -1) * (1 + this.int(16))) & 0xff;
        }
        return b;
      }
      case 4: {
        // an interesting 16/32-bit value, either byte order
        const w = this.rnd() < 0.5 ? 2 : 4;
        if (len < w) return b;
        const i = this.int(len - w + 1);
        const v = INTERESTING32[this.int(INTERESTING32.length)]! >>> 0;
        if (w === 2) {
          if (this.rnd() < 0.5) b.writeUInt16LE(v & 0xffff, i);
          else b.writeUInt16BE(v & 0xffff, i);
        } else if (this.rnd() < 0.5) b.writeUInt32LE(v, i);
        else b.writeUInt32BE(v, i);
        return b;
      }
      case 5: {
        // delete a chunk
        if (!len) return b;
        const i = at();
        return Buffer.concat([b.subarray(0, i), b.subarray(i + chunk())]);
      }
      case 6: {
        // insert random bytes
        const ins = Buffer.alloc(1 + this.int(16));
        for (let k = 0; k < ins.length; k++) ins[k] = this.int(256);
        const i = this.int(len + 1);
        return Buffer.concat([b.subarray(0, i), ins, b.subarray(i)]);
      }
      case 7: {
        // duplicate a chunk in place (repeated records)
        if (!len) return b;
        const i = at();
        const part = b.subarray(i, i + chunk());
        const reps = this.rnd() < 0.9 ? 1 : 1 + this.int(32);
        return Buffer.concat([b.subarray(0, i), ...Array<Buffer>(reps + 1).fill(part), b.subarray(i + part.length)]);
      }
      case 8: {
        // copy a chunk over another place
        if (!len) return b;
        const from = at();
        const part = Buffer.from(b.subarray(from, from + chunk()));
        part.copy(b, at());
        return b;
      }
      case 9: {
        // splice: a prefix of this entry and a suffix of another
        if (!other || !other.length) return b;
        return Buffer.concat([b.subarray(0, this.int(len + 1)), other.subarray(this.int(other.length))]);
      }
      case 10:
      case 11: {
        // insert a dictionary token
        if (!this.dict.length) return b;
        const tok = this.dict[this.int(this.dict.length)]!;
        const i = this.int(len + 1);
        return Buffer.concat([b.subarray(0, i), tok, b.subarray(i)]);
      }
      case 12: {
        // overwrite with a dictionary token
        if (!this.dict.length || !len) return b;
        const tok = this.dict[this.int(this.dict.length)]!;
        const i = at();
        return Buffer.concat([b.subarray(0, i), tok, b.subarray(i + tok.length)]);
      }
      case 13: {
        // replace a decimal number by an interesting one
        const text = b.toString('latin1');
        const nums = [...text.matchAll(/-?\d+/g)];
        if (!nums.length) return b;
        const m = nums[this.int(nums.length)]!;
        return Buffer.concat([b.subarray(0, m.index), Buffer.from(NUMBERS[this.int(NUMBERS.length)]!), b.subarray(m.index! + m[0].length)]);
      }
      default: // truncate
        return len ? b.subarray(0, this.int(len)) : b;
    }
  }
}

function signatureOf(kind: FindingKind, c: CrashInfo): string {
  if (kind !== 'crash') return kind;
  const frame =
    c.stack
      .split('\n')
      .slice(1)
      .find((l) => l.includes('/src/') || l.includes('/test/fuzz/coverage-toys')) ?? '';
  const where = frame.replace(/^.*\/((?:src|test)\/[^:)]+:\d+).*$/, '$1');
  const msg = c.message
    .split('\n')[0]!
    .replace(/\d+/g, 'N')
    .replace(/(["'`]).*?\1/g, '"…"')
    .slice(0, 120);
  return `${c.name}: ${msg} @ ${where}`;
}

const DET_MAX = 32;

function* deterministic(b: Buffer): Generator<Buffer> {
  for (let i = 0; i < b.length; i++)
    for (let v = 0; v < 256; v++) {
      if (v === b[i]) continue;
      const c = Buffer.from(b);
      c[i] = v;
      yield c;
    }
}

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex').slice(0, 16);

/** Fuzz one target; resolves with the report (findings included, also written to outDir when given). */
export async function fuzz(opts: FuzzOptions): Promise<FuzzReport> {
  const log = opts.log ?? (() => {});
  const timeoutMs = opts.timeoutMs ?? 2000;
  const memBytes = (opts.memoryMb ?? 512) * 1024 * 1024;
  const feedback = opts.feedback ?? true;
  const rnd = rng(opts.seed ?? 0x5eed);
  const findings: Finding[] = [];
  const signatures = new Set<string>();
  let restarts = 0;
  let unconfirmed = 0;
  let keys = 0;
  let blocks = 0;

  let w = new TargetWorker(opts, timeoutMs);
  const ready = await w.ready;
  const seeds = ready.seeds.map((u) => Buffer.from(u));
  const corpusDir = opts.corpusDir ? join(opts.corpusDir, opts.target) : undefined;
  if (corpusDir && existsSync(corpusDir)) for (const f of readdirSync(corpusDir).sort()) seeds.push(readFileSync(join(corpusDir, f)));
  if (!seeds.length) seeds.push(Buffer.alloc(0));
  const maxLen = ready.maxLen || Math.min(1 << 20, Math.max(4096, 2 * Math.max(...seeds.map((s) => s.length))));
  const dict = ready.dict.map((t) => Buffer.from(t));
  const mut = new Mutator(rnd, dict, maxLen);
  const corpus: Buffer[] = [];

  async function record(kind: FindingKind, c: CrashInfo, input: Buffer, killedWorker = false): Promise<void> {
    const sig = signatureOf(kind, c);
    if (signatures.has(sig)) return;
    signatures.add(sig);
    let minimal = input;
    // (an error that killed the worker would need a new worker per attempt: not minimised)
    if (kind === 'crash' && !killedWorker && opts.minimize !== false) minimal = await minimise(input, sig);
    const f: Finding = { kind, message: c.message, stack: c.stack, signature: sig, input: minimal };
    if (opts.outDir) {
      const dir = join(opts.outDir, opts.target);
      mkdirSync(dir, { recursive: true });
      const base = join(dir, `${kind}-${sha(minimal)}`);
      writeFileSync(`${base}.bin`, minimal);
      writeFileSync(
        `${base}.txt`,
        `target: ${opts.target}\nkind: ${kind}\nsignature: ${sig}\nmessage: ${c.message}\ninput bytes: ${minimal.length}\n\n${c.stack}\n`,
      );
      f.file = `${base}.bin`;
    }
    findings.push(f);
    log(`${opts.target}: ${kind}: ${c.message.split('\n')[0]}${f.file ? ` (${f.file})` : ''}`);
  }

  /** A fresh worker whose coverage set is the corpus's again. */
  async function restart(): Promise<void> {
    restarts++;
    await w.close();
    w = new TargetWorker(opts, timeoutMs);
    await w.ready;
    for (let i = 0; i < corpus.length; i += 16) {
      const r = await w.request({ mode: 'each', inputs: corpus.slice(i, i + 16) });
      if ('dead' in r) {
        // A corpus entry that now fails was found flaky: drop it and go on.
        corpus.splice(i + r.index, 1);
        await w.close();
        w = new TargetWorker(opts, timeoutMs);
        await w.ready;
        i = -16;
      }
    }
  }

  /** Runs inputs; findings recorded; returns the per-input results (undefined for the input that killed the worker and those after it). */
  async function exec(mode: 'each' | 'batch', inputs: Buffer[]): Promise<WorkerResult | undefined> {
    const r = await w.request({ mode, inputs });
    if ('dead' in r) {
      const bad = inputs[r.index] ?? Buffer.alloc(0);
      await restart();
      // A hang or blow-up is confirmed by the input alone in a fresh worker (a loaded machine can stall a worker once).
      if (r.dead !== 'crash') {
        const again = await w.request({ mode: 'each', inputs: [bad] });
        if (!('dead' in again)) {
          const x = again.results[0]!;
          if (x.ms <= timeoutMs && x.mem <= memBytes) {
            unconfirmed++;
            log(`${opts.target}: ${r.dead} not reproduced by the input alone (${Math.round(x.ms)} ms): not a finding`);
            return undefined;
          }
        } else await restart();
      }
      await record(r.dead, { name: r.dead, message: r.message, stack: r.stack }, bad, true);
      return undefined;
    }
    for (const [i, x] of r.results.entries()) {
      if (x.crash) await record('crash', x.crash, inputs[i]!);
      else if (x.ms > timeoutMs) await record('hang', { name: 'hang', message: `took ${Math.round(x.ms)} ms (limit ${timeoutMs} ms)`, stack: '' }, inputs[i]!);
      else if (x.mem > memBytes)
        await record(
          'memory',
          { name: 'memory', message: `external memory ${Math.round(x.mem / 1048576)} MiB (limit ${memBytes / 1048576} MiB)`, stack: '' },
          inputs[i]!,
        );
    }
    if (r.total !== undefined) {
      keys = r.total;
      blocks = r.blocks ?? blocks;
    }
    return r;
  }

  /** Does this input still crash the same way? */
  async function sameCrash(input: Buffer, sig: string): Promise<boolean> {
    const r = await w.request({ mode: 'each', inputs: [input] });
    if ('dead' in r) {
      await restart();
      return false;
    }
    const c = r.results[0]?.crash;
    return !!c && signatureOf('crash', c) === sig;
  }

  /** Delta debugging by chunk removal, then byte simplification, bounded. */
  async function minimise(input: Buffer, sig: string): Promise<Buffer> {
    let best = input;
    let tries = 0;
    const limit = 400;
    for (let size = Math.max(1, best.length >> 1); size >= 1 && tries < limit; size >>= 1) {
      for (let i = 0; i < best.length && tries < limit;) {
        const cand = Buffer.concat([best.subarray(0, i), best.subarray(i + size)]);
        tries++;
        if (await sameCrash(cand, sig)) best = cand;
        else i += size;
      }
    }
    return best;
  }

  // Calibration: every seed is run and kept.
  let execs = 0;
  let runMs = 0;
  for (let i = 0; i < seeds.length; i += 16) {
    const part = seeds.slice(i, i + 16);
    const r = await exec('each', part);
    execs += part.length;
    if (r) {
      corpus.push(...part);
      runMs += r.results.reduce((s, x) => s + x.ms, 0);
    }
  }
  const perExec = runMs / Math.max(1, corpus.length);
  if (!corpus.length) corpus.push(Buffer.alloc(0));
  // A coverage take costs about a millisecond: fast targets share one among several inputs.
  const batch = opts.batch === 'auto' || opts.batch === undefined ? (perExec < 0.1 ? 64 : perExec < 1 ? 16 : perExec < 5 ? 4 : 1) : opts.batch;
  log(`${opts.target}: ${seeds.length} seeds, ${corpus.length} in corpus, ${blocks} blocks, batch ${batch}`);

  const deadline = performance.now() + (opts.seconds ?? 10) * 1000;
  const maxExecs = opts.maxExecs ?? Infinity;
  const runStart = performance.now();
  let lastLog = runStart;
  const recent: Buffer[] = [];
  // The newest entries are the frontier: half the time one of the last four.
  const pick = (): Buffer => (recent.length && rnd() < 0.5 ? recent[Math.floor(rnd() * recent.length)]! : corpus[Math.floor(rnd() * corpus.length)]!);
  // AFL's deterministic stage, taken to every byte value since it is cheap at
  // that size: each byte of a short entry (a seed or a new corpus entry of at
  // most DET_MAX bytes) gets all 256 values before havoc goes on.
  const detQueue: Buffer[] = corpus.filter((b) => b.length <= DET_MAX);
  let det: Generator<Buffer> | undefined;
  const nextInput = (): Buffer => {
    for (;;) {
      if (!det) {
        const b = detQueue.shift();
        if (!b) break;
        det = deterministic(b);
      }
      const r = det.next();
      if (!r.done) return r.value;
      det = undefined;
    }
    return mut.mutate(pick(), corpus[Math.floor(rnd() * corpus.length)]);
  };
  const keep = (b: Buffer): void => {
    corpus.push(b);
    if (b.length <= DET_MAX) detQueue.push(b);
    recent.push(b);
    if (recent.length > 4) recent.shift();
    if (corpusDir) {
      mkdirSync(corpusDir, { recursive: true });
      writeFileSync(join(corpusDir, sha(b)), b);
    }
  };

  while (performance.now() < deadline && execs < maxExecs) {
    if (opts.stopOnFinding && findings.length) break;
    const n = Math.min(batch, maxExecs - execs);
    const inputs = Array.from({ length: n }, nextInput);
    execs += n;
    if (n === 1) {
      const r = await exec('each', inputs);
      if (r && feedback) r.results.forEach((x, i) => x.added && !x.crash && keep(inputs[i]!));
    } else {
      const r = await exec('batch', inputs);
      if (r?.batchNew && feedback) {
        const again = await exec('each', inputs);
        if (again) again.results.forEach((x, i) => x.added && !x.crash && keep(inputs[i]!));
      }
    }
    if (performance.now() - lastLog > 10_000) {
      lastLog = performance.now();
      log(`${opts.target}: ${execs} execs, corpus ${corpus.length}, ${blocks} blocks, ${findings.length} findings`);
    }
  }
  const seconds = (performance.now() - runStart) / 1000;
  // A last each-mode pass keeps the block count exact when batches were used.
  await w.close();
  return {
    target: opts.target,
    execs,
    seconds,
    execsPerSecond: Math.round(execs / Math.max(seconds, 0.001)),
    seeds: seeds.length,
    corpus: corpus.length,
    blocks,
    keys,
    restarts,
    unconfirmed,
    findings,
  };
}
