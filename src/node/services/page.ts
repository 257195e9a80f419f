// Keyset pagination of the list services over (sort column, id). The cursor
// is opaque (base64url of the last row's sort value and id).
import type { SelectQueryBuilder } from 'kysely';
import { badRequest } from './errors.js';

export interface PageQuery {
  limit?: number;
  cursor?: string;
  sort?: string;
}

export interface Page<T> {
  items: T[];
  next?: string;
}

/**
 * Applies sort + keyset cursor + limit. `sorts` maps public sort names to
 * NOT NULL columns (keyset comparisons would skip NULLs); `-name` sorts
 * descending. Default: newest first by id.
 */
export async function pageOf<DB, TB extends keyof DB, O extends { id: string }>(
  qb: SelectQueryBuilder<DB, TB, O>,
  q: PageQuery,
  sorts: Record<string, string>,
  table: string,
): Promise<Page<O>> {
  const raw = q.sort ?? '-id';
  const desc = raw.startsWith('-');
  const name = desc ? raw.slice(1) : raw;
  const col = name === 'id' ? 'id' : sorts[name];
  if (!col) throw badRequest('BAD_SORT', `cannot sort by "${name}"; use one of: id, ${Object.keys(sorts).join(', ')}`);
  const limit = q.limit ?? 50;
  const dir = desc ? 'desc' : 'asc';
  const op = desc ? '<' : '>';
  const c = `${table}.${col}`;
  const idc = `${table}.id`;
  let b = qb as unknown as SelectQueryBuilder<any, any, any>;
  if (q.cursor) {
    let parsed: [unknown, string];
    try {
      parsed = JSON.parse(Buffer.from(q.cursor, 'base64url').toString('utf8')) as [unknown, string];
      if (!Array.isArray(parsed) || parsed.length !== 2 || typeof parsed[1] !== 'string') throw new Error();
    } catch {
      throw badRequest('BAD_CURSOR', 'cursor is not one this server issued');
    }
    const [v, id] = parsed;
    b = col === 'id' ? b.where(idc, op, id) : b.where((eb: any) => eb.or([eb(c, op, v), eb.and([eb(c, '=', v), eb(idc, op, id)])]));
  }
  if (col !== 'id') b = b.orderBy(c, dir);
  const rows = (await b
    .orderBy(idc, dir)
    .limit(limit + 1)
    .execute()) as O[];
  let next: string | undefined;
  if (rows.length > limit) {
    rows.length = limit;
    const last = rows[rows.length - 1] as unknown as Record<string, unknown>;
    next = Buffer.from(JSON.stringify([col === 'id' ? last.id : last[col], last.id])).toString('base64url');
  }
  return { items: rows, next };
}

/** A page with its rows mapped (to API objects). */
export function mapPage<T, U>(p: Page<T>, f: (row: T) => U): Page<U> {
  return { items: p.items.map(f), next: p.next };
}
