// Secrets at rest (registry passwords, webhook keys): AES-256-GCM with a
// 32-byte key from config (VIGIL_SECRET_KEY, hex or base64), or generated
// into the data dir on first start (file mode 0600). Ciphertext format:
// `v1:` + base64(iv[12] | tag[16] | ciphertext).
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../../core/errors.js';

export class SecretBox {
  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new InputError('SECRET_KEY', 'the secret key must be 32 bytes (64 hex characters or base64)');
  }

  seal(plain: string): string {
    if (plain === '') return '';
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
    return `v1:${Buffer.concat([iv, c.getAuthTag(), body]).toString('base64')}`;
  }

  open(sealed: string): string {
    if (sealed === '') return '';
    if (!sealed.startsWith('v1:')) throw new InputError('SECRET_FORMAT', 'stored secret has an unknown format');
    const raw = Buffer.from(sealed.slice(3), 'base64');
    if (raw.length < 28) throw new InputError('SECRET_FORMAT', 'stored secret is truncated');
    const d = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
    d.setAuthTag(raw.subarray(12, 28));
    try {
      return Buffer.concat([d.update(raw.subarray(28)), d.final()]).toString('utf8');
    } catch {
      throw new InputError('SECRET_KEY_MISMATCH', 'a stored secret does not decrypt with the configured key (was VIGIL_SECRET_KEY changed?)');
    }
  }
}

export function parseKey(s: string): Buffer {
  const t = s.trim();
  const k = /^[0-9a-f]{64}$/i.test(t) ? Buffer.from(t, 'hex') : Buffer.from(t, 'base64');
  if (k.length !== 32) throw new InputError('SECRET_KEY', 'VIGIL_SECRET_KEY must be 32 bytes: 64 hex characters or 44 base64 characters');
  return k;
}

/** The key from config, else the data dir's `secret.key` (created 0600 on first start). */
export function loadSecretKey(configured: string | undefined, dataDir: string): Buffer {
  if (configured) return parseKey(configured);
  const p = join(dataDir, 'secret.key');
  if (!existsSync(p)) {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    writeFileSync(p, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
    chmodSync(p, 0o600);
  }
  return parseKey(readFileSync(p, 'utf8'));
}
