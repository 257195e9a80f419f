// Test helper: a table of [input, expected] rows for a one-argument function.
// Each row is one strict assertion, named by the function and its input, so a
// failing row says which input broke.
import assert from 'node:assert/strict';

export function expectCases<I, O>(fn: (input: I) => O, cases: ReadonlyArray<readonly [I, O]>): void {
  for (const [input, expected] of cases) assert.deepEqual(fn(input), expected, `${fn.name}(${JSON.stringify(input)})`);
}
