// Store health: does the database answer a trivial query.
import { sql } from 'kysely';
import type { ServiceDeps } from './common.js';

export async function storeAnswers(s: Pick<ServiceDeps, 'store'>): Promise<boolean> {
  try {
    await sql`select 1`.execute(s.store.db);
    return true;
  } catch {
    return false;
  }
}
