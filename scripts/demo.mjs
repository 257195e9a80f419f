#!/usr/bin/env node
// The README's main command (`npm run demo`): builds the demo image, builds a
// small real vulnerability DB from the advisories in demo/advisories (no
// network), scans the image and prints the findings, then starts the
// management server on its embedded SQLite default with a demo project whose
// demo image has been scanned, and prints the URL and the admin login.
// `npm run demo -- --no-server` stops after the CLI scan.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const work = join(root, '.vigil-demo');
const image = join(work, 'demo-image.tar');
const db = join(work, 'vigil.db');
const cli = join(root, 'dist', 'cli', 'main.js');

function run(args, opts = {}) {
  const r = spawnSync(process.execPath, args, { stdio: 'inherit', cwd: root, ...opts });
  if (r.status !== 0 && !opts.allowFail) process.exit(r.status ?? 1);
  return r.status;
}

if (!existsSync(cli)) run([join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json']);
run([join(root, 'scripts', 'build-demo-image.mjs'), image]);
run([cli, 'db', 'import', join(root, 'demo', 'advisories'), '--db', db]);
console.error(`\n$ vigil scan docker-archive:${image} --db ${db}\n`);
run([cli, 'scan', `docker-archive:${image}`, '--db', db]);

if (process.argv.includes('--no-server')) process.exit(0);
const port = process.env.VIGIL_PORT ?? '8080';
console.error(`\n$ vigil server --demo --port ${port}\n`);
run([cli, 'server', '--demo', '--demo-image', image, '--vuln-db', db, '--data-dir', join(work, 'server'), '--port', port]);
