// `vigil runtime watch`: sensors + engine + policies on this host, alerts on
// stdout. The implementation (src/node/runtime/watch.ts) is loaded inside the
// action so `vigil --version` stays fast; the printing is ../runtime/output.ts.
import type { Command } from 'commander';
import { action, UsageError } from '../exit.js';
import { addSensorOption, collect, sensorOf } from '../options.js';

export function register(program: Command): void {
  const runtime = program.command('runtime').description('runtime security on this node: kernel events, rules, policies');
  const watch = runtime
    .command('watch')
    .description('watch this host in real time (eBPF via bpftrace) and print alerts; needs root')
    .option('-f, --format <format>', 'json (one alert per line) or text', 'text')
    .option('--rules <file>', 'extra rule file (repeatable)', collect)
    .option(
      '--policy <file>',
      'policy file (YAML, repeatable): runtime policies (whitelists, file protection, enforce) and/or detection policies (kind: DetectionPolicy)',
      collect,
    )
    .option('--no-builtin-rules', 'do not load the built-in rules (only --rules files and policies)')
    .option('--malware-rules <path>', 'extra YARA rules / SHA-256 lists (file or directory, repeatable) run on each new executable', collect)
    .option('--no-malware', 'do not run the malware signatures on executables')
    .option('--docker-socket <path>', 'Docker Engine API socket for container names and images', '/var/run/docker.sock')
    .option('--threat-ips <file>', 'threat-intel IP/CIDR list, one per line (network/abnormal-outbound)')
    .option('--state <file>', 'learn-state file for learned whitelists', '/var/lib/vigil/runtime-learn.json');
  addSensorOption(watch)
    .option('--no-raw-syscalls', 'do not trace module loading and kexec (raw_syscalls:sys_enter slows every syscall on the host)')
    .option('--poll-interval <ms>', 'procfs polling interval', '200')
    .option('--stats <seconds>', 'print a stats line on stderr every N seconds (0: only at exit)', '60')
    .option('--events', 'also print every normalised event on stderr (debugging)')
    .option('--auth-log <file>', 'auth log or Docker json log to follow (repeatable; default /var/log/auth.log, /var/log/secure)', collect)
    .option('--thresholds <file>', 'YAML/JSON overriding the CPU sampler and account-files thresholds (docs/runtime.md)')
    .option('--key-file <file>', 'file whose content changes raise system/key-file-change (repeatable; default the catalog list)', collect)
    .action(
      action(async (opts: Record<string, unknown>) => {
        const format = String(opts.format);
        if (format !== 'json' && format !== 'text') throw new UsageError(`--format must be json or text, not ${format}`);
        const sensor = sensorOf(opts);
        const stats = Number(opts.stats);
        const poll = Number(opts.pollInterval);
        if (!Number.isFinite(stats) || stats < 0) throw new UsageError('--stats must be a number of seconds');
        if (!Number.isInteger(poll) || poll < 10) throw new UsageError('--poll-interval must be at least 10 ms');
        const { runWatch } = await import('../../node/runtime/watch.js');
        const { StreamOutput } = await import('../runtime/output.js');
        const output = new StreamOutput({ format, events: opts.events === true });
        const signals = new Promise<void>((res) => {
          process.once('SIGINT', () => res());
          process.once('SIGTERM', () => res());
        });
        return runWatch({
          output,
          until: Promise.race([signals, output.closed]),
          sensor,
          rawSyscalls: opts.rawSyscalls !== false,
          pollIntervalMs: poll,
          statsIntervalMs: stats * 1000,
          ruleFiles: opts.rules as string[] | undefined,
          builtinRules: opts.builtinRules !== false,
          policyFiles: opts.policy as string[] | undefined,
          threatIpsFile: opts.threatIps as string | undefined,
          stateFile: String(opts.state),
          authLogs: opts.authLog as string[] | undefined,
          keyFiles: opts.keyFile as string[] | undefined,
          malware: opts.malware !== false,
          malwareRules: opts.malwareRules as string[] | undefined,
          dockerSocket: String(opts.dockerSocket),
          thresholdsFile: opts.thresholds as string | undefined,
        });
      }),
    );
}
