// The command index: each module registers the command it is listed under
// (a run loads only that one), and which modules a command line loads.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Command } from 'commander';
import { commands, commandsFor } from './index.js';

test('each command module registers the command it is listed under, and only it', async () => {
  for (const [name, load] of commands) {
    const program = new Command('vigil');
    await (await load()).register(program);
    assert.deepEqual(
      program.commands.map((c) => c.name()),
      [name],
    );
  }
});

test('a command line loads its command alone; help, no command and unknown names load all', () => {
  const names = (args: string[]) => commandsFor(args).map(([n]) => n);
  const all = commands.map(([n]) => n);
  assert.deepEqual(names(['sbom', '--format', 'json', 'rootfs:/x']), ['sbom']);
  assert.deepEqual(names(['--debug', 'db', 'update']), ['db']);
  assert.deepEqual(names(['sbom', '--help']), all);
  assert.deepEqual(names(['help', 'sbom']), all);
  assert.deepEqual(names([]), all);
  assert.deepEqual(names(['sbomm']), all);
});
