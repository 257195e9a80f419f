// The "no DB" error, shared by the DB reader and the scanner entry point.
import { InputError } from '../../core/errors.js';

export function missingDbError(path: string): InputError {
  return new InputError(
    'VULNDB_MISSING',
    'vulnerability DB not found; run `vigil db update` to download one, or `vigil db import PATH` to build one from advisory files (or pass --db PATH)',
    path,
  );
}
