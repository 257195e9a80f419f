// Implementations of `vigil k8s ...` (the command module only parses flags):
// audit (offline), follow (audit log), webhook (receiver), webhook-config,
// audit-policy and check-apiserver.
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../../core/errors.js';
import { RECOMMENDED_AUDIT_POLICY } from '../../core/k8s/audit-policy.js';
import { checkApiserverArgs, checkApiserverManifest, formatCheckReport } from '../../core/k8s/apiserver-check.js';
import { webhookKubeconfig } from '../../core/k8s/webhook-kubeconfig.js';
import { parseDuration } from '../../core/rules/index.js';
import type { Alert } from '../../core/alerts/types.js';
import { createClusterEngine, type ClusterEngine } from '../../node/k8s/cluster-engine.js';
import { readAuditFile } from '../../node/k8s/audit-file.js';
import { formatAlert, parseAlertFormat, tableHeader, type AlertFormat } from '../../node/k8s/alert-output.js';
import { followAuditLog } from '../../node/k8s/audit-follow.js';
import { AuditWebhookServer } from '../../node/k8s/webhook-server.js';
import { loadOrCreateCert } from '../../node/k8s/self-signed-cert.js';
import { readPolicyFiles } from '../../node/runtime/policy-file.js';
import { parseListen } from '../listen.js';

export interface DetectOptions {
  format?: string;
  rules?: string[];
  policy?: string[];
  forbiddenThreshold?: string;
  forbiddenWindow?: string;
}

function usage(msg: string): never {
  throw new InputError('USAGE', msg);
}

async function setup(o: DetectOptions): Promise<{ ce: ClusterEngine; format: AlertFormat; emit: (alerts: Alert[]) => void }> {
  let format: AlertFormat;
  try {
    format = parseAlertFormat(o.format);
  } catch (e) {
    usage((e as Error).message);
  }
  const opts: Parameters<typeof createClusterEngine>[0] = {};
  if (o.rules?.length) opts.rules = o.rules;
  if (o.forbiddenThreshold !== undefined) {
    if (!/^[1-9]\d{0,5}$/.test(o.forbiddenThreshold)) usage(`--forbidden-threshold must be a whole number from 1 to 999999, not ${o.forbiddenThreshold}`);
    opts.forbiddenThreshold = Number(o.forbiddenThreshold);
  }
  if (o.forbiddenWindow !== undefined) {
    const ms = parseDuration(o.forbiddenWindow);
    if (ms === undefined) usage(`--forbidden-window must be a duration like 60s or 5m, not ${o.forbiddenWindow}`);
    opts.forbiddenWindowMs = ms;
  }
  if (o.policy?.length) {
    const read = readPolicyFiles(o.policy);
    if (read.runtime)
      process.stderr.write(`vigil: ${o.policy.join(', ')}: the runtime policies (${read.runtime.policies.length}) do not apply to audit events; ignored\n`);
    if (read.detection) opts.detection = read.detection.policies;
  }
  const ce = await createClusterEngine(opts);
  // Load problems of user files are warnings with codes (unsupported fields skip a rule, never fail the run).
  for (const d of ce.diagnostics) process.stderr.write(`vigil: ${d.file}:${d.line}:${d.column}: ${d.severity} ${d.code}: ${d.message}\n`);
  let headerDone = false;
  const emit = (alerts: Alert[]) => {
    for (const a of alerts) {
      if (format === 'table' && !headerDone) {
        process.stdout.write(tableHeader());
        headerDone = true;
      }
      process.stdout.write(formatAlert(a, format));
    }
  };
  return { ce, format, emit };
}

export async function auditCommand(o: DetectOptions & { file?: string }): Promise<number> {
  if (!o.file) usage('--file FILE is required');
  const { ce, emit } = await setup(o);
  const res = await readAuditFile(o.file, {
    onEvent: (e) => emit(ce.pipeline.process(e)),
    onError: (m) => process.stderr.write(`${m}\n`),
  });
  if (process.env.VIGIL_DEBUG_STATS) process.stderr.write(`${JSON.stringify({ ...res, ...ce.pipeline.stats })}\n`);
  return 0;
}

function onSignals(ac: AbortController): void {
  const stop = () => ac.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

export async function followCommand(o: DetectOptions & { auditLog?: string; state?: string; pollInterval?: string }): Promise<number> {
  if (!o.auditLog) usage('--audit-log PATH is required');
  const { ce, emit } = await setup(o);
  const pollMs = o.pollInterval === undefined ? 500 : parseDuration(o.pollInterval);
  if (pollMs === undefined) usage(`--poll-interval must be a duration like 500ms or 2s, not ${o.pollInterval}`);
  const ac = new AbortController();
  onSignals(ac);
  await followAuditLog({
    path: o.auditLog,
    ...(o.state ? { stateFile: o.state } : {}),
    pollMs,
    ce,
    emit,
    warn: (m) => process.stderr.write(`vigil: ${m}\n`),
    signal: ac.signal,
  });
  return 0;
}

export function defaultDataDir(): string {
  return process.env.VIGIL_DATA_DIR ?? join(homedir(), '.local', 'share', 'vigil');
}

export async function webhookCommand(
  o: DetectOptions & { listen?: string; tlsCert?: string; tlsKey?: string; token?: string; dataDir?: string; maxQueue?: string },
): Promise<number> {
  const { host, port } = parseListen(o.listen ?? '127.0.0.1:8443');
  if (!!o.tlsCert !== !!o.tlsKey) usage('--tls-cert and --tls-key go together');
  const { ce, emit } = await setup(o);
  let certPem: string;
  let keyPem: string;
  if (o.tlsCert && o.tlsKey) {
    [certPem, keyPem] = await Promise.all([readFile(o.tlsCert, 'utf8'), readFile(o.tlsKey, 'utf8')]);
  } else {
    const dir = join(o.dataDir ?? defaultDataDir(), 'k8s-webhook');
    const c = await loadOrCreateCert(dir, ['localhost', '127.0.0.1', '::1', ...(host !== '0.0.0.0' && host !== '::' ? [host] : [])]);
    ({ certPem, keyPem } = c);
    process.stderr.write(
      `vigil: ${c.created ? 'created' : 'using'} self-signed certificate ${c.certFile} (give it to: vigil k8s webhook-config --ca ${c.certFile})\n`,
    );
  }
  const token = o.token ?? process.env.VIGIL_WEBHOOK_TOKEN;
  const maxQueued = o.maxQueue === undefined ? undefined : Number(o.maxQueue);
  if (maxQueued !== undefined && (!Number.isInteger(maxQueued) || maxQueued < 1)) usage(`--max-queue must be a positive integer, not ${o.maxQueue}`);
  const srv = new AuditWebhookServer({
    host,
    port,
    certPem,
    keyPem,
    ...(token ? { token } : {}),
    ...(maxQueued ? { maxQueuedEvents: maxQueued } : {}),
    onEvents: (events) => {
      for (const e of events) emit(ce.pipeline.process(e));
      if (events.length) ce.engine.flush(events[events.length - 1]!.time);
    },
    onMalformed: (m) => process.stderr.write(`vigil: ${m}\n`),
  });
  const addr = await srv.start();
  process.stderr.write(`vigil: audit webhook listening on https://${addr.address.includes(':') ? `[${addr.address}]` : addr.address}:${addr.port}/k8s/audit\n`);
  const ac = new AbortController();
  onSignals(ac);
  await new Promise<void>((resolve) => ac.signal.addEventListener('abort', () => resolve(), { once: true }));
  await srv.stop();
  process.stderr.write(`vigil: ${JSON.stringify(srv.stats)}\n`);
  return 0;
}

export async function webhookConfigCommand(o: { url?: string; ca?: string; token?: string }): Promise<number> {
  if (!o.url) usage('--url URL is required');
  const caPem = o.ca ? await readFile(o.ca, 'utf8').catch((e: Error) => usage(`--ca ${o.ca}: ${e.message}`)) : undefined;
  process.stdout.write(webhookKubeconfig({ url: o.url, ...(caPem ? { caPem } : {}), ...(o.token ? { token: o.token } : {}) }));
  return 0;
}

export function auditPolicyCommand(): number {
  process.stdout.write(RECOMMENDED_AUDIT_POLICY);
  return 0;
}

export async function checkApiserverCommand(file: string | undefined, o: { pid?: string }): Promise<number> {
  if (!file === !o.pid) usage('give a manifest FILE or --pid PID (one of them)');
  if (o.pid) {
    if (!/^\d+$/.test(o.pid)) usage(`--pid must be a process id, not ${o.pid}`);
    let raw: Buffer;
    try {
      raw = await readFile(`/proc/${o.pid}/cmdline`);
    } catch (e) {
      throw new InputError('PROCESS_NOT_FOUND', (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such process' : (e as Error).message, `pid ${o.pid}`);
    }
    const argv = raw
      .toString('utf8')
      .split('\0')
      .filter((s) => s !== '');
    if (!argv.some((a) => a.endsWith('kube-apiserver')))
      process.stderr.write(`vigil: warning: pid ${o.pid} (${argv[0] ?? '?'}) does not look like kube-apiserver\n`);
    const r = checkApiserverArgs(argv);
    process.stdout.write(formatCheckReport(r, `pid ${o.pid}`));
    return r.ok ? 0 : 1;
  }
  let text: string;
  try {
    text = await readFile(file!, 'utf8');
  } catch (e) {
    throw new InputError('MANIFEST_NOT_FOUND', (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message, file);
  }
  const r = checkApiserverManifest(text, file);
  process.stdout.write(formatCheckReport(r, file!));
  return r.ok ? 0 : 1;
}
