// Writes a command's result to --output FILE or stdout.
import { writeFile } from 'node:fs/promises';
import { InputError } from '../core/errors.js';

export async function writeOutput(text: string, file?: string): Promise<void> {
  if (!file) {
    await new Promise<void>((resolve, reject) => process.stdout.write(text, (e) => (e ? reject(e) : resolve())));
    return;
  }
  try {
    await writeFile(file, text);
  } catch (e) {
    throw new InputError('OUTPUT_WRITE', `cannot write output: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, file);
  }
}
