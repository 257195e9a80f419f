// Schema pieces shared by the route modules: id and parameter schemas. Rows
// become API objects in the services (services/common.ts).
export const ID = { type: 'string', minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' } as const;

export function params(...names: string[]) {
  return { type: 'object', properties: Object.fromEntries(names.map((n) => [n, ID])), required: names, additionalProperties: false } as const;
}

export const projectParams = params('projectId');

export const okResponse = { type: 'object', properties: { ok: { type: 'boolean' } } } as const;

/** The `{ ok: true }` answer of a change that returns nothing, once it is done. */
export async function ok(done: Promise<unknown>): Promise<{ ok: true }> {
  await done;
  return { ok: true };
}
