// Change notifications between the processes that share one store: a
// service publishes "the policies of project P changed" after its commit, and
// every subscriber (the agent link of each server replica) hears it. SQLite
// (one process): in-process. PostgreSQL (several replicas): NOTIFY on one
// channel, LISTEN on a dedicated connection opened by the first subscriber
// (reconnected with backoff when it drops); the payload carries the schema,
// so stores in different schemas of one database (tests) do not hear each
// other. A notification is a hint to re-read, never data: subscribers read
// the committed state themselves.
import pg from 'pg';
import { sql } from 'kysely';
import type { Store } from './store.js';

export type ChangeTopic = 'policies' | 'nodes' | 'learned';
export type ChangeListener = (topic: ChangeTopic, projectId: string) => void;

export const CHANGE_CHANNEL = 'vigil_changes';
const TOPICS: readonly string[] = ['policies', 'nodes', 'learned'];

export interface ChangeBus {
  /** After the commit: tells every subscriber, in this process and (PostgreSQL) in the others. */
  publish(topic: ChangeTopic, projectId: string): Promise<void>;
  /** Returns the unsubscribe function; the last one closes the PostgreSQL listener. */
  subscribe(fn: ChangeListener): Promise<() => Promise<void>>;
}

export function changeBus(store: Store, onError: (e: unknown) => void = () => {}): ChangeBus {
  const listeners = new Set<ChangeListener>();
  const deliver = (topic: ChangeTopic, projectId: string) => {
    for (const fn of [...listeners]) {
      try {
        fn(topic, projectId);
      } catch (e) {
        onError(e);
      }
    }
  };
  if (store.dialect !== 'postgres') {
    return {
      async publish(topic, projectId) {
        deliver(topic, projectId);
      },
      async subscribe(fn) {
        listeners.add(fn);
        return async () => {
          listeners.delete(fn);
        };
      },
    };
  }

  const schema = store.pg!.schema;
  let client: pg.Client | undefined;
  let connecting: Promise<void> | undefined;
  let retry: NodeJS.Timeout | undefined;
  let attempt = 0;
  const onNotification = (n: pg.Notification) => {
    if (n.channel !== CHANGE_CHANNEL || !n.payload) return;
    const [s, topic, projectId] = n.payload.split('\t');
    if (s !== schema || !topic || !TOPICS.includes(topic) || !projectId) return;
    deliver(topic as ChangeTopic, projectId);
  };
  const open = (): Promise<void> => {
    const c = new pg.Client({ connectionString: store.pg!.connectionString });
    c.on('notification', onNotification);
    c.on('error', (e) => {
      onError(e);
      if (client === c) lost();
    });
    c.on('end', () => {
      if (client === c) lost();
    });
    client = c;
    return c
      .connect()
      .then(() => c.query(`LISTEN ${CHANGE_CHANNEL}`))
      .then(() => {
        attempt = 0;
        // Changes made while the listener was down are not lost: tell everyone to re-read.
        deliver('policies', '*');
      });
  };
  const lost = () => {
    const c = client;
    client = undefined;
    c?.end().catch(() => {});
    if (!listeners.size) return;
    const wait = Math.min(30_000, 250 * 2 ** attempt++);
    retry = setTimeout(() => {
      retry = undefined;
      if (listeners.size) connecting = open().catch((e) => (onError(e), lost()));
    }, wait);
    retry.unref();
  };
  return {
    async publish(topic, projectId) {
      // Through the store's pool: this process's listener hears it too.
      await sql`select pg_notify(${CHANGE_CHANNEL}, ${`${schema}\t${topic}\t${projectId}`})`.execute(store.db);
    },
    async subscribe(fn) {
      listeners.add(fn);
      if (!client && !retry) {
        connecting = open().catch((e) => {
          onError(e);
          lost();
        });
      }
      await connecting;
      return async () => {
        listeners.delete(fn);
        if (listeners.size) return;
        clearTimeout(retry);
        retry = undefined;
        const c = client;
        client = undefined;
        await c?.end().catch(() => {});
      };
    },
  };
}
