// The command index: one module per command (src/cli/commands/<name>.ts),
// each exporting `register(program)`. Command modules stay light: they load
// their implementation inside the action, so start-up stays fast.
import type { Command } from 'commander';
import * as admission from './admission.js';
import * as agent from './agent.js';
import * as audit from './audit.js';
import * as check from './check.js';
import * as db from './db.js';
import * as k8s from './k8s.js';
import * as rules from './rules.js';
import * as runtime from './runtime.js';
import * as sbom from './sbom.js';
import * as scan from './scan.js';
import * as server from './server.js';

export interface CliCommand {
  register(program: Command): void | Promise<void>;
}

export const commands: CliCommand[] = [scan, sbom, db, check, rules, k8s, runtime, admission, server, agent, audit];
