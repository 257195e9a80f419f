// The worker-thread side of ./ingest-thread.ts: owns a second connection to
// the server's SQLite file and runs the link's alert commits on it
// (services/agents.ts `ingestAgentBatches`, the code the link runs on its
// own loop for PostgreSQL), so better-sqlite3's synchronous statements and
// the commit's WAL write block this thread instead of the server's event
// loop. Answers each request after its transaction committed.
import { parentPort, workerData } from 'node:worker_threads';
import { openStore } from '../store/store.js';
import { SAFETY_NET_PAGES } from '../store/sqlite-checkpointer.js';
import { ingestAgentBatches, type AgentBatch } from '../services/agents.js';
import type { IngestReply, IngestRequest } from './ingest-thread.js';

const port = parentPort!;
const { url, auditKey } = workerData as { url: string; auditKey: Uint8Array };
const store = await openStore(url, { migrate: false });
store.auditKey = Buffer.from(auditKey);
// The server's checkpointer thread (store/sqlite-checkpointer.ts) checkpoints the WAL; this connection, like the
// server's own, keeps SQLite's checkpoint inside a commit only as the safety net.
store.sqlite?.pragma(`wal_autocheckpoint = ${SAFETY_NET_PAGES}`);

port.on('message', (m: IngestRequest | 'stop') => {
  if (m === 'stop') {
    void store.close().finally(() => port.close());
    return;
  }
  ingestAgentBatches({ store, clock: () => new Date(m.now) }, m.projectId, m.batches as AgentBatch[]).then(
    (r) => {
      // Which alerts of each batch were new, by position: the caller keeps its own objects.
      const fresh = r.map((got, i) => {
        if (!got) return null;
        const set = new Set(got);
        return m.batches[i]!.alerts.flatMap((a, k) => (set.has(a) ? [k] : []));
      });
      port.postMessage({ id: m.id, fresh } satisfies IngestReply);
    },
    (e: unknown) => port.postMessage({ id: m.id, error: (e as Error)?.message ?? String(e) } satisfies IngestReply),
  );
});
port.postMessage('ready');
