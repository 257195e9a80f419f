// Test helper: the query plans of the store's own SQL. captureQueries wraps
// the store's Kysely instance with a plugin that records every statement the
// store, its services and routes run (compiled, with their parameters), so a
// test can drive the real code path (an API request) and then ask the
// database how it runs exactly those statements: EXPLAIN QUERY PLAN on
// SQLite, EXPLAIN on PostgreSQL with sequential scans, bitmap scans and sorts
// priced out (a test table is tiny; without that, PostgreSQL would rightly
// scan it), so a Seq Scan or a Sort left in the plan means no index can
// serve the filter or the order.
import { CompiledQuery, sql, type KyselyPlugin, type PluginTransformQueryArgs, type PluginTransformResultArgs } from 'kysely';
import type { Store } from './store.js';

export interface Captured {
  /** Every statement run since the capture started, in order. */
  queries: CompiledQuery[];
  /** Puts the store's own Kysely instance back. */
  stop(): void;
}

export function captureQueries(store: Store): Captured {
  const original = store.db;
  const executor = original.getExecutor();
  const queries: CompiledQuery[] = [];
  const plugin: KyselyPlugin = {
    transformQuery(args: PluginTransformQueryArgs) {
      queries.push(executor.compileQuery(args.node, args.queryId));
      return args.node;
    },
    transformResult: async (args: PluginTransformResultArgs) => args.result,
  };
  store.db = original.withPlugin(plugin);
  return {
    queries,
    stop: () => {
      store.db = original;
    },
  };
}

/**
 * The database's plan for one captured statement, one line per plan node.
 * `sorts`: PostgreSQL may sort (a filter whose index ranges are merged and
 * then ordered); else sorts are priced out too.
 */
export async function explainPlan(store: Store, q: CompiledQuery, opts: { sorts?: boolean } = {}): Promise<string> {
  if (store.dialect === 'sqlite') {
    const r = await store.db.executeQuery<{ detail: string }>(CompiledQuery.raw(`explain query plan ${q.sql}`, [...q.parameters]));
    return r.rows.map((x) => x.detail).join('\n');
  }
  return store.db.transaction().execute(async (trx) => {
    for (const setting of ['enable_seqscan', 'enable_bitmapscan', ...(opts.sorts ? [] : ['enable_sort'])])
      await sql`select set_config(${setting}, 'off', true)`.execute(trx);
    const r = await trx.executeQuery<{ 'QUERY PLAN': string }>(CompiledQuery.raw(`explain ${q.sql}`, [...q.parameters]));
    return r.rows.map((x) => x['QUERY PLAN']).join('\n');
  });
}
