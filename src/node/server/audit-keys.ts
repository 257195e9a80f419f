// Key material of the audit trail, kept outside the database: the chain's
// HMAC key (derived with HKDF from the server's secret key: VIGIL_SECRET_KEY
// or the data dir's `secret.key`) and the Ed25519 checkpoint signing key
// (`audit-signing.key`, PKCS#8 PEM, 0600, created on first start; its public
// half in `audit-signing.pub`). The checkpointer signs the chain's head
// periodically and on shutdown into the database and the data dir's
// `audit-checkpoint.json` (a copy outside the database).
import { createPrivateKey, createPublicKey, generateKeyPairSync, hkdfSync, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, linkSync, mkdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../../core/errors.js';
import type { ErrorCode } from '../../core/error-codes.js';
import { parseCheckpoint, writeCheckpoint, type Checkpoint } from '../store/audit-log.js';
import type { Store } from '../store/store.js';

export const SIGNING_KEY_FILE = 'audit-signing.key';
export const PUBLIC_KEY_FILE = 'audit-signing.pub';
export const CHECKPOINT_FILE = 'audit-checkpoint.json';

/** The audit chain's HMAC key from the server's 32-byte secret key. */
export function auditChainKey(secretKey: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', secretKey, Buffer.alloc(0), 'vigil audit chain v1', 32));
}

/** The checkpoint signing key from the data dir; created (0600) when `create` and missing. */
export function loadSigningKey(dataDir: string, create: boolean): KeyObject {
  const p = join(dataDir, SIGNING_KEY_FILE);
  if (!existsSync(p)) {
    if (!create) throw new InputError('AUDIT_KEY_MISSING', `audit key file missing (${p})`, p);
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const { privateKey } = generateKeyPairSync('ed25519');
    // Written whole, then linked into place: a twin process starting at once never reads half a file.
    const tmp = `${p}.tmp-${process.pid}`;
    writeFileSync(tmp, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    chmodSync(tmp, 0o600);
    try {
      linkSync(tmp, p);
    } catch (e) {
      // a twin process created it first: use theirs
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    } finally {
      unlinkSync(tmp);
    }
  }
  const key = readEd25519(p, createPrivateKey, 'AUDIT_KEY_MISSING', 'audit signing key file is not a PEM private key', 'audit signing key is not Ed25519');
  const pub = join(dataDir, PUBLIC_KEY_FILE);
  if (create && !existsSync(pub)) writeFileSync(pub, createPublicKey(key).export({ type: 'spki', format: 'pem' }), { mode: 0o644 });
  return key;
}

function readBounded(p: string): string {
  if (statSync(p).size > 65536) throw new InputError('AUDIT_CHECKPOINT_INVALID', 'file too large (max 64 KiB)', p);
  return readFileSync(p, 'utf8');
}

/** A public key file (PEM SPKI, e.g. another replica's audit-signing.pub) whose checkpoints are trusted. */
export function readPublicKey(p: string): KeyObject {
  if (!existsSync(p)) throw new InputError('AUDIT_KEY_MISSING', `audit key file missing (${p})`, p);
  return readEd25519(p, createPublicKey, 'AUDIT_CHECKPOINT_INVALID', 'not a PEM public key', 'not an Ed25519 public key');
}

/** The Ed25519 key of a PEM file (at most 64 KiB): `notPem` when it does not parse, `notEd25519` when it is another kind. */
function readEd25519(p: string, parse: (pem: string) => KeyObject, code: ErrorCode, notPem: string, notEd25519: string): KeyObject {
  let key: KeyObject;
  try {
    key = parse(readBounded(p));
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(code, notPem, p);
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new InputError(code, notEd25519, p);
  return key;
}

/** A checkpoint file (`vigil audit checkpoint` output or the data dir's copy). */
export function readCheckpointFile(p: string): Checkpoint {
  if (!existsSync(p)) throw new InputError('AUDIT_CHECKPOINT_INVALID', 'no such checkpoint file', p);
  return parseCheckpoint(readBounded(p), p);
}

/** Writes a checkpoint as JSON to a file, replacing it atomically. */
export function saveCheckpointFile(p: string, c: Checkpoint): void {
  const tmp = `${p}.tmp-${process.pid}`;
  writeFileSync(tmp, `${JSON.stringify(c, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, p);
}

/** Signs the head periodically (when it moved) and on stop, into the database and the data dir. */
export class AuditCheckpointer {
  private timer?: NodeJS.Timeout;
  private lastSeq = -1;
  private running: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly o: {
      store: Store;
      key: KeyObject;
      dataDir: string;
      clock: () => Date;
      onError: (e: unknown) => void;
      onCheckpoint?: (c: Checkpoint) => void;
    },
  ) {}

  start(intervalMs: number): void {
    if (intervalMs <= 0) return;
    this.timer = setInterval(() => {
      void this.checkpoint(false);
    }, intervalMs);
    this.timer.unref();
  }

  /** Writes a checkpoint now (unless the head has not moved and `force` is false). */
  checkpoint(force: boolean): Promise<Checkpoint | undefined> {
    const next = this.running.then(async () => {
      try {
        const head = await this.o.store.db.selectFrom('audit_log').select('seq').orderBy('seq', 'desc').limit(1).executeTakeFirst();
        if (!force && (head?.seq ?? 0) === this.lastSeq) return undefined;
        const c = await writeCheckpoint(this.o.store, this.o.key, this.o.clock());
        this.lastSeq = c.seq;
        saveCheckpointFile(join(this.o.dataDir, CHECKPOINT_FILE), c);
        this.o.onCheckpoint?.(c);
        return c;
      } catch (e) {
        this.o.onError(e);
        return undefined;
      }
    });
    this.running = next;
    return next;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.checkpoint(true);
  }
}
