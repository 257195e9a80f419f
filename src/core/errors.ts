// Typed errors of every boundary. Only entry points (src/cli, the server's
// error handler) turn them into exit codes or HTTP statuses. Every code is
// registered in error-codes.ts (an unregistered code is a type error).
import type { ErrorCode, LimitCode } from './error-codes.js';

export type { ErrorCode, LimitCode } from './error-codes.js';

/**
 * Messages are one line whatever they quote: line breaks and other control
 * characters but tab (from a parser's message quoting the input, or a path inside an
 * image) are shown escaped, so a hostile input cannot forge log lines.
 */
export function oneLine(s: string): string {
  return s.replace(/[\u0000-\u0008\u000a-\u001f\u007f\u2028\u2029]/g, (c) =>
    c === '\n' ? '\\n' : c === '\r' ? '\\r' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** Bad input from the user or from an artifact: exit code 2, one line, no stack. */
export class InputError extends Error {
  override readonly name = 'InputError';
  /** A stable machine code, e.g. `IMAGE_DIGEST_MISMATCH`, `TAR_TRUNCATED`, `LIMIT_ENTRY_SIZE`. */
  readonly code: ErrorCode;
  /** What and where: a file, a path inside an image, a URL, a line number. */
  readonly where?: string;
  constructor(code: ErrorCode, message: string, where?: string, options?: { cause?: unknown }) {
    super(oneLine(where ? `${where}: ${message}` : message), options);
    this.code = code;
    this.where = where;
  }
}

/** A configured limit was hit (entries, sizes, depth). Also an input error. */
export class LimitError extends InputError {
  constructor(code: LimitCode, message: string, where?: string) {
    super(code, message, where);
  }
}

export function isInputError(e: unknown): e is InputError {
  return e instanceof InputError;
}
