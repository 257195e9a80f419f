// Shared pieces of the property-based fuzz tests (test/fuzz/*.fuzz.test.ts).
// Every property: a reader of untrusted input, fed mutations of real valid
// samples (and plain arbitrary input), returns a result or throws
// InputError/LimitError, within a time bound per case. The run count and the
// seed come from the environment (scripts/fuzz.mjs sets them for long runs);
// the default is a small fixed-seed run for `npm test`. fast-check prints the
// seed and the shrunk counterexample on failure.
import fc from 'fast-check';
import { InputError } from '../../src/core/errors.js';

/** Runs per property: VIGIL_FUZZ_RUNS, or the given default (kept small for CI). */
export function runs(dflt: number): number {
  const v = Number(process.env.VIGIL_FUZZ_RUNS);
  return Number.isInteger(v) && v > 0 ? v : dflt;
}

/** The seed: VIGIL_FUZZ_SEED, or a fixed one so CI runs are reproducible. */
export function seed(): number {
  const v = Number(process.env.VIGIL_FUZZ_SEED);
  return Number.isInteger(v) ? v : 20261207;
}

export function params(dflt: number): fc.Parameters<unknown> {
  return { numRuns: runs(dflt), seed: seed(), endOnFailure: false, verbose: 1, includeErrorInReport: true };
}

/** Per-case time bound (ms); a reader that needs longer on a small input counts as a hang. */
export const CASE_MS = Number(process.env.VIGIL_FUZZ_CASE_MS) || 2_000;

/** An error a reader may throw: InputError (LimitError is one), with a one-line message. */
export function checkError(e: unknown, what: string): void {
  if (!(e instanceof InputError)) {
    const msg = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    throw new Error(`${what}: threw ${msg} instead of InputError/LimitError`, { cause: e });
  }
  if (/[\n\r]/.test(e.message)) throw new Error(`${what}: error message is not one line: ${JSON.stringify(e.message)}`);
}

/** Run a synchronous reader on one case: result or InputError, within CASE_MS. */
export function expectSync(what: string, fn: () => unknown): void {
  const t0 = performance.now();
  try {
    fn();
  } catch (e) {
    checkError(e, what);
  }
  const ms = performance.now() - t0;
  if (ms > CASE_MS) throw new Error(`${what}: took ${Math.round(ms)} ms (bound ${CASE_MS} ms)`);
}

/** Run an asynchronous reader on one case: result or InputError, settled within CASE_MS. */
export async function expectAsync(what: string, fn: () => Promise<unknown>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<'hang'>((resolve) => {
    timer = setTimeout(() => resolve('hang'), CASE_MS);
  });
  try {
    const r = await Promise.race([
      fn().then(
        () => 'ok' as const,
        (e: unknown) => {
          checkError(e, what);
          return 'ok' as const;
        },
      ),
      hang,
    ]);
    if (r === 'hang') throw new Error(`${what}: did not settle within ${CASE_MS} ms`);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The byte-corpus fuzz driver: each case is one mutation of a sample of every
 * corpus in `corpora` (in order), handed to `check` as its arguments; `check`
 * runs the readers on them (expectAsync / expectSync). VIGIL_FUZZ_RUNS or
 * `defaultRuns` cases, seeded.
 */
export async function fuzzCorpora(defaultRuns: number, corpora: Buffer[][], check: (...inputs: Buffer[]) => Promise<void>): Promise<void> {
  const cases = fc.tuple(...corpora.map((c) => fuzzBytes(c)));
  await fc.assert(
    fc.asyncProperty(cases, (inputs) => check(...inputs)),
    params(defaultRuns),
  );
}

type Mutation = (b: Buffer) => Buffer;

const mutation = (): fc.Arbitrary<Mutation> =>
  fc.oneof(
    // flip one bit
    fc.tuple(fc.nat(), fc.integer({ min: 0, max: 7 })).map(([i, bit]) => (b: Buffer) => {
      if (b.length === 0) return b;
      const c = Buffer.from(b);
      c[i % c.length]! ^= 1 << bit;
      return c;
    }),
    // set one byte to an interesting value
    fc.tuple(fc.nat(), fc.constantFrom(0x00, 0xff, 0x7f, 0x80, 0x30, 0x0a, 0x3a, 0x22, 0x7b, 0x5b)).map(([i, v]) => (b: Buffer) => {
      if (b.length === 0) return b;
      const c = Buffer.from(b);
      c[i % c.length] = v;
      return c;
    }),
    // overwrite 4 bytes with a boundary integer (sizes, counts, offsets)
    fc.tuple(fc.nat(), fc.constantFrom(0, 1, 0x7fffffff, 0xffffffff, 0x80000000, 0xffff, 512), fc.boolean()).map(([i, v, le]) => (b: Buffer) => {
      if (b.length < 4) return b;
      const c = Buffer.from(b);
      const at = i % (c.length - 3);
      if (le) c.writeUInt32LE(v, at);
      else c.writeUInt32BE(v, at);
      return c;
    }),
    // truncate
    fc.nat().map((n) => (b: Buffer) => b.subarray(0, b.length === 0 ? 0 : n % b.length)),
    // delete a range
    fc.tuple(fc.nat(), fc.integer({ min: 1, max: 64 })).map(([i, n]) => (b: Buffer) => {
      if (b.length === 0) return b;
      const at = i % b.length;
      return Buffer.concat([b.subarray(0, at), b.subarray(at + n)]);
    }),
    // insert random bytes
    fc.tuple(fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 32 })).map(([i, ins]) => (b: Buffer) => {
      const at = b.length === 0 ? 0 : i % b.length;
      return Buffer.concat([b.subarray(0, at), Buffer.from(ins), b.subarray(at)]);
    }),
    // duplicate a range (repeated records, nested structures)
    fc.tuple(fc.nat(), fc.integer({ min: 1, max: 256 })).map(([i, n]) => (b: Buffer) => {
      if (b.length === 0) return b;
      const at = i % b.length;
      const part = b.subarray(at, at + n);
      return Buffer.concat([b.subarray(0, at + part.length), part, b.subarray(at + part.length)]);
    }),
  );

/** A real sample with 1..maxMutations byte-level mutations applied. */
export function mutatedBytes(samples: Buffer[], maxMutations = 4): fc.Arbitrary<Buffer> {
  return fc
    .tuple(fc.integer({ min: 0, max: samples.length - 1 }), fc.array(mutation(), { minLength: 1, maxLength: maxMutations }))
    .map(([i, ms]) => ms.reduce((b, m) => m(b), samples[i]!));
}

/** Mutated samples most of the time, plain random bytes sometimes. */
export function fuzzBytes(samples: Buffer[], maxLength = 4096): fc.Arbitrary<Buffer> {
  return fc.oneof({ weight: 4, arbitrary: mutatedBytes(samples) }, { weight: 1, arbitrary: fc.uint8Array({ maxLength }).map((u) => Buffer.from(u)) });
}

/** Mutated text (byte mutations, decoded as UTF-8). */
export function fuzzText(samples: string[], maxMutations = 4): fc.Arbitrary<string> {
  return fc.oneof(
    {
      weight: 4,
      arbitrary: mutatedBytes(
        samples.map((s) => Buffer.from(s)),
        maxMutations,
      ).map((b) => b.toString('utf8')),
    },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 512 }) },
  );
}

/** Values that break code which trusts a JSON document's shape. */
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, 1e308, -1e308, 1.5, '', ' ', '\u0000', '../../etc/passwd', 'sha256:', '9'.repeat(400), [], {}, [[[[[]]]]]),
  // what JSON.parse really makes of keys that shadow Object.prototype
  fc
    .constantFrom('{"__proto__":null}', '{"toString":1,"valueOf":1}', '{"constructor":{"prototype":1}}', '{"hasOwnProperty":0}')
    .map((t) => JSON.parse(t) as unknown),
  fc.jsonValue({ maxDepth: 3 }),
  fc.string({ unit: 'binary', maxLength: 64 }),
);

type Path = Array<string | number>;

function paths(v: unknown, prefix: Path = [], out: Path[] = [], depth = 0): Path[] {
  out.push(prefix);
  if (depth > 12 || out.length > 2000) return out;
  if (Array.isArray(v)) v.forEach((x, i) => paths(x, [...prefix, i], out, depth + 1));
  else if (v !== null && typeof v === 'object') for (const k of Object.keys(v)) paths((v as Record<string, unknown>)[k], [...prefix, k], out, depth + 1);
  return out;
}

function setAt(root: unknown, path: Path, fn: (old: unknown, parent: unknown, key: string | number) => 'delete' | { value: unknown }): unknown {
  if (path.length === 0) {
    const r = fn(root, undefined, '');
    return r === 'delete' ? null : r.value;
  }
  const clone = structuredClone(root) as Record<string | number, unknown>;
  let cur: Record<string | number, unknown> = clone;
  for (const k of path.slice(0, -1)) cur = cur[k] as Record<string | number, unknown>;
  const key = path[path.length - 1]!;
  const r = fn(cur[key], cur, key);
  if (r === 'delete') {
    if (Array.isArray(cur)) cur.splice(key as number, 1);
    else delete cur[key];
  } else cur[key] = r.value;
  return clone;
}

const jsonMutation = (): fc.Arbitrary<(doc: unknown) => unknown> =>
  fc.tuple(fc.nat(), fc.integer({ min: 0, max: 4 }), hostileValue).map(([i, kind, value]) => (doc: unknown) => {
    const ps = paths(doc);
    const path = ps[i % ps.length]!;
    return setAt(doc, path, (old) => {
      switch (kind) {
        case 0:
          return { value };
        case 1:
          return 'delete';
        // wrong container type
        case 2:
          return {
            value: Array.isArray(old)
              ? Object.fromEntries(old.map((x, j) => [String(j), x]))
              : old !== null && typeof old === 'object'
                ? Object.values(old)
                : [old],
          };
        // a string or number of the other kind
        case 3:
          return { value: typeof old === 'string' ? Number(old) || old.length : typeof old === 'number' ? String(old) : value };
        // repeat an array (counts)
        default:
          return { value: Array.isArray(old) ? [...old, ...old, ...old] : value };
      }
    });
  });

/** A real JSON sample with 1..maxMutations structural mutations (replace, delete, retype, repeat). */
export function mutatedJson(samples: unknown[], maxMutations = 3): fc.Arbitrary<unknown> {
  return fc
    .tuple(fc.integer({ min: 0, max: samples.length - 1 }), fc.array(jsonMutation(), { minLength: 1, maxLength: maxMutations }))
    .map(([i, ms]) => ms.reduce((d, m) => m(d), samples[i]));
}

/** Structural mutations, JSON text mutations that still parse, and plain arbitrary JSON. */
export function fuzzJson(samples: unknown[]): fc.Arbitrary<unknown> {
  const textMut = mutatedBytes(
    samples.map((s) => Buffer.from(JSON.stringify(s))),
    2,
  ).map((b) => {
    try {
      return JSON.parse(b.toString('utf8')) as unknown;
    } catch {
      return b.toString('utf8');
    }
  });
  return fc.oneof({ weight: 5, arbitrary: mutatedJson(samples) }, { weight: 2, arbitrary: textMut }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 4 }) });
}
