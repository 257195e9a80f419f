// Types shared by the coverage-guided fuzzer (coverage-fuzzer.ts), its worker
// (coverage-worker.ts) and the target modules (coverage-targets.ts,
// coverage-toys.ts).

/** One fuzz target: a reader of untrusted input, fed bytes. */
export interface CoverageTarget {
  /** The seed inputs (real samples). */
  seeds(): Buffer[] | Promise<Buffer[]>;
  /** Tokens the mutator inserts (keys, magic values, field names). */
  dict?: string[];
  /** Runs the reader on one input; an InputError/LimitError is its clean refusal. */
  run(input: Buffer): unknown;
  /** Substrings of the script URLs whose coverage counts (default: the repository's src/). */
  cover?: string[];
  /** Largest input the mutator makes (default: twice the largest seed, at least 4 KiB, at most 1 MiB). */
  maxLen?: number;
  /** Releases what the target holds (a server, temp files) at the end of a run. */
  close?(): Promise<void> | void;
  /** Which thrown values are the target's documented refusals (default: InputError/LimitError with a one-line message). */
  expected?(e: unknown): boolean;
}

export interface TargetModule {
  targets: Record<string, () => Promise<CoverageTarget> | CoverageTarget>;
}

export interface WorkerData {
  module: string;
  target: string;
  control: SharedArrayBuffer;
}

/** Control block (Int32Array on a SharedArrayBuffer): which input runs, and a counter bumped at each start and end. */
export const CTRL_INDEX = 0;
export const CTRL_SEQ = 1;

export interface WorkerRequest {
  /** batch: run all, one coverage take without counts, answer whether anything is new; each: a take per input. */
  mode: 'batch' | 'each' | 'close';
  inputs: Uint8Array[];
}

export interface CrashInfo {
  name: string;
  message: string;
  stack: string;
}

export interface WorkerResult {
  results: Array<{ ms: number; crash?: CrashInfo; mem: number; added?: number }>;
  batchNew?: boolean;
  /** Coverage keys (block + hit-count class) and blocks seen so far. */
  total?: number;
  blocks?: number;
}

export interface WorkerReady {
  ready: true;
  seeds: Uint8Array[];
  dict: string[];
  maxLen: number;
}
