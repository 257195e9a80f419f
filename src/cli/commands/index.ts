// The command index: one module per command (src/cli/commands/<name>.ts),
// each exporting `register(program)`. A run loads only the module of the
// command it names (help and unknown names load them all), and command
// modules stay light: they load their implementation inside the action, so
// start-up stays fast.
import type { Command } from 'commander';

export interface CliCommand {
  register(program: Command): void | Promise<void>;
}

/** Each command's name (its module's file name) and module, in the order help lists them. */
export const commands: ReadonlyArray<readonly [name: string, load: () => Promise<CliCommand>]> = [
  ['scan', () => import('./scan.js')],
  ['sbom', () => import('./sbom.js')],
  ['db', () => import('./db.js')],
  ['check', () => import('./check.js')],
  ['rules', () => import('./rules.js')],
  ['k8s', () => import('./k8s.js')],
  ['runtime', () => import('./runtime.js')],
  ['admission', () => import('./admission.js')],
  ['server', () => import('./server.js')],
  ['agent', () => import('./agent.js')],
  ['audit', () => import('./audit.js')],
];

/** The command modules a command line needs: its command's alone, or all of them (help, no command, an unknown name). */
export function commandsFor(args: readonly string[]): ReadonlyArray<readonly [string, () => Promise<CliCommand>]> {
  // Global options (`--debug`) take no value: the first other word names the command.
  const name = args.find((a) => !a.startsWith('-'));
  const one = commands.find(([n]) => n === name);
  return one && !args.includes('--help') && !args.includes('-h') ? [one] : commands;
}
