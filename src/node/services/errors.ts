// The typed errors of the services (HTTP status + code); the server's error
// handler (server/app.ts) turns them, InputErrors and validation failures into
// `{ error, message }` bodies.
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    /** More fields of the error body (a rule file's diagnostics with line and column). */
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export const notFound = (what: string) => new HttpError(404, 'NOT_FOUND', `${what} not found`);
export const conflict = (message: string) => new HttpError(409, 'CONFLICT', message);
export const badRequest = (code: string, message: string) => new HttpError(400, code, message);
