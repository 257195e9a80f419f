// Bearer secrets: generated with a prefix that says what they are, stored
// only as their SHA-256.
import { createHash, randomBytes } from 'node:crypto';

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** A new bearer secret: prefix says what it is (vgs_ session, vga_ API, vgr_ agent registration). */
export function newTokenSecret(prefix: 'vgs' | 'vga' | 'vgr'): string {
  return `${prefix}_${randomBytes(24).toString('base64url')}`;
}
