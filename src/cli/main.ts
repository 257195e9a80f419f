#!/usr/bin/env node
// Entry point of the `vigil` CLI. Kept tiny so that `vigil --version` starts
// fast: commander and the commands are loaded only when needed, and each
// command loads its implementation lazily inside its action.
import { createRequire } from 'node:module';

const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  const pkg = createRequire(import.meta.url)('../../package.json') as { version: string };
  process.stdout.write(`${pkg.version}\n`);
} else {
  const { runCli } = await import('./program.js');
  await runCli(process.argv);
}
