#!/usr/bin/env node
// Entry point of the `vigil` CLI. Kept tiny so that `vigil --version` starts
// fast: commander and the commands are loaded only when needed, and each
// command loads its implementation lazily inside its action.
const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  const { VIGIL_VERSION } = await import('../node/version.js');
  process.stdout.write(`${VIGIL_VERSION}\n`);
} else {
  const { runCli } = await import('./program.js');
  await runCli(process.argv);
}
