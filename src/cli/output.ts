// Writes a command's result to --output FILE or stdout. A closed pipe
// (`vigil sbom ... | head`) ends the write quietly, as Unix tools do.
import { writeFile } from 'node:fs/promises';
import { InputError } from '../core/errors.js';

export async function writeOutput(text: string, file?: string): Promise<void> {
  if (!file) {
    process.stdout.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    });
    await new Promise<void>((resolve, reject) =>
      process.stdout.write(text, (e) => (e && (e as NodeJS.ErrnoException).code !== 'EPIPE' ? reject(e) : resolve())),
    );
    return;
  }
  try {
    await writeFile(file, text);
  } catch (e) {
    throw new InputError('OUTPUT_WRITE', `cannot write output: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, file);
  }
}
