import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import { InputError } from '../../../core/errors.js';
import { digestOf, DigestVerifier } from './verify-stream.js';

async function drain(data: Buffer[], v: DigestVerifier): Promise<number> {
  let n = 0;
  await pipeline(
    Readable.from(data),
    v,
    new Writable({
      write(c: Buffer, _e, cb) {
        n += c.length;
        cb();
      },
    }),
  );
  return n;
}

const blob = Buffer.from('hello layer '.repeat(1000));
const d = digestOf(blob);

test('passes a blob with the right digest and size through unchanged', async () => {
  assert.equal(await drain([blob.subarray(0, 5), blob.subarray(5)], new DigestVerifier(d, blob.length, 1e9, 'w')), blob.length);
  assert.equal(await drain([blob], new DigestVerifier(digestOf(blob, 'sha512:'), undefined, 1e9, 'w')), blob.length);
});

test('fails on wrong content, truncation, oversize and the limit', async () => {
  const bad = Buffer.from(blob);
  bad[7] ^= 1;
  const cases: Array<[Buffer[], DigestVerifier, string, RegExp]> = [
    [[bad], new DigestVerifier(d, blob.length, 1e9, 'reg/app@x'), 'IMAGE_DIGEST_MISMATCH', /has digest sha256:[0-9a-f]{64}, expected/],
    [[blob.subarray(0, 100)], new DigestVerifier(d, blob.length, 1e9, 'reg/app@x'), 'IMAGE_DIGEST_MISMATCH', /ended after 100 of 12000 bytes/],
    [[blob, Buffer.from('x')], new DigestVerifier(d, blob.length, 1e9, 'reg/app@x'), 'IMAGE_DIGEST_MISMATCH', /larger than its descriptor's size 12000/],
    [[blob], new DigestVerifier(d, undefined, 100, 'reg/app@x'), 'LIMIT_BLOB_SIZE', /limit of 100 bytes/],
  ];
  for (const [data, v, code, re] of cases) {
    await assert.rejects(
      drain(data, v),
      (e: unknown) => e instanceof InputError && e.code === code && re.test(e.message) && e.message.startsWith('reg/app@x:'),
      code,
    );
  }
});
