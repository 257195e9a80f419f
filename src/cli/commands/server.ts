// `vigil server`: the management server (REST API, scan workers, scheduler).
// Options map onto src/node/server/config.ts (flags > VIGIL_* env > --config YAML).
import type { Command } from 'commander';
import { action, lazyAction } from '../exit.js';

export function register(program: Command): void {
  program
    .command('server')
    .description('run the management server: REST API under /api/v1, OpenAPI docs at /api/docs, scan workers')
    .option('--db <url>', 'sqlite:PATH or postgres://USER:PASS@HOST/DB (default: SQLite in the data dir)')
    .option('--port <n>', 'HTTP port (default 8080)')
    .option('--host <addr>', 'listen address (default 127.0.0.1)')
    .option('--role <role>', 'all, api or worker (worker needs PostgreSQL)')
    .option('--config <file>', 'YAML config file')
    .option('--data-dir <dir>', 'data dir: SQLite DB, generated secret key')
    .option('--metrics-public', 'serve /metrics without a token')
    .option('--vuln-db <path>', 'vulnerability DB file the scans use')
    .option('--worker-concurrency <n>', 'scan jobs at once per process')
    .option('--agent-port <n>', 'gRPC port of the node agent link, TLS (default 8091; 0: any free port)')
    .option('--demo', 'start with a demo project whose demo image has been scanned')
    .option('--demo-image <path>', 'docker-archive of the demo image (default .vigil-demo/demo-image.tar)')
    .action(lazyAction(() => import('../server/server-command.js'), 'serverCommand'));
  program.commands
    .find((c) => c.name() === 'server')!
    .command('reset-admin')
    .description(
      "recover access from the server host: set a user's password (generated and printed once unless VIGIL_RESET_PASSWORD is set), enable it, give it Administrator on all projects, revoke its tokens",
    )
    .option('--user <name>', 'the user (created when missing)', 'admin')
    .option('--db <url>', "sqlite:PATH or postgres://... (default: the server's SQLite DB)")
    .option('--config <file>', 'server YAML config file')
    .option('--data-dir <dir>', "the server's data dir (its key files)")
    .action(
      action(async (opts: Record<string, unknown>, cmd: Command) => {
        const { resetAdminCommand } = await import('../server/reset-admin-command.js');
        // --db, --config and --data-dir are also options of `server`, which parses them first.
        return resetAdminCommand({ ...cmd.parent?.opts(), ...opts });
      }),
    );
}
