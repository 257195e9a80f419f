// The server side of the node agent link (docs/agent.md): gRPC over TLS on
// --agent-port with the server's own CA (./pki.ts). Discover hands out the CA
// certificate (agents check it against their pinned hash), Enroll spends a
// one-time cluster agent token and issues a client certificate, Connect is
// the mutual-TLS stream: alerts are stored through the alerts service as
// POST /api/v1/alerts:batch (deduplicated by alert ID, audited, acknowledged
// only after the commit; batches of all streams that arrive during a commit
// share the next one, ./group-commit.ts), heartbeats and node status update the nodes table,
// inventories replace the node's containers,
// and the project's policies go down at connect and after every change
// (src/node/store/changes.ts). A node can only report into the project of the
// cluster it enrolled in. Database work is in src/node/services/agents.ts.
import { X509Certificate } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { Ajv } from 'ajv';
import addFormatsImport from 'ajv-formats';
import type { Alert } from '../../core/alerts/types.js';
import { isCatalogType } from '../../core/alerts/catalog.js';
import { readNodeContainers } from '../../core/checks/node-container.js';
import type { ServerContext } from '../server/context.js';
import { alertSchema } from '../server/routes/alerts.js';
import { HttpError } from '../services/errors.js';
import {
  AGENT_ALERT_ID_DAYS,
  agentPolicies,
  enrollNode,
  ingestAgentBatches,
  type AgentBatch,
  nodeByCertificate,
  pruneAgentAlertIds,
  recordHeartbeat,
  storeNodeInventory,
  sweepOfflineNodes,
  touchNode,
  type AgentNode,
} from '../services/agents.js';
import { agentLinkProto, MAX_MESSAGE_BYTES, type AgentMessage, type EnrollRequest, type ServerMessage } from './proto.js';
import { certFingerprint, type AgentPki } from './pki.js';
import { GroupCommit } from './group-commit.js';

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
const PRUNE_EVERY_MS = 3600_000;

interface LiveStream {
  node: AgentNode;
  call: grpc.ServerDuplexStream<AgentMessage, ServerMessage>;
  version: string;
  /** The last policy set sent (JSON), so an unchanged set is not sent again. */
  sentPolicies?: string;
}

export async function startAgentLink(ctx: ServerContext, pki: AgentPki, o: { host: string; port: number; offlineSeconds: number }): Promise<AgentLinkServer> {
  const { service } = agentLinkProto();
  const ajv = new Ajv({ allErrors: false, strict: false });
  addFormats(ajv);
  const validAlert = ajv.compile(alertSchema);
  const live = new Map<string, number>();
  // Batches of every stream that arrive during a commit share the next one.
  const commits = new GroupCommit<AgentBatch, readonly Alert[]>((projectId, batches) => ingestAgentBatches(ctx, projectId, batches));
  const refuse = (why: 'enroll' | 'connect' | 'oversized' | 'malformed') => ctx.metrics.inc(`vigil_agent_refused_${why}_total`, `Agent link refusals: ${why}.`);

  const sourceIp = (peer: string) =>
    peer
      .replace(/^ipv[46]:/, '')
      .replace(/:\d+$/, '')
      .replace(/^\[|\]$/g, '');

  // Policy push: every open stream, by project; a change notification (this
  // replica or another one, src/node/store/changes.ts) re-reads the project's
  // policies once (coalesced over 100 ms) and sends them to its streams.
  const streams = new Map<string, Set<LiveStream>>();
  const pending = new Set<string>();
  let flushTimer: NodeJS.Timeout | undefined;
  const pushTo = async (targets: Iterable<LiveStream>) => {
    const byCluster = new Map<string, Promise<string>>();
    for (const st of targets) {
      const key = `${st.node.projectId}\u0000${st.node.clusterId ?? ''}`;
      let json = byCluster.get(key);
      if (!json) {
        json = agentPolicies(ctx, st.node.projectId, st.node.clusterId).then((p) => JSON.stringify(p));
        byCluster.set(key, json);
      }
      const body = await json;
      if (st.sentPolicies === body) continue;
      st.sentPolicies = body;
      st.call.write({ command: { kind: 'policies', json: body } });
      ctx.metrics.inc('vigil_agent_policy_pushes_total', 'Policy sets sent to agents.');
    }
  };
  const flush = () => {
    flushTimer = undefined;
    const projects = [...pending];
    pending.clear();
    const targets = projects.includes('*') ? [...streams.values()].flatMap((x) => [...x]) : projects.flatMap((p) => [...(streams.get(p) ?? [])]);
    void pushTo(targets).catch((e: unknown) => ctx.log.warn({ err: e }, 'agent policy push failed'));
  };
  const unsubscribe = await ctx.changes.subscribe((topic, projectId) => {
    if (topic !== 'policies') return;
    pending.add(projectId);
    flushTimer ??= setTimeout(flush, 100);
  });

  const handlers: grpc.UntypedServiceImplementation = {
    Discover: (_call: grpc.ServerUnaryCall<object, unknown>, cb: grpc.sendUnaryData<unknown>) => cb(null, { caPem: pki.caPem }),
    Enroll: (call: grpc.ServerUnaryCall<EnrollRequest, unknown>, cb: grpc.sendUnaryData<unknown>) => {
      const req = call.request;
      enrollNode(ctx, { ...req, sourceIp: sourceIp(call.getPeer()) }, async (node, now) => {
        const certPem = await pki.issueClient(req.publicKeyPem, node, now);
        return { certPem, fingerprint: certFingerprint(new X509Certificate(certPem).raw) };
      }).then(
        (r) => {
          ctx.metrics.inc('vigil_agent_enrolled_total', 'Nodes enrolled through the agent link.');
          cb(null, r);
        },
        (e: unknown) => {
          if (e instanceof HttpError && (e.statusCode === 400 || e.statusCode === 401)) {
            refuse('enroll');
            cb({ code: e.statusCode === 400 ? grpc.status.INVALID_ARGUMENT : grpc.status.UNAUTHENTICATED, details: e.message });
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
      const ip = sourceIp(call.getPeer());
      let chain: Promise<unknown> = nodeByCertificate(ctx, fp)
        .then(async (node) => {
          if (!node)
            return fail(
              grpc.status.PERMISSION_DENIED,
              'connect: this client certificate is not (or no longer) the certificate of an enrolled node; enroll again',
            );
          live.set(node.id, (live.get(node.id) ?? 0) + 1);
          const st: LiveStream = { node, call, version: '' };
          (streams.get(node.projectId) ?? streams.set(node.projectId, new Set()).get(node.projectId)!).add(st);
          await touchNode(ctx, node.id, { status: 'online' });
          await pushTo([st]);
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
                const fresh = await commits.submit(node.projectId, { node: { ...node, sourceIp: ip, version: st.version }, alerts: good }, good.length);
                ctx.metrics.inc('vigil_alerts_ingested_total', 'Alerts received through the ingest API.', fresh.length);
                if (fresh.length) void ctx.notifier.alerts(node.projectId, fresh).catch((e: unknown) => ctx.log.warn({ err: e }, 'alert notification failed'));
                call.write({ ack: { ids: good.map((a) => a.id) } });
              }
              if (bad.length) {
                refuse('malformed');
                call.write({ reject: { ids: bad, reason } });
              }
            } else if (m.body === 'heartbeat' && m.heartbeat) {
              await recordHeartbeat(ctx, node.id, m.heartbeat);
            } else if (m.body === 'status' && m.status) {
              st.version = String(m.status.version).slice(0, 50);
              await touchNode(ctx, node.id, { status: 'online', version: st.version, kernel: String(m.status.kernel).slice(0, 200) });
            } else if (m.body === 'inventory' && m.inventory) {
              let containers;
              try {
                containers = readNodeContainers(String(m.inventory.json), `inventory of node ${node.hostname}`);
              } catch (e) {
                refuse('malformed');
                ctx.log.warn({ node: node.id, error: (e as Error).message }, 'agent inventory refused');
                return;
              }
              await storeNodeInventory(ctx, node, containers);
            } else if (m.body === 'policyApplied' && m.policyApplied) {
              const pa = m.policyApplied;
              if (pa.error)
                ctx.log.warn(
                  { node: node.id, revision: String(pa.revision).slice(0, 80), error: String(pa.error).slice(0, 300) },
                  'agent could not apply its policies',
                );
              ctx.metrics.inc('vigil_agent_policy_applied_total', 'Policy sets agents reported applied (or failed to apply).');
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
            const set = streams.get(node.projectId);
            set?.delete(st);
            if (set && !set.size) streams.delete(node.projectId);
            const n = (live.get(node.id) ?? 1) - 1;
            if (n > 0) live.set(node.id, n);
            else {
              live.delete(node.id);
              void chain.then(() => touchNode(ctx, node.id, { status: 'offline' })).catch(() => {});
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
  // The provider reads the files asynchronously: a handshake before that fails, so serve only once both are loaded.
  // (Our listeners are removed again: a listener keeps the provider's refresh timer, and the process, alive.)
  await Promise.all([
    new Promise<void>((res) => {
      const l = (c: unknown) => {
        if (!c) return;
        identity.removeIdentityCertificateListener(l);
        res();
      };
      identity.addIdentityCertificateListener(l);
    }),
    new Promise<void>((res) => {
      const l = (c: unknown) => {
        if (!c) return;
        identity.removeCaCertificateListener(l);
        res();
      };
      identity.addCaCertificateListener(l);
    }),
  ]);
  const hostPort = `${o.host.includes(':') ? `[${o.host}]` : o.host}:${o.port}`;
  const port = await new Promise<number>((res, rej) => server.bindAsync(hostPort, creds, (e, p) => (e ? rej(e) : res(p))));
  let lastPrune = 0;
  const sweep = setInterval(
    () => {
      const now = ctx.clock().getTime();
      void sweepOfflineNodes(ctx, new Date(now - o.offlineSeconds * 1000).toISOString()).catch(() => {});
      if (now - lastPrune > PRUNE_EVERY_MS) {
        lastPrune = now;
        void pruneAgentAlertIds(ctx, new Date(now - AGENT_ALERT_ID_DAYS * 86_400_000).toISOString())
          .then((n) => n && ctx.metrics.inc('vigil_agent_alert_ids_pruned_total', 'Agent alert IDs forgotten after the dedup window.', n))
          .catch((e: unknown) => ctx.log.warn({ err: e }, 'pruning agent alert IDs failed'));
      }
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
      clearTimeout(flushTimer);
      await unsubscribe();
      await new Promise<void>((res) => server.tryShutdown(() => res()));
    },
  };
}
