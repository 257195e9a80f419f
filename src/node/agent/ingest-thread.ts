// The agent link's alert commits on SQLite, off the server's event loop.
// better-sqlite3 runs every statement synchronously, so a commit on the
// server's own connection (a few ms, hundreds under load, with the WAL
// write) stopped everything else meanwhile: reading the 200 agents'
// streams, writing acknowledgements, the API. Here a worker thread
// (./ingest-worker.ts) owns a second connection to the same file and runs
// `ingestAgentBatches` there; the event loop only posts the batches and,
// once the worker's transaction committed, acknowledges. Acknowledged still
// means committed. SQLite's WAL lets the server's connection read
// meanwhile; writers of both connections take the write lock at BEGIN
// (store.ts) and wait for each other (busy_timeout).
//
// PostgreSQL commits on the event loop: its driver does not block it, and
// a worker with its own pool was measured (bench/README.md, 7 Dec 2026
// 22:50) to change nothing of the link's latency for 54 MiB more RSS.
// Not for `sqlite::memory:` either (a second connection would see another
// database).
import { Worker } from 'node:worker_threads';
import type { Alert } from '../../core/alerts/types.js';
import type { AgentBatch } from '../services/agents.js';

export interface IngestRequest {
  id: number;
  projectId: string;
  batches: readonly AgentBatch[];
  /** The server's clock at the commit's start (ISO), so an injected clock holds in the worker too. */
  now: string;
}

/** Per batch, the positions of its new alerts (null: its node is revoked); or why the commit failed. */
export type IngestReply = { id: number; fresh: Array<number[] | null> } | { id: number; error: string };

interface Waiting {
  batches: readonly AgentBatch[];
  resolve: (r: Array<readonly Alert[] | null>) => void;
  reject: (e: Error) => void;
}

/** Whether the store's alert commits run in an IngestThread: a SQLite file (not memory). */
export function ingestThreadFits(url: string): boolean {
  return url.startsWith('sqlite:') && url !== 'sqlite::memory:';
}

export class IngestThread {
  private worker: Worker | undefined;
  private readonly waiting = new Map<number, Waiting>();
  private next = 1;

  /** Resolves once the first worker has opened its connection (rejects when it could not). */
  readonly ready: Promise<void>;
  private started: { resolve: () => void; reject: (e: Error) => void } | undefined;

  /** Starts the worker at once: loading its modules and opening the store takes a moment, not to be paid by the first commit. */
  constructor(
    private readonly url: string,
    private readonly auditKey: Buffer,
  ) {
    this.ready = new Promise((resolve, reject) => (this.started = { resolve, reject }));
    // Handled here too: a worker that fails before anyone awaits `ready` must not be an unhandled rejection.
    this.ready.catch(() => {});
    this.start();
  }

  /** Commits the batches (one transaction, in the worker); resolves after the commit with each batch's new alerts. */
  ingest(projectId: string, batches: readonly AgentBatch[], now: Date): Promise<Array<readonly Alert[] | null>> {
    const w = this.worker ?? this.start();
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { batches, resolve, reject });
      w.postMessage({ id, projectId, batches, now: now.toISOString() } satisfies IngestRequest);
    });
  }

  /** Stops the worker once its current commit ended (it closes its connection). */
  async close(): Promise<void> {
    const w = this.worker;
    if (!w) return;
    this.worker = undefined;
    await new Promise<void>((resolve) => {
      w.once('exit', () => resolve());
      // Keep the process alive until the worker has closed its connection.
      w.ref();
      w.postMessage('stop');
      setTimeout(() => void w.terminate(), 5000).unref();
    });
  }

  private start(): Worker {
    const ts = import.meta.url.endsWith('.ts');
    const entry = new URL(ts ? './ingest-worker.ts' : './ingest-worker.js', import.meta.url).href;
    // Under tsx (tests, `node --import tsx`) a worker does not inherit the loader: it registers it first.
    const source = `(async () => { ${ts ? "(await import('tsx/esm/api')).register();" : ''} await import(${JSON.stringify(entry)}); })();`;
    const w = new Worker(source, { eval: true, workerData: { url: this.url, auditKey: new Uint8Array(this.auditKey) } });
    w.unref();
    const failAll = (why: string) => {
      if (this.worker === w) this.worker = undefined;
      this.started?.reject(new Error(`agent ingest thread: ${why}`));
      this.started = undefined;
      for (const [id, p] of this.waiting) {
        this.waiting.delete(id);
        p.reject(new Error(`agent ingest thread: ${why}`));
      }
    };
    w.on('message', (m: IngestReply | 'ready') => {
      if (m === 'ready') {
        this.started?.resolve();
        this.started = undefined;
        return;
      }
      const p = this.waiting.get(m.id);
      if (!p) return;
      this.waiting.delete(m.id);
      if ('error' in m) return p.reject(new Error(m.error));
      p.resolve(m.fresh.map((ks, i) => (ks ? ks.map((k) => p.batches[i]!.alerts[k]!) : null)));
    });
    // A dead worker fails its commits (the agents resend: nothing was acknowledged); the next commit starts a new one.
    w.on('error', (e) => failAll(e.message));
    w.on('exit', (code) => failAll(`exited (${code})`));
    this.worker = w;
    return w;
  }
}
