// Toy targets of the coverage-guided fuzzer's own tests
// (coverage-fuzzer.test.ts): a crash behind a nested 8-byte magic check
// that random mutation does not reach but coverage feedback does, a planted
// hang, a planted memory blow-up, and an uncaught asynchronous error.
import { InputError } from '../../src/core/errors.js';
import type { CoverageTarget } from './coverage-protocol.js';

const here = ['/test/fuzz/coverage-toys'];

/** "VIG!" then the bytes 0xde 0xad 0xbe 0xef, one nested check per byte (each a new block). */
function magic(b: Buffer): boolean {
  if (b.length < 8) return false;
  if (b[0] === 0x56) {
    if (b[1] === 0x49) {
      if (b[2] === 0x47) {
        if (b[3] === 0x21) {
          if (b[4] === 0xde) {
            if (b[5] === 0xad) {
              if (b[6] === 0xbe) {
                if (b[7] === 0xef) return true;
              }
            }
          }
        }
      }
    }
  }
  return false;
}

function refuse(b: Buffer): void {
  if (b.length > 64) throw new InputError('AUDIT_JSON_INVALID', 'toy: input too long');
}

/** A toy: its own file's coverage, one short seed. */
const toy =
  (run: CoverageTarget['run'], maxLen = 16, seed = 'hello'): (() => CoverageTarget) =>
  () => ({ cover: here, seeds: () => [Buffer.from(seed)], maxLen, run });

export const targets: Record<string, () => CoverageTarget> = {
  magic: toy(
    (b) => {
      refuse(b);
      if (magic(b)) throw new TypeError('planted crash behind the magic');
    },
    16,
    'AAAAAAAA',
  ),
  hang: toy((b) => {
    refuse(b);
    // planted: a zero byte makes the loop never end
    if (b.includes(0)) for (;;);
  }),
  // planted: a promise that never settles (a stream waiting forever)
  pending: toy((b) => (b.includes(0x7e) ? new Promise(() => {}) : undefined)),
  memory: toy(async (b) => {
    // planted: a count field trusted for buffers (external memory, outside the heap limit)
    if (b[0] !== 0xff) return;
    const a: Buffer[] = [];
    for (let i = 0; i < 1e6; i++) {
      a.push(Buffer.alloc(16 << 20, 1));
      await new Promise((r) => setImmediate(r));
    }
  }),
  heap: toy((b) => {
    // planted: the same for JS arrays (the worker's heap limit)
    if (b[0] !== 0xff) return;
    const a: number[][] = [];
    for (let i = 0; i < 1e6; i++) a.push(new Array<number>(1e6).fill(i));
  }),
  uncaught: toy((b) => {
    // planted: an error thrown from a callback, outside the reader's promise
    if (b.includes(0x21))
      setImmediate(() => {
        throw new RangeError('planted asynchronous crash');
      });
  }),
  clean: toy((b) => {
    refuse(b);
    if (b[0] === 0x7b) throw new InputError('AUDIT_JSON_INVALID', 'toy: braces refused');
  }, 80),
};
