// Exit codes and the one place where errors become process exit codes.
// 0 success, N from --exit-code, 2 usage or input error (one line naming what
// and where), 3 internal error. Only CLI entry points set exit codes.
import { exitCodeOf } from '../core/error-codes.js';
import { InputError } from '../core/errors.js';

export const EXIT_OK = 0;
export const EXIT_USAGE = 2;
export const EXIT_INTERNAL = 3;

/** An error the user caused with the command line itself (bad flag value). */
export class UsageError extends InputError {
  constructor(message: string) {
    super('USAGE', message);
  }
}

export function reportError(e: unknown, debug: boolean): void {
  if (e instanceof InputError) {
    process.stderr.write(`vigil: ${oneLine(e.message)}\n`);
    if (debug && e.stack) process.stderr.write(`${e.stack}\n`);
    // The code's exit class (src/core/error-codes.ts): 2 for every registered class today.
    process.exitCode = exitCodeOf(e.code);
    return;
  }
  const msg = e instanceof Error ? e.message : String(e);
  process.stderr.write(`vigil: internal error: ${oneLine(msg)}${debug ? '' : ' (run with --debug for details)'}\n`);
  if (debug && e instanceof Error && e.stack) process.stderr.write(`${e.stack}\n`);
  process.exitCode = EXIT_INTERNAL;
}

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ').slice(0, 2000);
}

/** Wrap a command action: errors are reported once, with the right exit code. */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<void | number>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      const code = await fn(...args);
      if (typeof code === 'number') process.exitCode = code;
    } catch (e) {
      reportError(e, process.argv.includes('--debug'));
    }
  };
}

type Runner = (...args: never[]) => Promise<void | number> | void | number;

/**
 * A command action whose implementation module is imported only when the
 * command runs, so that `vigil --help` and the other commands load none of
 * it: `lazyAction(() => import('../k8s/k8s-commands.js'), 'auditCommand')`
 * calls `auditCommand` with commander's arguments (operands, options).
 */
export function lazyAction<M, K extends { [P in keyof M]: M[P] extends Runner ? P : never }[keyof M]>(
  load: () => Promise<M>,
  name: K,
): (...args: unknown[]) => Promise<void> {
  return action(async (...args: unknown[]) => {
    const run = (await load())[name] as (...a: unknown[]) => ReturnType<Runner>;
    return run(...args);
  });
}
