// A pass-through stream that checks a blob against its descriptor while it
// streams: never more bytes than the descriptor's size, exactly that many at
// the end, and the sha256/sha512 of the bytes equal to the digest. The check
// fails the stream at its end, so a consumer must read a blob to its end.
import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { InputError, LimitError } from '../../../core/errors.js';

export class DigestVerifier extends Transform {
  private readonly hash: Hash;
  private readonly expectedHex: string;
  private bytes = 0;

  /**
   * @param digest `sha256:<hex>` or `sha512:<hex>` (validated by the caller).
   * @param size the descriptor's size, or undefined when unknown.
   * @param maxBytes a limit for blobs of unknown size.
   * @param where names the blob in errors.
   */
  constructor(
    private readonly digest: string,
    private readonly size: number | undefined,
    private readonly maxBytes: number,
    private readonly where: string,
  ) {
    // Large buffers: the consumer inflates in big chunks; small ones cost per-chunk overhead.
    super({ highWaterMark: 1024 * 1024 });
    const [alg, hex] = digest.split(':') as [string, string];
    this.hash = createHash(alg);
    this.expectedHex = hex;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.size !== undefined && this.bytes > this.size) {
      cb(new InputError('IMAGE_DIGEST_MISMATCH', `blob is larger than its descriptor's size ${this.size}`, this.where));
      return;
    }
    if (this.bytes > this.maxBytes) {
      cb(new LimitError('LIMIT_BLOB_SIZE', `blob is larger than the limit of ${this.maxBytes} bytes`, this.where));
      return;
    }
    this.hash.update(chunk);
    cb(null, chunk);
  }

  override _flush(cb: TransformCallback): void {
    if (this.size !== undefined && this.bytes !== this.size) {
      cb(new InputError('IMAGE_DIGEST_MISMATCH', `blob ended after ${this.bytes} of ${this.size} bytes`, this.where));
      return;
    }
    const got = this.hash.digest('hex');
    if (got !== this.expectedHex) {
      cb(new InputError('IMAGE_DIGEST_MISMATCH', `blob content has digest ${this.digest.split(':')[0]}:${got}, expected ${this.digest}`, this.where));
      return;
    }
    cb();
  }
}

/** Digest of a whole buffer in the algorithm of `like` (`sha256:...` or `sha512:...`). */
export function digestOf(buf: Buffer, like = 'sha256:'): string {
  const alg = like.startsWith('sha512:') ? 'sha512' : 'sha256';
  return `${alg}:${createHash(alg).update(buf).digest('hex')}`;
}
