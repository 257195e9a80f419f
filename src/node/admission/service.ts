// The admission service both hooks share (the Kubernetes webhook and the
// Docker authorization plugin): where policies and image facts come from
// (local files, or the server with a short-TTL cache), the decision (pure,
// src/core/admission), the alerts it sends (batched to the server's ingest
// API, bounded) and the counters /metrics shows.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { readFile } from 'node:fs/promises';
import { parseAllDocuments } from 'yaml';
import { CachedValue } from '../../core/cache/cached-value.js';
import { InputError } from '../../core/errors.js';
import { decideAdmission, type AdmissionDecision, type AdmissionReason, type AdmissionSubject, type ImageFacts } from '../../core/admission/decide.js';
import { FactsTable, factsFromDocument, factsFromScanReport, validateImageFacts } from '../../core/admission/facts.js';
import { tryParseImageRef, type ImageRef } from '../../core/admission/image-ref.js';
import { validateAdmissionPolicies, validateAdmissionPolicy, type AdmissionPolicy } from '../../core/admission/policy.js';
import type { Alert, Severity } from '../../core/alerts/types.js';

export interface AdmissionSource {
  policies(): Promise<AdmissionPolicy[]>;
  facts(ref: ImageRef): Promise<ImageFacts | undefined>;
}

const MAX_FILE = 8 * 1024 * 1024;

async function readBounded(file: string, what: string): Promise<string> {
  let buf: Buffer;
  try {
    buf = await readFile(file);
  } catch (e) {
    throw new InputError('FILE_UNREADABLE', (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message, `${what} ${file}`);
  }
  if (buf.length > MAX_FILE) throw new InputError('FILE_TOO_LARGE', `larger than ${MAX_FILE} bytes`, `${what} ${file}`);
  return buf.toString('utf8');
}

/** Policies from YAML/JSON files (several documents, lists or `policies:` allowed). */
export async function loadPolicyFiles(files: string[]): Promise<AdmissionPolicy[]> {
  const all: AdmissionPolicy[] = [];
  for (const f of files) {
    const docs = parseAllDocuments(await readBounded(f, '--policy'));
    for (const d of docs) if (d.errors.length) throw new InputError('POLICY_INVALID', `YAML: ${d.errors[0]!.message.split('\n')[0]}`, f);
    const values = docs.map((d) => d.toJS({ maxAliasCount: 100 })).filter((v) => v !== null && v !== undefined);
    for (const v of values) all.push(...validateAdmissionPolicies(v, f));
  }
  const names = new Set<string>();
  for (const p of all) {
    if (names.has(p.name)) throw new InputError('POLICY_INVALID', `duplicate policy name ${p.name}`, '--policy');
    names.add(p.name);
  }
  return all;
}

/** Facts from facts files (`{images: {...}}`) and `vigil scan --format json` reports. */
export async function loadFactsFiles(factsFiles: string[], reports: string[], now: Date): Promise<FactsTable> {
  const t = new FactsTable();
  const json = async (f: string, what: string) => {
    try {
      return JSON.parse(await readBounded(f, what)) as unknown;
    } catch (e) {
      if (e instanceof InputError) throw e;
      throw new InputError('FACTS_INVALID', `not JSON: ${(e as Error).message.slice(0, 100)}`, f);
    }
  };
  for (const f of factsFiles) factsFromDocument(await json(f, '--facts'), f, t);
  for (const f of reports) factsFromScanReport((await json(f, '--scan-report')) as never, now.toISOString(), f, t);
  return t;
}

export class LocalSource implements AdmissionSource {
  constructor(
    private readonly list: AdmissionPolicy[],
    private readonly table: FactsTable,
  ) {}
  async policies(): Promise<AdmissionPolicy[]> {
    return this.list;
  }
  async facts(ref: ImageRef): Promise<ImageFacts | undefined> {
    return this.table.get(ref);
  }
}

export interface ServerLink {
  url: string;
  token: string;
  project: string;
  /** Facts cache TTL (ms). */
  factsTtlMs?: number;
  /** Policies refresh interval (ms). */
  policiesTtlMs?: number;
  timeoutMs?: number;
  fetchFn?: typeof fetch;
}

/** Check a user-given server URL: http(s), no credentials in it, no fragment. */
export function checkServerUrl(raw: string): URL {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new InputError('USAGE', `--server must be a URL like https://vigil.example:8080, not ${JSON.stringify(raw.slice(0, 100))}`);
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new InputError('USAGE', `--server must be http or https, not ${u.protocol}`);
  if (u.username || u.password) throw new InputError('USAGE', '--server must not carry credentials (use --token)');
  return u;
}

/**
 * Policies and facts from the server's admission API, cached: facts per
 * image for a short TTL (a scan finishing shows within it), policies
 * refreshed in the background. Concurrent lookups of one image share a request.
 */
export class ServerSource implements AdmissionSource {
  private readonly base: URL;
  private readonly cache = new Map<string, { at: number; facts: ImageFacts | undefined }>();
  private readonly inflight = new Map<string, Promise<ImageFacts | undefined>>();
  /** Policies refreshed after a TTL; a stale list beats none while the server is briefly away. */
  private readonly pol: CachedValue<AdmissionPolicy[]>;
  readonly stats = { factsHits: 0, factsMisses: 0, errors: 0 };
  private static readonly MAX_ENTRIES = 20_000;

  constructor(
    private readonly link: ServerLink,
    private readonly now: () => number = Date.now,
  ) {
    this.base = checkServerUrl(link.url);
    this.pol = new CachedValue({
      ttlMs: link.policiesTtlMs ?? 30_000,
      staleOnError: true,
      now,
      load: async () => {
        const body = (await this.get(`/api/v1/projects/${encodeURIComponent(link.project)}/admission/policies`)) as { policies?: unknown[] };
        return (body.policies ?? []).map((p, i) => validateAdmissionPolicy(p, `server policies[${i}]`));
      },
    });
  }

  private async get(path: string): Promise<unknown> {
    const f = this.link.fetchFn ?? fetch;
    const url = new URL(path, this.base);
    let res: Response;
    try {
      res = await f(url, {
        headers: { authorization: `Bearer ${this.link.token}`, accept: 'application/json' },
        signal: AbortSignal.timeout(this.link.timeoutMs ?? 3000),
      });
    } catch (e) {
      this.stats.errors++;
      throw new InputError('SERVER_UNREACHABLE', `${(e as Error).message}`.slice(0, 200), `server ${this.base.origin}`);
    }
    const text = await res.text();
    if (text.length > 4 * 1024 * 1024) throw new InputError('SERVER_ANSWER', 'answer too large', `server ${url.pathname}`);
    if (!res.ok) {
      this.stats.errors++;
      throw new InputError('SERVER_ANSWER', `HTTP ${res.status}`, `server ${url.pathname}`);
    }
    try {
      return JSON.parse(text);
    } catch {
      throw new InputError('SERVER_ANSWER', 'not JSON', `server ${url.pathname}`);
    }
  }

  policies(): Promise<AdmissionPolicy[]> {
    return this.pol.get();
  }

  async facts(ref: ImageRef): Promise<ImageFacts | undefined> {
    const key = ref.full;
    const hit = this.cache.get(key);
    const ttl = this.link.factsTtlMs ?? 60_000;
    if (hit && this.now() - hit.at < ttl) {
      this.stats.factsHits++;
      return hit.facts;
    }
    this.stats.factsMisses++;
    let p = this.inflight.get(key);
    if (!p) {
      p = (async () => {
        try {
          const body = (await this.get(
            `/api/v1/projects/${encodeURIComponent(this.link.project)}/admission/image-facts?image=${encodeURIComponent(ref.full)}`,
          )) as { facts?: unknown };
          const facts = body.facts === null || body.facts === undefined ? undefined : validateImageFacts(body.facts, `server facts of ${ref.full}`);
          if (this.cache.size >= ServerSource.MAX_ENTRIES) this.cache.delete(this.cache.keys().next().value!);
          this.cache.set(key, { at: this.now(), facts });
          return facts;
        } finally {
          this.inflight.delete(key);
        }
      })();
      this.inflight.set(key, p);
    }
    return p;
  }
}

/** Counters of decisions, rendered in the Prometheus text format. */
export class AdmissionMetrics {
  private readonly counts = new Map<string, number>();
  private readonly buckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];
  private readonly hist = this.buckets.map(() => 0);
  private sum = 0;
  private n = 0;

  count(target: string, result: string, dryRun: boolean): void {
    const k = `target="${target}",result="${result}",dry_run="${dryRun}"`;
    this.counts.set(k, (this.counts.get(k) ?? 0) + 1);
  }

  observe(seconds: number): void {
    for (let i = 0; i < this.buckets.length; i++) if (seconds <= this.buckets[i]!) this.hist[i]!++;
    this.sum += seconds;
    this.n++;
  }

  extra: Array<() => string> = [];

  render(): string {
    const out = [
      '# HELP vigil_admission_decisions_total Admission decisions by hook, result (allowed, denied, warned, error) and dry run.',
      '# TYPE vigil_admission_decisions_total counter',
    ];
    for (const [k, v] of this.counts) out.push(`vigil_admission_decisions_total{${k}} ${v}`);
    out.push('# HELP vigil_admission_decision_seconds Time to decide (facts lookup included).', '# TYPE vigil_admission_decision_seconds histogram');
    this.buckets.forEach((b, i) => out.push(`vigil_admission_decision_seconds_bucket{le="${b}"} ${this.hist[i]}`));
    out.push(
      `vigil_admission_decision_seconds_bucket{le="+Inf"} ${this.n}`,
      `vigil_admission_decision_seconds_sum ${this.sum}`,
      `vigil_admission_decision_seconds_count ${this.n}`,
    );
    for (const e of this.extra) out.push(e());
    return `${out.join('\n')}\n`;
  }
}

/** Where a decision happened, for the alert. */
export interface DecisionContext {
  target: 'kubernetes' | 'docker';
  /** Kubernetes: namespace, kind/name of the workload, user, operation. */
  namespace?: string;
  workload?: string;
  kind?: string;
  user?: string;
  operation?: string;
  /** Docker: the client's user (authz plugins see it when TLS client auth is on) and the container name. */
  dockerUser?: string;
}

const RANK: Record<Severity, number> = { info: 0, low: 1, medium: 2, high: 3, critical: 4 };

/** One alert per alert type of a decision (image-blocked and abnormal-startup), with every reason. */
export function decisionAlerts(d: AdmissionDecision, c: DecisionContext, now: Date, host = hostname()): Alert[] {
  const byType = new Map<string, AdmissionReason[]>();
  for (const r of d.reasons) byType.set(r.alertType, [...(byType.get(r.alertType) ?? []), r]);
  const out: Alert[] = [];
  for (const [type, rs] of byType) {
    const denied = rs.some((r) => r.mode === 'enforce');
    const severity = rs.reduce<Severity>((s, r) => (RANK[r.severity] > RANK[s] ? r.severity : s), 'low');
    const where = c.target === 'kubernetes' ? `${c.namespace ?? ''}/${c.workload ?? ''}` : `docker container ${c.workload ?? ''}`;
    const alert: Alert = {
      id: randomUUID(),
      type,
      severity,
      time: now.toISOString(),
      host,
      rule: 'admission',
      message: `${denied ? 'refused' : 'admitted with findings'}: ${where}: ${rs
        .slice(0, 5)
        .map((r) => `${r.policy}/${r.rule}: ${r.message}`)
        .join('; ')}${rs.length > 5 ? ` (+${rs.length - 5} more)` : ''}`.slice(0, 3900),
      action: { kind: denied ? 'denied' : 'alert', detail: `${c.target} admission` },
      fields: {
        target: c.target,
        images: [...new Set(rs.map((r) => r.image))],
        digests: [...new Set(rs.map((r) => r.digest).filter(Boolean))],
        reasons: rs.slice(0, 50).map((r) => ({ policy: r.policy, mode: r.mode, rule: r.rule, container: r.container, image: r.image, message: r.message })),
        ...(c.dockerUser !== undefined ? { dockerUser: c.dockerUser } : {}),
      },
      remedy:
        type === 'container/image-blocked'
          ? 'Scan the image and fix or ignore its findings, or use an image from an allowed registry; or add a policy exception.'
          : 'Remove the dangerous settings from the container spec, or add a policy exception for this workload.',
      tags: ['admission', c.target],
    };
    if (c.target === 'kubernetes') {
      alert.k8s = {
        ...(c.namespace ? { namespace: c.namespace } : {}),
        ...(c.workload ? { name: c.workload } : {}),
        ...(c.kind ? { resource: c.kind } : {}),
        ...(c.user ? { user: c.user } : {}),
        ...(c.operation ? { verb: c.operation.toLowerCase() } : {}),
      };
    }
    out.push(alert);
  }
  return out;
}

/** Sends alerts to the server's ingest API in batches; bounded (drops and counts when the server is away). */
export class AlertSender {
  private queue: Alert[] = [];
  private timer: NodeJS.Timeout | undefined;
  private sending: Promise<void> | undefined;
  readonly stats = { sent: 0, dropped: 0, failedBatches: 0 };
  private readonly base: URL;

  constructor(
    private readonly link: Pick<ServerLink, 'url' | 'token' | 'project' | 'fetchFn' | 'timeoutMs'>,
    private readonly maxQueued = 10_000,
    private readonly onError: (m: string) => void = () => {},
  ) {
    this.base = checkServerUrl(link.url);
  }

  push(alerts: Alert[]): void {
    for (const a of alerts) {
      if (this.queue.length >= this.maxQueued) {
        this.stats.dropped++;
        continue;
      }
      this.queue.push(a);
    }
    if (!this.timer && this.queue.length)
      this.timer = setTimeout(() => {
        this.timer = undefined;
        void this.flush();
      }, 200);
  }

  async flush(): Promise<void> {
    if (this.sending) await this.sending;
    if (!this.queue.length) return;
    const batch = this.queue.splice(0, 1000);
    this.sending = (async () => {
      try {
        const f = this.link.fetchFn ?? fetch;
        const res = await f(new URL(`/api/v1/alerts:batch?project=${encodeURIComponent(this.link.project)}`, this.base), {
          method: 'POST',
          headers: { authorization: `Bearer ${this.link.token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ alerts: batch }),
          signal: AbortSignal.timeout(this.link.timeoutMs ?? 5000),
        });
        await res.text();
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        this.stats.sent += batch.length;
      } catch (e) {
        this.stats.failedBatches++;
        this.stats.dropped += batch.length;
        this.onError(`alerts to ${this.base.origin}: ${(e as Error).message.slice(0, 200)} (${batch.length} dropped)`);
      } finally {
        this.sending = undefined;
      }
    })();
    await this.sending;
    if (this.queue.length) await this.flush();
  }

  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.flush();
  }
}

export interface ServiceOptions {
  source: AdmissionSource;
  /** Where alerts go: the server sender, or a local writer (JSON lines). */
  onAlerts?: (alerts: Alert[]) => void;
  clock?: () => Date;
}

/** Decide with facts fetched first (the decision itself is synchronous and pure). */
export class AdmissionService {
  readonly metrics = new AdmissionMetrics();
  constructor(private readonly o: ServiceOptions) {}

  async decide(subject: AdmissionSubject): Promise<AdmissionDecision> {
    const policies = await this.o.source.policies();
    const facts = new Map<string, ImageFacts | undefined>();
    const refs: ImageRef[] = [];
    for (const s of subject.specs) {
      const ref = s.image ? tryParseImageRef(s.image) : undefined;
      if (ref && !facts.has(ref.full)) {
        facts.set(ref.full, undefined);
        refs.push(ref);
      }
    }
    // Facts matter only when a policy has an image rule that needs them.
    if (policies.some((p) => p.rules.scan || p.rules.vulnerabilities || p.rules.malware || p.rules.secrets)) {
      const got = await Promise.all(refs.map((r) => this.o.source.facts(r)));
      refs.forEach((r, i) => facts.set(r.full, got[i]));
    }
    return decideAdmission(policies, subject, (r) => facts.get(r.full), (this.o.clock?.() ?? new Date()).getTime());
  }

  /** Record a decision: metrics always, alerts unless dry run. */
  record(d: AdmissionDecision, c: DecisionContext, dryRun: boolean, seconds: number): void {
    this.metrics.observe(seconds);
    this.metrics.count(c.target, !d.allowed ? 'denied' : d.warnings.length ? 'warned' : 'allowed', dryRun);
    if (!dryRun && d.reasons.length && this.o.onAlerts) this.o.onAlerts(decisionAlerts(d, c, this.o.clock?.() ?? new Date()));
  }

  recordError(target: 'kubernetes' | 'docker'): void {
    this.metrics.count(target, 'error', false);
  }
}
