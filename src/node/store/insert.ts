// One row under a new id: the services' inserts of a resource.
import type { Insertable } from 'kysely';
import { newId } from './ids.js';
import type { Database } from './schema.js';
import type { Tx } from './store.js';

/** Inserts one row of `table` under a new (time-ordered, ./ids.ts) id; returns the id. */
export async function insertRow<T extends keyof Database & string>(trx: Tx, table: T, values: Omit<Insertable<Database[T]>, 'id'>): Promise<string> {
  const id = newId();
  await trx
    .insertInto(table)
    .values({ id, ...values } as never)
    .execute();
  return id;
}
