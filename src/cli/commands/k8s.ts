// `vigil k8s`: Kubernetes audit-log detection (audit, follow, webhook) and
// apiserver audit tooling (audit-policy, check-apiserver, webhook-config).
// Light on purpose: implementations are imported inside the actions.
import type { Command } from 'commander';
import { lazyAction } from '../exit.js';
import { collect } from '../options.js';

function detectOptions(cmd: Command): Command {
  return cmd
    .option('-f, --format <format>', 'table or json (one alert per line)', 'table')
    .option('--rules <file>', 'extra rule file (Falco syntax); its alerts are custom/<rule name>; repeatable', collect)
    .option('--policy <file>', 'detection policy file (kind: DetectionPolicy; repeatable): types on/off, severities, thresholds, allowlists', collect)
    .option('--forbidden-threshold <n>', 'forbidden (403) answers to one user that make a burst (default 10)')
    .option('--forbidden-window <duration>', 'time window of a forbidden burst (default 60s)');
}

export function register(program: Command): void {
  const k8s = program.command('k8s').description('Kubernetes audit-log detection and apiserver audit tooling');

  detectOptions(k8s.command('audit').description('analyse an audit log file (one event per line, a JSON array or an EventList)'))
    .requiredOption('--file <file>', 'audit log file (- for standard input)')
    .action(lazyAction(() => import('../k8s/k8s-commands.js'), 'auditCommand'));

  detectOptions(k8s.command('follow').description('follow the apiserver audit log across rotations and raise alerts'))
    .requiredOption('--audit-log <path>', 'the --audit-log-path file')
    .option('--state <file>', 'position file, so a restart neither loses nor repeats events')
    .option('--poll-interval <duration>', 'how often to look for new lines', '500ms')
    .action(lazyAction(() => import('../k8s/k8s-commands.js'), 'followCommand'));

  detectOptions(k8s.command('webhook').description('receive audit events from the apiserver webhook backend (HTTPS) and raise alerts'))
    .option('--listen <host:port>', 'address to listen on', '127.0.0.1:8443')
    .option('--tls-cert <file>', 'certificate (PEM); default: a self-signed one created in the data dir')
    .option('--tls-key <file>', 'private key (PEM)')
    .option('--token <token>', 'required bearer token (or env VIGIL_WEBHOOK_TOKEN)')
    .option('--data-dir <dir>', 'where the self-signed certificate is kept (default $VIGIL_DATA_DIR or ~/.local/share/vigil)')
    .option('--max-queue <n>', 'events waiting for detection before the receiver answers 429 (default 100000)')
    .action(lazyAction(() => import('../k8s/k8s-commands.js'), 'webhookCommand'));

  k8s
    .command('webhook-config')
    .description('print the kubeconfig file for the apiserver --audit-webhook-config-file')
    .requiredOption('--url <url>', 'https URL of `vigil k8s webhook` (path /k8s/audit)')
    .option('--ca <file>', 'CA or self-signed certificate of the receiver (PEM)')
    .option('--token <token>', 'bearer token the receiver requires')
    .action(lazyAction(() => import('../k8s/k8s-commands.js'), 'webhookConfigCommand'));

  k8s
    .command('audit-policy')
    .description('print the recommended apiserver audit policy (audit.k8s.io/v1)')
    .action(lazyAction(() => import('../k8s/k8s-commands.js'), 'auditPolicyCommand'));

  k8s
    .command('check-apiserver')
    .description('check that a kube-apiserver manifest (or running process) has auditing enabled; exit 1 if not')
    .argument('[file]', 'kube-apiserver static pod manifest (e.g. /etc/kubernetes/manifests/kube-apiserver.yaml)')
    .option('--pid <pid>', 'check a running kube-apiserver process instead')
    .action(lazyAction(() => import('../k8s/k8s-commands.js'), 'checkApiserverCommand'));
}
