// `vigil agent`: the node agent (docs/agent.md). The implementation
// (src/node/agent/agent-command.ts) is loaded inside the action.
import type { Command } from 'commander';
import { action, UsageError } from '../exit.js';

function collect(v: string, prev: string[] = []): string[] {
  return [...prev, v];
}

export function register(program: Command): void {
  program
    .command('agent')
    .description('run the node agent: runtime detection on this node, alerts streamed to the server over gRPC (TLS); needs root')
    .requiredOption('--server <host:port>', "the server's agent link address (its --agent-port, default 8091)")
    .option('--token <token>', 'one-time cluster agent token (first start only)')
    .option('--ca-hash <sha256:hex>', 'the server CA hash from the agent token response (first start only)')
    .option('--data-dir <dir>', 'identity, queue and local alert log', '/var/lib/vigil/agent')
    .option('--node-name <name>', 'node name (default: the host name)')
    .option('--queue-cap <n>', 'unacknowledged alerts kept on disk at most; more are dropped and counted', '100000')
    .option('--heartbeat <seconds>', 'heartbeat interval', '15')
    .option('--sensor <kind>', 'ebpf, or procfs (polling fallback when eBPF is unavailable)', 'ebpf')
    .option('--policy <file>', 'runtime policy file (YAML)')
    .option('--rules <file>', 'extra rule file (repeatable)', collect)
    .option('--no-builtin-rules', 'do not load the built-in rules')
    .option('--auth-log <file>', 'auth log to follow (repeatable)', collect)
    .option('--key-file <file>', 'file whose content changes raise system/key-file-change (repeatable)', collect)
    .option('--docker-socket <path>', "Docker Engine socket for container names and images (default: DOCKER_HOST's unix:// path, else /var/run/docker.sock)")
    .option(
      '--containerd-socket <path>',
      'containerd socket for the node inventory of its containers (default: CONTAINERD_ADDRESS, else /run/containerd/containerd.sock)',
    )
    .option(
      '--k8s-audit-log <path>',
      "kube-apiserver audit log to follow (default: the --audit-log-path of a kube-apiserver running on this node; 'none': off)",
    )
    .action(
      action(async (opts: Record<string, unknown>) => {
        const sensor = String(opts.sensor);
        if (sensor !== 'ebpf' && sensor !== 'procfs') throw new UsageError(`--sensor must be ebpf or procfs, not ${sensor}`);
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
