// `vigil check FILE`: container environment checks (privileged, capabilities,
// seccomp, no-new-privileges, host mounts, host namespaces) on docker inspect
// JSON or Kubernetes workload YAML. Implementation: src/node/checks/.
import type { Command } from 'commander';
import { lazyAction } from '../exit.js';

export function register(program: Command): void {
  program
    .command('check')
    .description('check container settings (docker inspect JSON or Kubernetes workload YAML) for unsafe options')
    .argument('<file>', 'docker inspect output, or Kubernetes YAML (Pod, Deployment, DaemonSet, StatefulSet, ReplicaSet, Job, CronJob, List); - for stdin')
    .option('-f, --format <format>', 'table or json', 'table')
    .option('--exit-code <n>', 'exit with N when there are findings')
    .action(lazyAction(() => import('../checks/check-command.js'), 'checkCommand'));
}
