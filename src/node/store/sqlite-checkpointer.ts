// Background WAL checkpoints for the server's SQLite store. By default
// SQLite checkpoints inside the COMMIT that pushes the WAL past 1000 pages:
// the request that happens to commit then copies every page of the WAL into
// the database and fsyncs, about a third of alert-ingest time on a large
// store. Here a worker thread with its own connection runs PASSIVE
// checkpoints on a timer, which run beside the main connection's readers and
// writer; the main connection keeps a high auto-checkpoint threshold only as
// a safety net should the worker fall behind or die.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.module);
const db = new Database(workerData.path, { fileMustExist: true });
db.pragma('busy_timeout = 0');
const timer = setInterval(() => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch { /* busy: the next tick tries again */ }
}, workerData.intervalMs);
parentPort.on('message', () => { clearInterval(timer); try { db.pragma('wal_checkpoint(PASSIVE)'); } catch {} db.close(); parentPort.close(); });
`;

/** The main connection's own threshold (pages) while the worker runs: 64 MiB of WAL at 4 KiB pages. */
export const SAFETY_NET_PAGES = 16384;

export interface Checkpointer {
  stop(): Promise<void>;
}

export function startCheckpointer(path: string, intervalMs = 200): Checkpointer {
  const module = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { path, module, intervalMs } });
  // A failing checkpointer is not fatal: the main connection's own auto-checkpoint still bounds the WAL.
  worker.on('error', () => {});
  let exited = false;
  worker.once('exit', () => {
    exited = true;
  });
  worker.unref();
  return {
    stop: () =>
      new Promise<void>((resolve) => {
        if (exited) return resolve();
        worker.once('exit', () => resolve());
        // Keep the process alive until the worker has closed its connection.
        worker.ref();
        worker.postMessage('stop');
        setTimeout(() => {
          void worker.terminate();
        }, 5000).unref();
      }),
  };
}
