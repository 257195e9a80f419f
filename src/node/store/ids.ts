// Row ids: time-ordered (48-bit millisecond time + 80 random bits, Crockford
// base32, 26 chars, like ULID) so that ordering by id is ordering by creation
// and keyset pagination needs no extra column. Monotonic within one process.
import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
let lastTime = -1;
let lastRandom = Buffer.alloc(10);

function encode(time: number, rnd: Buffer): string {
  let out = '';
  let t = time;
  for (let i = 0; i < 10; i++) {
    out = ALPHABET[t % 32] + out;
    t = Math.floor(t / 32);
  }
  // 80 bits -> 16 chars of 5 bits
  let bits = 0;
  let acc = 0;
  for (const b of rnd) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(acc >> (bits - 5)) & 31];
      bits -= 5;
    }
    acc &= (1 << bits) - 1;
  }
  return out;
}

export function newId(now: number = Date.now()): string {
  if (now <= lastTime) {
    // same millisecond (or clock went back): increment the random part
    for (let i = lastRandom.length - 1; i >= 0; i--) {
      lastRandom[i] = (lastRandom[i]! + 1) & 0xff;
      if (lastRandom[i] !== 0) break;
    }
    return encode(lastTime, lastRandom);
  }
  lastTime = now;
  lastRandom = randomBytes(10);
  return encode(now, lastRandom);
}
