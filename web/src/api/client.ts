// The typed API client: openapi-fetch over the paths generated from the
// server's OpenAPI document (schema.d.ts). Paths, parameters and bodies are
// checked by TypeScript against the server's routes; every route declares its
// response schema (src/node/server/responses.ts), and the pages read responses
// as unwrap() returns them, typed by that schema (models.ts names them).
import createClient from 'openapi-fetch';
import type { paths } from './schema';

const TOKEN_KEY = 'vigil.session';

export interface Session {
  token: string;
  expiresAt: string;
}

export function loadSession(): Session | undefined {
  try {
    const s = JSON.parse(localStorage.getItem(TOKEN_KEY) ?? 'null') as Session | null;
    if (s && typeof s.token === 'string' && (!s.expiresAt || new Date(s.expiresAt).getTime() > Date.now())) return s;
  } catch {
    // a broken entry counts as no session
  }
  return undefined;
}

export function saveSession(s: Session | undefined): void {
  if (s) localStorage.setItem(TOKEN_KEY, JSON.stringify(s));
  else localStorage.removeItem(TOKEN_KEY);
}

/** An API error with the server's code and message ({ error, message }), and the whole error body (e.g. a rule file's `diagnostics`). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly body: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

let unauthorized: () => void = () => {};
/** Called when the API answers 401 to a signed-in request (expired or revoked session). */
export function onUnauthorized(fn: () => void): void {
  unauthorized = fn;
}

/**
 * The API client. Its fetch adds the session and handles a 401 (openapi-fetch
 * middleware would do the same, but the client awaits each middleware before
 * it fetches, which would hold the start-up requests (start.ts), made while
 * the entry is still being evaluated, until all of it has run).
 */
export const api = createClient<paths>({
  baseUrl: '',
  fetch: async (request: Request) => {
    const s = loadSession();
    if (s) request.headers.set('authorization', `Bearer ${s.token}`);
    const response = await fetch(request);
    if (response.status === 401 && !request.url.endsWith('/api/v1/auth/login')) {
      saveSession(undefined);
      unauthorized();
    }
    return response;
  },
});

/**
 * Awaits an openapi-fetch call: its data, typed by the route's generated
 * response schema (no cast: a field the server drops or renames fails the
 * console's typecheck), or an ApiError with the API's message.
 */
export async function unwrap<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const r = await call;
  if (!r.response.ok) {
    const e = (r.error ?? {}) as { error?: string; message?: string };
    throw new ApiError(r.response.status, e.error ?? String(r.response.status), e.message ?? r.response.statusText, e);
  }
  return r.data as T;
}
