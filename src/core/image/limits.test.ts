import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InputError } from '../errors.js';
import { LIMIT_FLAGS, limitsFromOptions, parseSize, resolveLimits } from './limits.js';
import { DEFAULT_LIMITS } from './types.js';

describe('limits', () => {
  it('parses sizes with units', () => {
    assert.equal(parseSize('512'), 512);
    assert.equal(parseSize('64KiB'), 65536);
    assert.equal(parseSize('10MB'), 10_000_000);
    assert.equal(parseSize('2g'), 2 * 1024 ** 3);
    assert.equal(parseSize('1.5MiB'), 1.5 * 1024 * 1024);
    assert.throws(
      () => parseSize('ten', 'max-file-size'),
      (e: unknown) => e instanceof InputError && /--max-file-size/.test(e.message),
    );
    assert.throws(() => parseSize('-1'), InputError);
  });

  it('maps CLI options to ReadLimits and merges them with the defaults', () => {
    const l = limitsFromOptions({ maxFileSize: '1GiB', 'max-layers': '1000', maxEntries: 5, unrelated: 'x' });
    assert.deepEqual(l, { maxFileSize: 1024 ** 3, maxLayers: 1000, maxEntries: 5 });
    const r = resolveLimits(l);
    assert.equal(r.maxFileSize, 1024 ** 3);
    assert.equal(r.maxPathLength, DEFAULT_LIMITS.maxPathLength);
    assert.throws(() => limitsFromOptions({ maxLayers: '1e3' }), InputError);
  });

  it('has one flag per limit', () => {
    assert.deepEqual(new Set(LIMIT_FLAGS.map((f) => f.key)), new Set(Object.keys(DEFAULT_LIMITS)));
  });
});
