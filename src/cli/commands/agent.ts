// `vigil agent`: the node agent (docs/agent.md). The implementation
// (src/node/agent/agent-command.ts) is loaded inside the action.
import type { Command } from 'commander';
import { action, UsageError } from '../exit.js';
import { addSensorOption, collect, sensorOf } from '../options.js';

const MARK: Record<string, string> = { pass: 'ok', fail: 'FAIL', warn: 'warn', skip: 'skip' };

export function register(program: Command): void {
  const agent = program
    .command('agent')
    .description(
      "run the node agent: runtime detection on this node, alerts streamed to the server over gRPC (TLS); needs root. `vigil agent doctor --server HOST:PORT [--token T --ca-hash H] [--data-dir DIR] [--json]`: check this node's link to the server and its prerequisites step by step (DNS, TCP, TLS and the pinned CA, gRPC health, token or certificate, root, tracefs, BTF, bpftrace, cgroups, Docker, containerd, data dir, queue); exit 0 only when every required step passes",
    )
    // One operand: `doctor` (a subcommand of its own would lose --server to this command's option of the same name).
    .argument('[doctor]', 'run the connection and prerequisite checks instead of the agent')
    .option('--server <host:port>', "the server's agent link address (its --agent-port, default 8091; required)")
    .option('--token <token>', 'one-time cluster agent token (first start only)')
    .option('--ca-hash <sha256:hex>', 'the server CA hash from the agent token response (first start only)')
    .option('--data-dir <dir>', 'identity, queue and local alert log', '/var/lib/vigil/agent')
    .option('--node-name <name>', 'node name (default: the host name)')
    .option('--queue-cap <n>', 'unacknowledged alerts kept on disk at most; more are dropped and counted', '100000')
    .option('--heartbeat <seconds>', 'heartbeat interval', '15');
  addSensorOption(agent)
    .option('--policy <file>', 'runtime policy file (YAML)')
    .option('--rules <file>', 'extra rule file (repeatable)', collect)
    .option('--no-builtin-rules', 'do not load the built-in rules')
    .option('--auth-log <file>', 'auth log to follow (repeatable)', collect)
    .option('--key-file <file>', 'file whose content changes raise system/key-file-change (repeatable)', collect)
    .option('--docker-socket <path>', "Docker Engine socket for container names and images (default: DOCKER_HOST's unix:// path, else /var/run/docker.sock)")
    .option(
      '--containerd-socket <path>',
      'containerd socket for the node inventory of its containers, and the one doctor checks (default: CONTAINERD_ADDRESS, else /run/containerd/containerd.sock)',
    )
    .option(
      '--k8s-audit-log <path>',
      "kube-apiserver audit log to follow (default: the --audit-log-path of a kube-apiserver running on this node; 'none': off)",
    )
    .option('--timeout <seconds>', 'doctor: time allowed per network step', '5')
    .option('--json', 'doctor: print the steps as JSON')
    .action(
      action(async (mode: string | undefined, opts: Record<string, unknown>) => {
        if (typeof opts.server !== 'string') throw new UsageError("required option '--server <host:port>' not specified");
        if (mode !== undefined && mode !== 'doctor') throw new UsageError(`unknown operand ${mode.slice(0, 40)} (only: doctor)`);
        if (mode === 'doctor') return doctor(opts);
        const sensor = sensorOf(opts);
        const cap = Number(opts.queueCap);
        const hb = Number(opts.heartbeat);
        if (!Number.isInteger(cap) || cap < 1 || cap > 10_000_000) throw new UsageError('--queue-cap must be an integer from 1 to 10000000');
        if (!Number.isFinite(hb) || hb < 0.1 || hb > 3600) throw new UsageError('--heartbeat must be 0.1 to 3600 seconds');
        const { runAgent } = await import('../../node/agent/agent-command.js');
        return runAgent({
          print: (l) => process.stderr.write(`vigil agent: ${l}\n`),
          server: String(opts.server),
          token: opts.token as string | undefined,
          caHash: opts.caHash as string | undefined,
          dataDir: String(opts.dataDir),
          nodeName: opts.nodeName as string | undefined,
          queueCap: cap,
          heartbeatSeconds: hb,
          sensor,
          policyFile: opts.policy as string | undefined,
          builtinRules: opts.builtinRules !== false,
          ruleFiles: opts.rules as string[] | undefined,
          authLogs: opts.authLog as string[] | undefined,
          keyFiles: opts.keyFile as string[] | undefined,
          dockerSocket: opts.dockerSocket as string | undefined,
          containerdSocket: opts.containerdSocket as string | undefined,
          k8sAuditLog: opts.k8sAuditLog as string | undefined,
        });
      }),
    );
}

async function doctor(opts: Record<string, unknown>): Promise<number> {
  const sensor = sensorOf(opts);
  const timeout = Number(opts.timeout);
  if (!Number.isFinite(timeout) || timeout < 0.1 || timeout > 120) throw new UsageError('--timeout must be 0.1 to 120 seconds');
  const { runDoctor } = await import('../../node/agent/doctor.js');
  const r = await runDoctor({
    server: String(opts.server),
    token: opts.token as string | undefined,
    caHash: opts.caHash as string | undefined,
    dataDir: String(opts.dataDir),
    sensor,
    dockerSocket: opts.dockerSocket as string | undefined,
    containerdSocket: opts.containerdSocket as string | undefined,
    timeoutMs: timeout * 1000,
  });
  if (opts.json) process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
  else {
    const w = Math.max(...r.steps.map((s) => s.title.length));
    const lines = [`vigil agent doctor: ${r.server}`, ''];
    for (const s of r.steps) {
      lines.push(`${MARK[s.status]!.padEnd(5)} ${s.title.padEnd(w)}  ${s.detail}${s.required ? '' : ' (optional)'}`);
      if (s.fix && s.status !== 'pass') lines.push(`${''.padEnd(5)} ${''.padEnd(w)}  fix: ${s.fix}`);
    }
    lines.push(
      '',
      r.ok
        ? 'every required step passed'
        : `failed: ${r.steps
            .filter((s) => s.required && (s.status === 'fail' || s.status === 'skip'))
            .map((s) => s.id)
            .join(', ')}`,
    );
    process.stdout.write(`${lines.join('\n')}\n`);
  }
  return r.ok ? 0 : 1;
}
