// `vigil audit verify|checkpoint|export`: check the management server's
// keyed audit chain against its signed checkpoints, sign a checkpoint of the
// head, or export the trail as JSON lines / CSV, straight from the store.
import type { Command } from 'commander';
import { lazyAction } from '../exit.js';

export function register(program: Command): void {
  const audit = program.command('audit').description("the management server's operations audit trail");
  audit
    .command('verify')
    .description('verify the keyed chain and the head against the newest signed checkpoint; exit 1 naming the first bad record and the kind of tampering')
    .option('--db <url>', "sqlite:PATH or postgres://... (default: the server's SQLite DB)")
    .option('--config <file>', 'server YAML config file')
    .option('--data-dir <dir>', "the server's data dir (its key files)")
    .option('--checkpoint <file>', 'a checkpoint kept outside the database (`vigil audit checkpoint` output)')
    .option('--public-key <file...>', "more trusted checkpoint public keys (other replicas' audit-signing.pub)")
    .action(lazyAction(() => import('../server/audit-command.js'), 'auditVerifyCommand'));
  audit
    .command('checkpoint')
    .description('verify, then sign a checkpoint of the head into the database and print it as JSON (keep it outside the database)')
    .option('--db <url>', "sqlite:PATH or postgres://... (default: the server's SQLite DB)")
    .option('--config <file>', 'server YAML config file')
    .option('--data-dir <dir>', "the server's data dir (its key files)")
    .option('--public-key <file...>', "more trusted checkpoint public keys (other replicas' audit-signing.pub)")
    .option('-o, --output <file>', 'write the checkpoint to a file instead of stdout')
    .action(lazyAction(() => import('../server/audit-command.js'), 'auditCheckpointCommand'));
  audit
    .command('export')
    .description('export the audit trail')
    .option('--db <url>', "sqlite:PATH or postgres://... (default: the server's SQLite DB)")
    .option('--config <file>', 'server YAML config file')
    .option('-f, --format <format>', 'jsonl or csv', 'jsonl')
    .option('-o, --output <file>', 'write to a file instead of stdout')
    .action(lazyAction(() => import('../server/audit-command.js'), 'auditExportCommand'));
}
