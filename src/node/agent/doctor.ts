// `vigil agent doctor` (docs/agent.md): the connection troubleshooting of a
// node, automated. Each step returns its result and, on failure, the fix; no
// printing here (src/cli/commands/agent.ts renders the table or JSON).
// Server steps in order, each needing the one before: DNS, TCP, TLS (the
// handshake and the server certificate checked against the pinned CA: the
// enrolled CA under --data-dir, or the CA the server hands out checked
// against --ca-hash), the gRPC health service, then the token (checked
// without spending it) or the enrolled certificate (expiry, and the server's
// word on it: unknown or revoked). Then the node: root, tracefs, BTF,
// bpftrace, the cgroup layout, the Docker and containerd sockets (and their
// API versions), the data dir, the queue.
import { lookup } from 'node:dns/promises';
import { connect as tcpConnect, isIP } from 'node:net';
import { connect as tlsConnect, type PeerCertificate } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { accessSync, constants, existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { spawnSync } from 'node:child_process';
import * as grpc from '@grpc/grpc-js';
import Database from 'better-sqlite3';
import { agentLinkProto, MAX_MESSAGE_BYTES } from './proto.js';
import { caHashOf } from './pki.js';
import { loadIdentity, parseServer, renewAtMs, type Identity } from './link-client.js';
import { DockerEngine, dockerSocketPath } from '../docker/engine-api.js';
import { containerdSocketPath } from '../containerd/client.js';

export type StepStatus = 'pass' | 'fail' | 'warn' | 'skip';

export interface DoctorStep {
  id: string;
  title: string;
  /** A required step that does not pass makes the doctor fail. */
  required: boolean;
  status: StepStatus;
  detail: string;
  fix?: string;
}

export interface DoctorReport {
  ok: boolean;
  server: string;
  steps: DoctorStep[];
}

export interface DoctorOptions {
  server: string;
  token?: string;
  caHash?: string;
  dataDir: string;
  /** The sensor the agent will run: bpftrace and tracefs are required for ebpf only. */
  sensor?: 'ebpf' | 'procfs';
  dockerSocket?: string;
  containerdSocket?: string;
  timeoutMs?: number;
  queueCap?: number;
  /** Files read for the node checks (tests point them elsewhere). */
  procMounts?: string;
}

const CA_HASH = /^sha256:[0-9a-f]{64}$/;

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(t)),
    new Promise<T>((_, rej) => {
      t = setTimeout(() => rej(new Error(`${what}: no answer within ${ms} ms`)), ms);
    }),
  ]);
}

function unaryCall<T>(fn: (cb: (e: grpc.ServiceError | null, r?: T) => void) => void): Promise<T> {
  return new Promise((res, rej) => fn((e, r) => (e ? rej(e) : res(r!))));
}

const grpcDetail = (e: unknown) => {
  const g = e as Partial<grpc.ServiceError>;
  return g.code !== undefined ? `${grpc.status[g.code] ?? g.code}: ${g.details || g.message}` : (e as Error).message;
};

/** The tracefs mount, from /proc/mounts. */
function mounts(file: string): Array<{ dir: string; type: string }> {
  try {
    return readFileSync(file, 'utf8')
      .split('\n')
      .slice(0, 10_000)
      .map((l) => l.split(' '))
      .filter((f) => f.length >= 3)
      .map((f) => ({ dir: f[1]!.replace(/\\040/g, ' '), type: f[2]! }));
  } catch {
    return [];
  }
}

/** containerd's Version RPC (containerd.services.version.v1): the two string fields of its answer. */
async function containerdVersion(socket: string, timeoutMs: number): Promise<string> {
  const client = new grpc.Client(`unix://${socket}`, grpc.credentials.createInsecure());
  try {
    const r = await withTimeout(
      unaryCall<Buffer>((cb) =>
        client.makeUnaryRequest(
          '/containerd.services.version.v1.Version/Version',
          () => Buffer.alloc(0),
          (b: Buffer) => b,
          {},
          new grpc.Metadata(),
          { deadline: Date.now() + timeoutMs },
          cb,
        ),
      ),
      timeoutMs + 500,
      'containerd',
    );
    const fields: string[] = [];
    for (let i = 0; i < r.length && fields.length < 2;) {
      const tag = r[i++]!;
      let len = 0;
      let shift = 0;
      for (;;) {
        const b = r[i++];
        if (b === undefined) throw new Error('containerd: truncated version answer');
        len |= (b & 0x7f) << shift;
        if (!(b & 0x80)) break;
        shift += 7;
        if (shift > 21) throw new Error('containerd: bad version answer');
      }
      if ((tag & 7) !== 2 || len > 200) throw new Error('containerd: unexpected version answer');
      fields.push(r.subarray(i, i + len).toString('utf8'));
      i += len;
    }
    return fields.join(' ');
  } finally {
    client.close();
  }
}

export async function runDoctor(o: DoctorOptions): Promise<DoctorReport> {
  const steps: DoctorStep[] = [];
  const timeoutMs = o.timeoutMs ?? 5000;
  const add = (s: DoctorStep) => {
    steps.push(s);
    return s.status === 'pass' || s.status === 'warn';
  };
  const skip = (id: string, title: string, why: string) => add({ id, title, required: true, status: 'skip', detail: `not checked: ${why}` });

  // ---- the server ----
  const server = parseServer(o.server);
  const m = /^\[?([^\]]+)\]?:(\d+)$/.exec(server)!;
  const host = m[1]!;
  const port = Number(m[2]);
  let identity: Identity | undefined;
  let identityError = '';
  try {
    identity = loadIdentity(o.dataDir);
  } catch (e) {
    identityError = (e as Error).message;
  }
  if (o.caHash !== undefined && !CA_HASH.test(o.caHash)) identityError ||= `--ca-hash is not sha256:<64 hex>: ${o.caHash.slice(0, 80)}`;

  let address = host;
  let ok: boolean;
  if (isIP(host)) ok = add({ id: 'dns', title: 'DNS resolution', required: true, status: 'pass', detail: `${host} is an IP address` });
  else {
    try {
      const addrs = await withTimeout(lookup(host, { all: true }), timeoutMs, 'DNS');
      address = addrs[0]!.address;
      ok = add({ id: 'dns', title: 'DNS resolution', required: true, status: 'pass', detail: `${host} -> ${addrs.map((a) => a.address).join(', ')}` });
    } catch (e) {
      ok = add({
        id: 'dns',
        title: 'DNS resolution',
        required: true,
        status: 'fail',
        detail: `${host}: ${(e as { code?: string }).code ?? (e as Error).message}`,
        fix: `check the server name and this node's resolver (/etc/resolv.conf, /etc/hosts); or use the server's IP address (it must be one of the names of its certificate: the server's agentNames)`,
      });
    }
  }

  if (!ok) skip('tcp', 'TCP reach of the port', 'no address');
  else {
    try {
      await withTimeout(
        new Promise<void>((res, rej) => {
          const sock = tcpConnect({ host: address, port });
          sock.once('connect', () => {
            sock.destroy();
            res();
          });
          sock.once('error', rej);
        }),
        timeoutMs,
        'TCP',
      );
      ok = add({ id: 'tcp', title: 'TCP reach of the port', required: true, status: 'pass', detail: `${address} port ${port} accepts connections` });
    } catch (e) {
      const code = (e as { code?: string }).code;
      ok = add({
        id: 'tcp',
        title: 'TCP reach of the port',
        required: true,
        status: 'fail',
        detail: `${address} port ${port}: ${code ?? (e as Error).message}`,
        fix:
          code === 'ECONNREFUSED'
            ? `nothing listens there: is \`vigil server\` running, and is ${port} its --agent-port (default 8091)?`
            : `no answer: check the firewalls between this node and the server (TCP ${port}), and the server's --host`,
      });
    }
  }

  // TLS: the handshake, then the server certificate against the pinned CA.
  let caPem: string | undefined;
  if (!ok) skip('tls', 'TLS handshake and certificate chain', 'the port is not reachable');
  else {
    let leaf: PeerCertificate | undefined;
    try {
      leaf = await withTimeout(
        new Promise<PeerCertificate>((res, rej) => {
          const sock = tlsConnect({ host: address, port, servername: isIP(host) ? undefined : host, rejectUnauthorized: false, ALPNProtocols: ['h2'] });
          sock.once('secureConnect', () => {
            const c = sock.getPeerCertificate(false);
            sock.destroy();
            res(c);
          });
          sock.once('error', rej);
        }),
        timeoutMs,
        'TLS',
      );
    } catch (e) {
      ok = add({
        id: 'tls',
        title: 'TLS handshake and certificate chain',
        required: true,
        status: 'fail',
        detail: `handshake failed: ${(e as Error).message}`,
        fix: `something other than the Vigil agent link listens on port ${port} (the API port instead of --agent-port?), or a proxy in between does not pass TLS through`,
      });
    }
    if (leaf) {
      let why = '';
      let fix = '';
      if (identity) caPem = identity.caPem;
      else if (o.caHash && CA_HASH.test(o.caHash)) {
        // The server hands out its CA (Discover); it must match the pin.
        const { Client } = agentLinkProto();
        const c = new Client(server, grpc.credentials.createSsl(null, null, null, { rejectUnauthorized: false, checkServerIdentity: () => undefined }), {
          'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
        });
        try {
          const d = await unaryCall<{ caPem: string }>((cb) => c.Discover({}, new grpc.Metadata(), { deadline: Date.now() + timeoutMs }, cb));
          const got = caHashOf(d.caPem);
          if (got !== o.caHash) {
            why = `the server's CA hash ${got} is not --ca-hash ${o.caHash}`;
            fix =
              'a different server (or a machine in between) answers; or the server generated a new CA: take caHash from a fresh agent token of the right server';
          } else caPem = d.caPem;
        } catch (e) {
          why = `the server did not hand out its CA: ${grpcDetail(e)}`;
          fix = 'is this the Vigil agent link port?';
        } finally {
          c.close();
        }
      }
      const raw = leaf.raw ? new X509Certificate(leaf.raw) : undefined;
      if (!why && raw && caPem) {
        const ca = new X509Certificate(caPem);
        const now = Date.now();
        if (!raw.verify(ca.publicKey)) {
          why = `the server certificate (${raw.subject.replace(/\n/g, ', ')}) is not signed by the ${identity ? 'enrolled' : 'pinned'} CA`;
          fix = identity
            ? "a different server answers, or the server's agent-pki/ was replaced: restore it, or enroll this node again (new token)"
            : 'a different server answers (or a machine in between)';
        } else if (Date.parse(raw.validTo) < now || Date.parse(raw.validFrom) > now) {
          why = `the server certificate is not valid now (${raw.validFrom} to ${raw.validTo})`;
          fix = "restart the server (it re-issues its certificate) and check both machines' clocks";
        } else if (!(isIP(host) ? raw.checkIP(host) : raw.checkHost(host))) {
          why = `the server certificate does not name ${host} (it names: ${raw.subjectAltName ?? raw.subject})`;
          fix = `add ${host} to the server's agentNames (VIGIL_AGENT_NAMES) and restart it, or use a name the certificate has`;
        }
      }
      if (why) ok = add({ id: 'tls', title: 'TLS handshake and certificate chain', required: true, status: 'fail', detail: why, fix });
      else if (!caPem)
        ok = add({
          id: 'tls',
          title: 'TLS handshake and certificate chain',
          required: true,
          status: 'warn',
          detail: `handshake ok (${leaf.subject?.CN ?? 'no CN'}); chain not checked: no --ca-hash and no enrolled identity under ${o.dataDir}${identityError ? ` (${identityError})` : ''}`,
          fix: 'pass --ca-hash (from the agent token) or --data-dir of an enrolled agent',
        });
      else
        ok = add({
          id: 'tls',
          title: 'TLS handshake and certificate chain',
          required: true,
          status: 'pass',
          detail: `server certificate for ${host} signed by the ${identity ? 'enrolled' : 'pinned'} CA ${caHashOf(caPem).slice(0, 23)}..., valid until ${raw?.validTo}`,
        });
    }
  }

  const { Client, HealthClient } = agentLinkProto();
  const trustCa = () =>
    caPem
      ? grpc.credentials.createSsl(Buffer.from(caPem))
      : grpc.credentials.createSsl(null, null, null, { rejectUnauthorized: false, checkServerIdentity: () => undefined });
  if (!ok) skip('grpc', 'gRPC health', 'no TLS connection');
  else {
    const h = new HealthClient(server, trustCa());
    try {
      const r = await unaryCall<{ status: string }>((cb) =>
        h.Check({ service: 'vigil.agent.v1.AgentLink' }, new grpc.Metadata(), { deadline: Date.now() + timeoutMs }, cb),
      );
      ok = add({
        id: 'grpc',
        title: 'gRPC health',
        required: true,
        status: r.status === 'SERVING' ? 'pass' : 'fail',
        detail: `grpc.health.v1 Check: ${r.status}`,
        ...(r.status === 'SERVING' ? {} : { fix: 'the server is starting or stopping; see its log' }),
      });
    } catch (e) {
      ok = add({
        id: 'grpc',
        title: 'gRPC health',
        required: true,
        status: 'fail',
        detail: grpcDetail(e),
        fix: 'the port speaks TLS but not the agent link: check --server (HOST:the server agent port)',
      });
    } finally {
      h.close();
    }
  }

  // Credentials: the token (not spent) or the enrolled certificate.
  if (o.token !== undefined) {
    if (!ok || !caPem) skip('token', 'Agent token', !ok ? 'the link is not reachable' : 'the server CA is not verified (pass --ca-hash)');
    else {
      const c = new Client(server, trustCa());
      try {
        const r = await unaryCall<{ valid: boolean; reason: string; expiresAt: string; clusterId: string }>((cb) =>
          c.CheckToken({ token: o.token! }, new grpc.Metadata(), { deadline: Date.now() + timeoutMs }, cb),
        );
        add(
          r.valid
            ? { id: 'token', title: 'Agent token', required: true, status: 'pass', detail: `valid for cluster ${r.clusterId} until ${r.expiresAt} (not spent)` }
            : {
                id: 'token',
                title: 'Agent token',
                required: true,
                status: 'fail',
                detail: r.reason,
                fix: 'mint a new one-time token: POST /api/v1/projects/{projectId}/clusters/{clusterId}/agent-tokens (one per node)',
              },
        );
      } catch (e) {
        add({ id: 'token', title: 'Agent token', required: true, status: 'fail', detail: grpcDetail(e), fix: 'see the server log' });
      } finally {
        c.close();
      }
    }
  } else if (identity) {
    let why = '';
    let fix = '';
    let detail = '';
    let warn = false;
    const x = new X509Certificate(identity.certPem);
    const now = Date.now();
    if (Date.parse(x.validTo) <= now) {
      why = `the node certificate expired at ${x.validTo}`;
      fix =
        'the agent renews it at two thirds of its lifetime while linked; after a long time offline enroll again (new token, a new data dir or the same node name)';
    } else if (!ok) why = 'not checked with the server: the link is not reachable';
    else {
      const c = new Client(server, grpc.credentials.createSsl(Buffer.from(identity.caPem), Buffer.from(identity.keyPem), Buffer.from(identity.certPem)));
      try {
        const r = await unaryCall<{ nodeId: string; nodeName: string; notAfter: string }>((cb) =>
          c.Whoami({}, new grpc.Metadata(), { deadline: Date.now() + timeoutMs }, cb),
        );
        detail = `node ${r.nodeName} (${r.nodeId}), certificate valid until ${r.notAfter}`;
        if (now >= renewAtMs(identity.certPem)) {
          warn = true;
          detail += '; due for renewal (the running agent renews it)';
        }
      } catch (e) {
        why = grpcDetail(e);
        fix = /revoked/.test(why)
          ? 'the node was revoked on the server: enroll it again under another node name with a new token'
          : 'the server does not know this certificate (the node was enrolled again elsewhere, or against another server): enroll again with a new token';
      } finally {
        c.close();
      }
    }
    add(
      why
        ? { id: 'certificate', title: 'Node certificate', required: true, status: ok ? 'fail' : 'skip', detail: why, ...(fix ? { fix } : {}) }
        : { id: 'certificate', title: 'Node certificate', required: true, status: warn ? 'warn' : 'pass', detail },
    );
  } else
    add({
      id: 'certificate',
      title: 'Token or node certificate',
      required: true,
      status: 'fail',
      detail: `no --token and no enrolled identity under ${o.dataDir}${identityError ? ` (${identityError})` : ''}`,
      fix: 'pass --token and --ca-hash (first enrollment), or --data-dir of an enrolled agent',
    });

  // ---- the node ----
  const ebpf = (o.sensor ?? 'ebpf') === 'ebpf';
  const isRoot = process.getuid?.() === 0;
  add({
    id: 'root',
    title: 'Running as root',
    required: true,
    status: isRoot ? 'pass' : 'fail',
    detail: isRoot ? 'uid 0' : `uid ${process.getuid?.() ?? '?'}`,
    ...(isRoot ? {} : { fix: 'run the agent (and this check) as root: the sensors read every process' }),
  });
  const mt = mounts(o.procMounts ?? '/proc/mounts');
  const tracefs = mt.find((x) => x.type === 'tracefs');
  add({
    id: 'tracefs',
    title: 'tracefs mounted',
    required: ebpf,
    status: tracefs ? 'pass' : ebpf ? 'fail' : 'warn',
    detail: tracefs ? tracefs.dir : 'no tracefs mount',
    ...(tracefs ? {} : { fix: 'mount -t tracefs nodev /sys/kernel/tracing (or run the agent with --sensor procfs)' }),
  });
  const btf = existsSync('/sys/kernel/btf/vmlinux');
  add({
    id: 'btf',
    title: 'Kernel BTF',
    required: false,
    status: btf ? 'pass' : 'warn',
    detail: btf ? '/sys/kernel/btf/vmlinux' : 'no /sys/kernel/btf/vmlinux',
    ...(btf ? {} : { fix: 'a kernel with CONFIG_DEBUG_INFO_BTF=y; without it bpftrace needs the kernel headers' }),
  });
  const bt = spawnSync('bpftrace', ['--version'], { encoding: 'utf8', timeout: timeoutMs });
  const btOk = !bt.error && bt.status === 0;
  add({
    id: 'bpftrace',
    title: 'bpftrace',
    required: ebpf,
    status: btOk ? 'pass' : ebpf ? 'fail' : 'warn',
    detail: btOk ? bt.stdout.trim().slice(0, 100) : `not runnable: ${bt.error?.message ?? bt.stderr.trim().slice(0, 200)}`,
    ...(btOk ? {} : { fix: 'install bpftrace (Debian: apt-get install bpftrace), or run the agent with --sensor procfs' }),
  });
  const cg = mt.filter((x) => x.dir === '/sys/fs/cgroup' || x.dir.startsWith('/sys/fs/cgroup/'));
  const layout = cg.some((x) => x.dir === '/sys/fs/cgroup' && x.type === 'cgroup2')
    ? 'v2 (unified)'
    : cg.some((x) => x.type === 'cgroup2')
      ? 'hybrid (v1 controllers, v2 unified)'
      : cg.some((x) => x.type === 'cgroup')
        ? 'v1'
        : '';
  add({
    id: 'cgroup',
    title: 'cgroup layout',
    required: true,
    status: layout ? 'pass' : 'fail',
    detail: layout || 'no cgroup file system under /sys/fs/cgroup',
    ...(layout ? {} : { fix: 'mount cgroup2 on /sys/fs/cgroup (the agent maps processes to containers by cgroup)' }),
  });
  let dockerSock: string;
  try {
    dockerSock = dockerSocketPath(o.dockerSocket);
  } catch (e) {
    dockerSock = '';
    add({ id: 'docker', title: 'Docker Engine', required: false, status: 'warn', detail: (e as Error).message, fix: 'set DOCKER_HOST to unix:///PATH' });
  }
  if (dockerSock) {
    if (!existsSync(dockerSock))
      add({
        id: 'docker',
        title: 'Docker Engine',
        required: false,
        status: 'warn',
        detail: `no socket at ${dockerSock}: no Docker inventory`,
        fix: 'start dockerd, or point DOCKER_HOST / --docker-socket at its socket',
      });
    else {
      try {
        const v = (await new DockerEngine({ socketPath: dockerSock, timeoutMs }).json('/version')) as { Version?: string; ApiVersion?: string } | undefined;
        add({
          id: 'docker',
          title: 'Docker Engine',
          required: false,
          status: 'pass',
          detail: `${dockerSock}: Docker ${v?.Version ?? '?'}, API ${v?.ApiVersion ?? '?'}`,
        });
      } catch (e) {
        add({
          id: 'docker',
          title: 'Docker Engine',
          required: false,
          status: 'warn',
          detail: `${dockerSock}: ${(e as Error).message}`,
          fix: 'is dockerd running (the socket file stays after a crash)?',
        });
      }
    }
  }
  const ctrSock = containerdSocketPath(o.containerdSocket);
  if (!existsSync(ctrSock))
    add({
      id: 'containerd',
      title: 'containerd',
      required: false,
      status: 'warn',
      detail: `no socket at ${ctrSock}`,
      fix: 'start containerd if this node runs it',
    });
  else {
    try {
      add({ id: 'containerd', title: 'containerd', required: false, status: 'pass', detail: `${ctrSock}: ${await containerdVersion(ctrSock, timeoutMs)}` });
    } catch (e) {
      add({ id: 'containerd', title: 'containerd', required: false, status: 'warn', detail: `${ctrSock}: ${grpcDetail(e)}`, fix: 'is containerd running?' });
    }
  }
  // The data dir: writable (or creatable).
  try {
    if (existsSync(o.dataDir)) {
      const probe = join(o.dataDir, `.doctor-${process.pid}`);
      writeFileSync(probe, 'x', { mode: 0o600 });
      rmSync(probe);
    } else {
      // Not there yet: the agent creates it; its nearest existing parent must be writable.
      let up = dirname(o.dataDir);
      while (!existsSync(up) && dirname(up) !== up) up = dirname(up);
      accessSync(up, constants.W_OK);
    }
    add({
      id: 'data-dir',
      title: 'Data dir writable',
      required: true,
      status: 'pass',
      detail: existsSync(o.dataDir) ? o.dataDir : `${o.dataDir} (created at the first start)`,
    });
  } catch (e) {
    add({
      id: 'data-dir',
      title: 'Data dir writable',
      required: true,
      status: 'fail',
      detail: `${o.dataDir}: ${(e as { code?: string }).code ?? (e as Error).message}`,
      fix: 'run as root, or pass a writable --data-dir (the identity, queue and local alert log live there)',
    });
  }
  const qf = join(o.dataDir, 'queue.db');
  if (!existsSync(qf) || !statSync(qf).isFile()) add({ id: 'queue', title: 'Alert queue', required: false, status: 'pass', detail: 'no queue yet' });
  else {
    try {
      const db = new Database(qf, { readonly: true, fileMustExist: true, timeout: timeoutMs });
      try {
        const depth = (db.prepare('select count(*) as n from alerts').get() as { n: number }).n;
        const dropped = (db.prepare("select v from meta where k = 'dropped'").get() as { v: number } | undefined)?.v ?? 0;
        const cap = o.queueCap ?? 100_000;
        const warn = dropped > 0 || depth >= cap * 0.8;
        add({
          id: 'queue',
          title: 'Alert queue',
          required: false,
          status: warn ? 'warn' : 'pass',
          detail: `${depth} alerts waiting (cap ${cap}), ${dropped} dropped past the cap`,
          ...(warn ? { fix: 'the link has been down or slow: fix the failing steps above; the agent replays the queue once linked' } : {}),
        });
      } finally {
        db.close();
      }
    } catch (e) {
      add({
        id: 'queue',
        title: 'Alert queue',
        required: false,
        status: 'warn',
        detail: `${qf}: ${(e as Error).message}`,
        fix: 'the queue file is damaged: stop the agent and move it away',
      });
    }
  }
  return { ok: steps.every((s) => !s.required || s.status === 'pass' || s.status === 'warn'), server, steps };
}
