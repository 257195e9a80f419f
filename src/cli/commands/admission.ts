// `vigil admission`: image blocking and admission control (the Kubernetes
// validating webhook, its configuration, Docker's authorization plugin).
// Light on purpose: implementations are imported inside the actions.
import type { Command } from 'commander';
import { lazyAction } from '../exit.js';
import { collect } from '../options.js';

function sourceOptions(cmd: Command): Command {
  return cmd
    .option('--server <url>', 'Vigil server: policies and image facts from its API, alerts sent to it')
    .option('--token <token>', 'API token for --server (or env VIGIL_TOKEN; needs policy:read, image:read, alert:ingest)')
    .option('--project <id>', 'project whose image-admission policies apply (with --server)')
    .option('--policy <file>', 'local admission policy file (YAML/JSON); repeatable; instead of --server', collect)
    .option('--facts <file>', 'image facts file {images: {REF: {scanned, scannedAt, vulnerabilities, malware, secrets}}} (with --policy); repeatable', collect)
    .option('--scan-report <file>', '`vigil scan --format json` report of an image (with --policy); repeatable', collect)
    .option('--facts-ttl <duration>', 'how long image facts from the server are cached (default 60s)')
    .option('--failure-policy <policy>', 'when a request cannot be checked (broken request, server away): fail (refuse) or ignore (admit)', 'fail');
}

export function register(program: Command): void {
  const adm = program
    .command('admission')
    .description('block images and dangerous containers before they start (Kubernetes webhook, Docker authorization plugin)');

  sourceOptions(
    adm.command('webhook').description('serve the Kubernetes ValidatingAdmissionWebhook (admission.k8s.io/v1) over HTTPS at /validate; /metrics, /healthz'),
  )
    .requiredOption('--tls-cert <file>', 'server certificate (PEM)')
    .requiredOption('--tls-key <file>', 'private key (PEM)')
    .option('--listen <host:port>', 'address to listen on', '0.0.0.0:8443')
    .option('--max-body <bytes>', 'largest AdmissionReview accepted (default 3 MiB)')
    .action(lazyAction(() => import('../admission/commands.js'), 'webhookCommand'));

  adm
    .command('webhook-config')
    .description('print the ValidatingWebhookConfiguration (with the CA bundle) for `vigil admission webhook`')
    .requiredOption('--ca <file>', 'CA certificate (PEM) that signed the webhook certificate (or the self-signed certificate itself)')
    .option('--url <url>', 'https URL of the webhook outside the cluster')
    .option('--service <ns/name[:port]>', 'Service of the webhook in the cluster (default port 443)')
    .option('--failure-policy <policy>', 'Fail or Ignore when the webhook cannot be reached: fail or ignore', 'fail')
    .option('--timeout <seconds>', 'webhook timeout (1-30)', '5')
    .option('--name <name>', 'object name', 'vigil-admission')
    .action(lazyAction(() => import('../admission/commands.js'), 'webhookConfigCommand'));

  sourceOptions(adm.command('docker-authz').description("serve Docker's authorization plugin protocol on a unix socket (dockerd --authorization-plugin=NAME)"))
    .requiredOption('--socket <path>', 'socket path, e.g. /run/docker/plugins/vigil.sock (plugin name: vigil)')
    .action(lazyAction(() => import('../admission/commands.js'), 'dockerAuthzCommand'));
}
