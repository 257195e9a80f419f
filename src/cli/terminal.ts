// Whether to colour terminal output, decided once for every command: only
// when stdout is a terminal (never in pipes, files or CI logs), unless
// NO_COLOR is set or FORCE_COLOR asks for it. picocolors' own default also
// colours whenever `CI` is set, which breaks machine-read output.
import picocolors from 'picocolors';

export function stdoutColor(env: NodeJS.ProcessEnv = process.env): boolean {
  if ('NO_COLOR' in env) return false;
  if ('FORCE_COLOR' in env) return env.FORCE_COLOR !== '0';
  return Boolean(process.stdout.isTTY) && env.TERM !== 'dumb';
}

/** picocolors bound to the stdout decision. */
export const colors = picocolors.createColors(stdoutColor());
