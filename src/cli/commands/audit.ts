// `vigil audit verify|export`: check the management server's audit-trail hash
// chain, or export it as JSON lines / CSV, straight from the store.
import type { Command } from 'commander';
import { action } from '../exit.js';

export function register(program: Command): void {
  const audit = program.command('audit').description('the management server\'s operations audit trail');
  audit
    .command('verify')
    .description('verify the hash chain; exit 1 naming the first record that does not verify')
    .option('--db <url>', 'sqlite:PATH or postgres://... (default: the server\'s SQLite DB)')
    .option('--config <file>', 'server YAML config file')
    .action(action(async (opts: Record<string, unknown>) => {
      const { auditVerifyCommand } = await import('../server/audit-command.js');
      return auditVerifyCommand(opts);
    }));
  audit
    .command('export')
    .description('export the audit trail')
    .option('--db <url>', 'sqlite:PATH or postgres://... (default: the server\'s SQLite DB)')
    .option('--config <file>', 'server YAML config file')
    .option('-f, --format <format>', 'jsonl or csv', 'jsonl')
    .option('-o, --output <file>', 'write to a file instead of stdout')
    .action(action(async (opts: Record<string, unknown>) => {
      const { auditExportCommand } = await import('../server/audit-command.js');
      return auditExportCommand(opts);
    }));
}
