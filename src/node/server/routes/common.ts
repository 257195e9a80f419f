// Helpers shared by the route modules: parameter schemas, row -> API object
// mapping (camelCase, JSON columns parsed, secrets dropped), and lookups that
// 404 when a resource is not in the project of the URL (so a user of project
// A never learns about project B's ids).
import type { Db } from '../../store/store.js';
import { notFound } from '../http-errors.js';

export const ID = { type: 'string', minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' } as const;

export function params(...names: string[]) {
  return { type: 'object', properties: Object.fromEntries(names.map((n) => [n, ID])), required: names, additionalProperties: false } as const;
}

export const projectParams = params('projectId');

const JSON_COLUMNS = new Set(['actions', 'document', 'sample', 'summary', 'types', 'events', 'data', 'config']);
const HIDDEN = new Set(['password_hash', 'password_enc', 'token_hash']);

// Column names are few and fixed: convert each once (list responses map thousands of keys a second).
const camel = new Map<string, string>();
const camelOf = (k: string): string => {
  let c = camel.get(k);
  if (c === undefined) {
    c = k.replace(/_([a-z])/g, (_, ch: string) => ch.toUpperCase());
    if (camel.size < 1000) camel.set(k, c);
  }
  return c;
};

export function toApi<T extends object>(row: T): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k in row) {
    if (HIDDEN.has(k)) continue;
    const v = row[k];
    out[camelOf(k)] = JSON_COLUMNS.has(k) && typeof v === 'string' ? safeParse(v) : v;
  }
  return out;
}

function safeParse(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return s;
  }
}

type ProjectTable = 'images' | 'registries' | 'policies' | 'clusters' | 'nodes' | 'scans' | 'alerts' | 'vuln_ignores';

/** The row with this id in this project, or a 404. */
export async function inProject(db: Db, table: ProjectTable, id: string, projectId: string, what: string): Promise<Record<string, any>> {
  const row = await (db as any).selectFrom(table).selectAll().where('id', '=', id).where('project_id', '=', projectId).executeTakeFirst();
  if (!row) throw notFound(what);
  return row as Record<string, any>;
}

export const okResponse = { type: 'object', properties: { ok: { type: 'boolean' } } } as const;
