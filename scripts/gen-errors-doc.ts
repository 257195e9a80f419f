// Writes docs/errors.md from the error code registry (src/core/error-codes.ts).
// Run: node --import tsx scripts/gen-errors-doc.ts
import { writeFileSync } from 'node:fs';
import { errorCodesMarkdown } from '../src/core/error-codes.js';

writeFileSync(new URL('../docs/errors.md', import.meta.url), errorCodesMarkdown());
