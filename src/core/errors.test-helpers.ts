// Test helper: an assert.rejects/throws matcher for an InputError with the
// given code (and message pattern); any other error is rethrown as it is.
import { InputError } from './errors.js';

export function inputErrorWith(code: string, re?: RegExp): (e: unknown) => boolean {
  return (e: unknown) => {
    if (!(e instanceof InputError)) throw e;
    if (e.code !== code) throw new Error(`expected ${code}, got ${e.code}: ${e.message}`);
    if (re && !re.test(e.message)) throw new Error(`message ${JSON.stringify(e.message)} does not match ${re}`);
    return true;
  };
}
