// Builds the commander program from the command index.
import { Command, CommanderError } from 'commander';
import { VIGIL_VERSION } from '../node/version.js';
import { commandsFor } from './commands/index.js';
import { reportError, EXIT_USAGE } from './exit.js';

export async function runCli(argv: string[]): Promise<void> {
  const program = new Command('vigil')
    .description('Container security: scan images, watch containers and Kubernetes clusters.')
    .version(VIGIL_VERSION)
    .option('--debug', 'show stack traces of errors')
    .showHelpAfterError(false)
    .exitOverride();
  for (const [, load] of commandsFor(argv.slice(2))) await (await load()).register(program);
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.exitCode === 0 || e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return;
      // commander already printed its one-line message
      process.exitCode = EXIT_USAGE;
      return;
    }
    reportError(e, argv.includes('--debug'));
  }
}
