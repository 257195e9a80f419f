// The server side of the node agent link (docs/agent.md): gRPC over TLS on
// --agent-port with the server's own CA (./pki.ts). Discover hands out the CA
// certificate (agents check it against their pinned hash), Enroll spends a
// one-time cluster agent token and issues a client certificate, Connect is
// the mutual-TLS stream: alerts are stored through the same ingest as
// POST /api/v1/alerts:batch (deduplicated by alert ID, acknowledged only after
// the commit), heartbeats and node status update the nodes table. A node can
// only report into the project of the cluster it enrolled in.
import { X509Certificate } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { Ajv } from 'ajv';
import addFormatsImport from 'ajv-formats';
import type { Alert } from '../../core/alerts/types.js';
import { isCatalogType } from '../../core/alerts/catalog.js';
import type { ServerContext } from '../server/context.js';
import { hashToken } from '../crypto/tokens.js';
import { alertSchema } from '../server/routes/alerts.js';
import { ingestAlerts } from '../store/alert-groups.js';
import { newId } from '../store/ids.js';
import { agentLinkProto, MAX_MESSAGE_BYTES, type AgentMessage, type EnrollRequest, type ServerMessage } from './proto.js';
import { certFingerprint, type AgentPki } from './pki.js';

const addFormats = addFormatsImport as unknown as (a: Ajv) => void;

export interface AgentLinkServer {
  address: string;
  port: number;
  caHash: string;
  /** Live streams by node id. */
  connected(): number;
  close(): Promise<void>;
}

export const MAX_ALERTS_PER_MESSAGE = 1000;
const NODE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$/;

class LinkError extends Error {
  constructor(
    readonly code: grpc.status,
    message: string,
  ) {
    super(message);
  }
}

export async function startAgentLink(ctx: ServerContext, pki: AgentPki, o: { host: string; port: number; offlineSeconds: number }): Promise<AgentLinkServer> {
  const { service } = agentLinkProto();
  const db = ctx.store.db;
  const ajv = new Ajv({ allErrors: false, strict: false });
  addFormats(ajv);
  const validAlert = ajv.compile(alertSchema);
  const live = new Map<string, number>();
  const refuse = (why: 'enroll' | 'connect' | 'oversized' | 'malformed') => ctx.metrics.inc(`vigil_agent_refused_${why}_total`, `Agent link refusals: ${why}.`);

  const setNode = async (nodeId: string, set: { status?: string; version?: string; kernel?: string }) => {
    await db
      .updateTable('nodes')
      .set({ ...set, last_seen: ctx.clock().toISOString() })
      .where('id', '=', nodeId)
      .execute();
  };

  const enroll = async (req: EnrollRequest) => {
    if (typeof req.token !== 'string' || req.token.length === 0 || req.token.length > 200)
      throw new LinkError(grpc.status.INVALID_ARGUMENT, 'enroll: token missing or too long');
    if (!NODE_NAME.test(req.nodeName ?? ''))
      throw new LinkError(
        grpc.status.INVALID_ARGUMENT,
        `enroll: bad node name ${JSON.stringify(String(req.nodeName).slice(0, 100))} (letters, digits, . _ -; up to 253)`,
      );
    if ((req.publicKeyPem ?? '').length > 2000 || (req.version ?? '').length > 50 || (req.kernel ?? '').length > 200)
      throw new LinkError(grpc.status.INVALID_ARGUMENT, 'enroll: public key, version or kernel too long');
    const now = ctx.clock();
    const nowIso = now.toISOString();
    const hash = hashToken(req.token);
    const tok = await db.selectFrom('agent_tokens').selectAll().where('token_hash', '=', hash).executeTakeFirst();
    if (!tok) throw new LinkError(grpc.status.UNAUTHENTICATED, 'enroll: unknown agent token (mint one: POST /api/v1/projects/{id}/clusters/{id}/agent-tokens)');
    if (tok.used_at)
      throw new LinkError(grpc.status.UNAUTHENTICATED, `enroll: agent token already used at ${tok.used_at} (tokens are one-time; mint a new one)`);
    if (tok.expires_at <= nowIso) throw new LinkError(grpc.status.UNAUTHENTICATED, `enroll: agent token expired at ${tok.expires_at} (mint a new one)`);
    return db.transaction().execute(async (trx) => {
      const spent = await trx.updateTable('agent_tokens').set({ used_at: nowIso }).where('id', '=', tok.id).where('used_at', 'is', null).executeTakeFirst();
      if (!Number(spent.numUpdatedRows))
        throw new LinkError(grpc.status.UNAUTHENTICATED, 'enroll: agent token already used (tokens are one-time; mint a new one)');
      const existing = await trx
        .selectFrom('nodes')
        .select('id')
        .where('project_id', '=', tok.project_id)
        .where('hostname', '=', req.nodeName)
        .executeTakeFirst();
      const nodeId = existing?.id ?? newId();
      const certPem = await pki.issueClient(req.publicKeyPem, { id: nodeId, clusterId: tok.cluster_id, projectId: tok.project_id }, now);
      const fp = certFingerprint(new X509Certificate(certPem).raw);
      const row = { cluster_id: tok.cluster_id, status: 'offline', version: req.version ?? '', kernel: req.kernel ?? '', cert_sha256: fp, last_seen: nowIso };
      if (existing) await trx.updateTable('nodes').set(row).where('id', '=', nodeId).execute();
      else
        await trx
          .insertInto('nodes')
          .values({ id: nodeId, project_id: tok.project_id, hostname: req.nodeName, created_at: nowIso, ...row })
          .execute();
      return { certPem, nodeId, clusterId: tok.cluster_id, projectId: tok.project_id };
    });
  };

  const handlers: grpc.UntypedServiceImplementation = {
    Discover: (_call: grpc.ServerUnaryCall<object, unknown>, cb: grpc.sendUnaryData<unknown>) => cb(null, { caPem: pki.caPem }),
    Enroll: (call: grpc.ServerUnaryCall<EnrollRequest, unknown>, cb: grpc.sendUnaryData<unknown>) => {
      enroll(call.request).then(
        (r) => {
          ctx.metrics.inc('vigil_agent_enrolled_total', 'Nodes enrolled through the agent link.');
          cb(null, r);
        },
        (e: unknown) => {
          if (e instanceof LinkError) {
            refuse('enroll');
            cb({ code: e.code, details: e.message });
          } else if ((e as { code?: string }).code === 'AGENT_KEY') {
            refuse('enroll');
            cb({ code: grpc.status.INVALID_ARGUMENT, details: `enroll: ${(e as Error).message}` });
          } else {
            ctx.log.error({ err: e }, 'agent enroll failed');
            cb({ code: grpc.status.INTERNAL, details: 'enroll failed (server error; see the server log)' });
          }
        },
      );
    },
    Connect: (call: grpc.ServerDuplexStream<AgentMessage, ServerMessage>) => {
      const peer = call.getAuthContext().sslPeerCertificate;
      const fail = (code: grpc.status, details: string) => {
        refuse('connect');
        call.emit('error', { code, details });
      };
      if (!peer?.raw) return fail(grpc.status.UNAUTHENTICATED, "connect: no client certificate from this server's CA (enroll first)");
      const fp = certFingerprint(peer.raw);
      let chain: Promise<unknown> = db
        .selectFrom('nodes')
        .select(['id', 'project_id', 'hostname'])
        .where('cert_sha256', '=', fp)
        .executeTakeFirst()
        .then(async (node) => {
          if (!node)
            return fail(
              grpc.status.PERMISSION_DENIED,
              'connect: this client certificate is not (or no longer) the certificate of an enrolled node; enroll again',
            );
          live.set(node.id, (live.get(node.id) ?? 0) + 1);
          await setNode(node.id, { status: 'online' });
          const projectId = node.project_id;
          const onMessage = async (m: AgentMessage) => {
            if (m.body === 'alerts' && m.alerts) {
              const env = m.alerts.alerts ?? [];
              if (env.length > MAX_ALERTS_PER_MESSAGE) {
                refuse('oversized');
                call.write({ reject: { ids: env.map((x) => x.id), reason: `more than ${MAX_ALERTS_PER_MESSAGE} alerts in one message` } });
                return;
              }
              const good: Alert[] = [];
              const bad: string[] = [];
              let reason = '';
              for (const x of env) {
                let a: unknown;
                try {
                  a = JSON.parse(x.json);
                } catch {
                  a = undefined;
                }
                const ok =
                  a !== undefined && validAlert(a) && (a as Alert).id === x.id && (isCatalogType((a as Alert).type) || (a as Alert).type.startsWith('custom/'));
                if (ok) good.push(a as Alert);
                else {
                  bad.push(String(x.id).slice(0, 100));
                  reason ||= `alert ${String(x.id).slice(0, 100)}: not a valid alert (${ajv.errorsText(validAlert.errors).slice(0, 200)})`;
                }
              }
              if (good.length) {
                let fresh: readonly Alert[] = [];
                await ingestAlerts(ctx.store, projectId, good, undefined, {
                  dedupeIds: true,
                  now: ctx.clock().toISOString(),
                  onFresh: (f) => {
                    fresh = f;
                  },
                });
                ctx.metrics.inc('vigil_alerts_ingested_total', 'Alerts received through the ingest API.', fresh.length);
                if (fresh.length) void ctx.notifier.alerts(projectId, fresh).catch((e) => ctx.log.warn({ err: e }, 'alert notification failed'));
                call.write({ ack: { ids: good.map((a) => a.id) } });
              }
              if (bad.length) {
                refuse('malformed');
                call.write({ reject: { ids: bad, reason } });
              }
            } else if (m.body === 'heartbeat') {
              await setNode(node.id, { status: 'online' });
            } else if (m.body === 'status' && m.status) {
              await setNode(node.id, { status: 'online', version: String(m.status.version).slice(0, 50), kernel: String(m.status.kernel).slice(0, 200) });
            }
          };
          call.on('data', (m: AgentMessage) => {
            chain = chain
              .then(() => onMessage(m))
              .catch((e: unknown) => {
                ctx.log.error({ err: e, node: node.id }, 'agent message failed');
                call.emit('error', { code: grpc.status.UNAVAILABLE, details: 'server could not store the message; retry' });
              });
          });
          const closed = () => {
            const n = (live.get(node.id) ?? 1) - 1;
            if (n > 0) live.set(node.id, n);
            else {
              live.delete(node.id);
              void chain.then(() => setNode(node.id, { status: 'offline' })).catch(() => {});
            }
          };
          let done = false;
          const once = () => {
            if (!done) {
              done = true;
              closed();
            }
          };
          call.on('end', () => {
            void chain.then(() => call.end());
            once();
          });
          call.on('cancelled', once);
          call.on('error', once);
        })
        .catch((e: unknown) => {
          ctx.log.error({ err: e }, 'agent connect failed');
          fail(grpc.status.INTERNAL, 'connect failed (server error)');
        });
    },
  };

  const server = new grpc.Server({ 'grpc.max_receive_message_length': MAX_MESSAGE_BYTES, 'grpc.max_send_message_length': MAX_MESSAGE_BYTES });
  server.addService(service, handlers);
  const identity = new grpc.experimental.FileWatcherCertificateProvider({
    certificateFile: `${pki.dir}/server.pem`,
    privateKeyFile: `${pki.dir}/server-key.pem`,
    caCertificateFile: `${pki.dir}/ca.pem`,
    refreshIntervalMs: 3600_000,
  });
  // Client certificates are requested but not required (Discover and Enroll
  // come before the node has one); Connect checks that one was presented
  // and verified against the CA (getAuthContext is empty otherwise).
  const creds = grpc.experimental.createCertificateProviderServerCredentials(identity, identity, false);
  const hostPort = `${o.host.includes(':') ? `[${o.host}]` : o.host}:${o.port}`;
  const port = await new Promise<number>((res, rej) => server.bindAsync(hostPort, creds, (e, p) => (e ? rej(e) : res(p))));
  const sweep = setInterval(
    () => {
      const cutoff = new Date(ctx.clock().getTime() - o.offlineSeconds * 1000).toISOString();
      void db
        .updateTable('nodes')
        .set({ status: 'offline' })
        .where('status', '=', 'online')
        .where('cert_sha256', 'is not', null)
        .where('last_seen', '<', cutoff)
        .execute()
        .catch(() => {});
    },
    Math.min(5000, Math.max(500, o.offlineSeconds * 250)),
  );
  sweep.unref();
  return {
    address: `${o.host.includes(':') ? `[${o.host}]` : o.host}:${port}`,
    port,
    caHash: pki.caHash,
    connected: () => live.size,
    close: async () => {
      clearInterval(sweep);
      await new Promise<void>((res) => server.tryShutdown(() => res()));
    },
  };
}
