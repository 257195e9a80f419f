// Implementations of `vigil admission ...` (the command module only parses
// flags): webhook (Kubernetes), webhook-config, docker-authz.
import { readFile } from 'node:fs/promises';
import { InputError } from '../../core/errors.js';
import { parseDuration } from '../../core/rules/index.js';
import { validatingWebhookConfigurationYaml } from '../../core/admission/webhook-config.js';
import type { Alert } from '../../core/alerts/types.js';
import {
  AdmissionService,
  AlertSender,
  LocalSource,
  ServerSource,
  checkServerUrl,
  loadFactsFiles,
  loadPolicyFiles,
  type AdmissionSource,
} from '../../node/admission/service.js';
import { AdmissionWebhookServer } from '../../node/admission/webhook.js';
import { DockerAuthzPlugin } from '../../node/admission/docker-authz.js';
import { parseListen } from '../listen.js';

function usage(msg: string): never {
  throw new InputError('USAGE', msg);
}

export interface SourceOptions {
  server?: string;
  token?: string;
  project?: string;
  policy?: string[];
  facts?: string[];
  scanReport?: string[];
  factsTtl?: string;
  failurePolicy?: string;
}

function failurePolicyOf(v: string | undefined): 'fail' | 'ignore' {
  const fp = v ?? 'fail';
  if (fp !== 'fail' && fp !== 'ignore') usage(`--failure-policy must be fail or ignore, not ${fp}`);
  return fp;
}

async function buildService(o: SourceOptions): Promise<{ service: AdmissionService; sender?: AlertSender; describe: string }> {
  const token = o.token ?? process.env.VIGIL_TOKEN;
  if (o.server && o.policy?.length) usage('give --server (policies from the server) or --policy FILE (local policies), not both');
  if (!o.server && !o.policy?.length) usage('give --server URL --token T --project ID, or --policy FILE');
  let source: AdmissionSource;
  let sender: AlertSender | undefined;
  let describe: string;
  const onError = (m: string) => process.stderr.write(`vigil: ${m}\n`);
  if (o.server) {
    checkServerUrl(o.server);
    if (!token) usage('--server needs --token T (or env VIGIL_TOKEN)');
    if (!o.project || !/^[A-Za-z0-9_-]{1,64}$/.test(o.project)) usage('--server needs --project ID (the project whose image-admission policies apply)');
    const ttl = o.factsTtl === undefined ? 60_000 : parseDuration(o.factsTtl);
    if (ttl === undefined) usage(`--facts-ttl must be a duration like 30s or 2m, not ${o.factsTtl}`);
    source = new ServerSource({ url: o.server, token, project: o.project, factsTtlMs: ttl });
    sender = new AlertSender({ url: o.server, token, project: o.project }, 10_000, onError);
    await source.policies(); // fail at start, not at the first pod, when the link is wrong
    describe = `policies of project ${o.project} at ${new URL(o.server).origin}`;
  } else {
    const policies = await loadPolicyFiles(o.policy!);
    const facts = await loadFactsFiles(o.facts ?? [], o.scanReport ?? [], new Date());
    source = new LocalSource(policies, facts);
    describe = `${policies.length} policies from ${o.policy!.join(', ')}, facts of ${facts.size} images`;
  }
  const onAlerts = sender
    ? (a: Alert[]) => sender!.push(a)
    : (a: Alert[]) => {
        for (const x of a) process.stdout.write(`${JSON.stringify(x)}\n`);
      };
  return { service: new AdmissionService({ source, onAlerts }), ...(sender ? { sender } : {}), describe };
}

async function readPem(file: string | undefined, flag: string): Promise<string> {
  if (!file) usage(`${flag} FILE is required`);
  try {
    const t = await readFile(file, 'utf8');
    if (t.length > 1024 * 1024) usage(`${flag} ${file}: larger than 1 MiB`);
    return t;
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError('FILE_UNREADABLE', (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message, `${flag} ${file}`);
  }
}

function waitForSignal(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}

export async function webhookCommand(o: SourceOptions & { listen?: string; tlsCert?: string; tlsKey?: string; maxBody?: string }): Promise<number> {
  const certPem = await readPem(o.tlsCert, '--tls-cert');
  const keyPem = await readPem(o.tlsKey, '--tls-key');
  const { host, port } = parseListen(o.listen ?? '0.0.0.0:8443');
  const failurePolicy = failurePolicyOf(o.failurePolicy);
  const maxBody = o.maxBody === undefined ? undefined : Number(o.maxBody);
  if (maxBody !== undefined && (!Number.isInteger(maxBody) || maxBody < 1024)) usage(`--max-body must be a number of bytes (at least 1024), not ${o.maxBody}`);
  const { service, sender, describe } = await buildService(o);
  const srv = new AdmissionWebhookServer({
    host,
    port,
    certPem,
    keyPem,
    service,
    failurePolicy,
    ...(maxBody ? { maxBodyBytes: maxBody } : {}),
    onError: (m) => process.stderr.write(`vigil: ${m}\n`),
  });
  const addr = await srv.start();
  process.stderr.write(
    `vigil: admission webhook on https://${addr.address.includes(':') ? `[${addr.address}]` : addr.address}:${addr.port}/validate (${describe}; failure policy ${failurePolicy})\n`,
  );
  await waitForSignal();
  await srv.stop();
  await sender?.close();
  return 0;
}

export async function webhookConfigCommand(o: {
  ca?: string;
  url?: string;
  service?: string;
  failurePolicy?: string;
  name?: string;
  timeout?: string;
}): Promise<number> {
  const caPem = await readPem(o.ca, '--ca');
  let service: { namespace: string; name: string; port: number } | undefined;
  if (o.service) {
    const m = /^([a-z0-9-]{1,63})\/([a-z0-9-]{1,63})(?::(\d{1,5}))?$/.exec(o.service);
    if (!m) usage(`--service must be NAMESPACE/NAME[:PORT], not ${o.service}`);
    service = { namespace: m[1]!, name: m[2]!, port: Number(m[3] ?? 443) };
  }
  const timeout = o.timeout === undefined ? 5 : Number(o.timeout);
  if (!Number.isInteger(timeout) || timeout < 1 || timeout > 30) usage(`--timeout must be 1 to 30 seconds, not ${o.timeout}`);
  process.stdout.write(
    validatingWebhookConfigurationYaml({
      caPem,
      failurePolicy: failurePolicyOf(o.failurePolicy),
      timeoutSeconds: timeout,
      ...(o.url ? { url: o.url } : {}),
      ...(service ? { service } : {}),
      ...(o.name ? { name: o.name } : {}),
    }),
  );
  return 0;
}

export async function dockerAuthzCommand(o: SourceOptions & { socket?: string }): Promise<number> {
  if (!o.socket) usage('--socket PATH is required (dockerd finds /run/docker/plugins/NAME.sock as --authorization-plugin=NAME)');
  const failurePolicy = failurePolicyOf(o.failurePolicy);
  const { service, sender, describe } = await buildService(o);
  const plugin = new DockerAuthzPlugin({
    socket: o.socket,
    service,
    failurePolicy,
    onError: (m) => process.stderr.write(`vigil: ${m}\n`),
    onWarning: (m) => process.stderr.write(`vigil: warning: ${m}\n`),
  });
  await plugin.start();
  process.stderr.write(`vigil: docker authorization plugin on ${o.socket} (${describe}; failure policy ${failurePolicy})\n`);
  await waitForSignal();
  await plugin.stop();
  await sender?.close();
  return 0;
}
