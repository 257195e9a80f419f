// Notification dispatch: which targets (webhook, syslog) get an alert or a
// scan result, by project, minimum severity, alert type prefixes and event
// kind. Targets are read from the store (cached briefly); deliveries run in
// the background and never block the request that caused them. Deliveries in
// flight are bounded: when a receiver is slow or down (retries with backoff)
// and alerts keep coming, new deliveries are dropped and counted rather than
// queued without limit.
import { CachedValue } from '../../core/cache/cached-value.js';
import type { Alert, Severity } from '../../core/alerts/types.js';
import type { Store } from '../store/store.js';
import type { SecretBox } from '../crypto/secret-box.js';
import type { OutboundGuard } from '../net/outbound.js';
import { sendWebhook, type WebhookOptions } from './webhook.js';
import { formatSyslog, sendSyslog, type SyslogTarget } from './syslog.js';

const RANK: Record<string, number> = { info: 0, unknown: 0, low: 1, medium: 2, high: 3, critical: 4 };

export interface NotifierTarget {
  id: string;
  projectId: string | null;
  kind: 'webhook' | 'syslog';
  config: { url?: string; secret?: string; host?: string; port?: number; protocol?: 'udp' | 'tcp'; facility?: number };
  minSeverity: string;
  types: string[];
  events: string[];
}

export interface ScanResultEvent {
  projectId: string;
  imageId: string;
  ref: string;
  scanId: string;
  status: 'succeeded' | 'failed';
  counts: Record<string, number>;
  error?: string;
}

export interface NotifierOptions {
  store: Store;
  secrets: SecretBox;
  clock?: () => Date;
  webhook?: WebhookOptions;
  onError?: (target: string, e: unknown) => void;
  cacheMs?: number;
  /** Deliveries in flight at most (default 1000); more are dropped and counted. */
  maxPending?: number;
  /** Called for each dropped delivery. */
  onDrop?: (target: string) => void;
  /** The server's outbound request guard: webhooks and syslog go only to addresses it allows. */
  outbound?: OutboundGuard;
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'invalid URL';
  }
}

export class Notifier {
  /**
   * The targets, cached for `cacheMs`, one read at a time (the agent link asks
   * for them for every batch a commit acknowledged, thousands at once under
   * load: each reading the table held the database pool the next commit needs).
   */
  private readonly cached: CachedValue<NotifierTarget[]>;
  private readonly pending = new Set<Promise<void>>();
  /** Deliveries dropped because `maxPending` were in flight. */
  dropped = 0;

  constructor(private readonly o: NotifierOptions) {
    this.cached = new CachedValue({ load: () => this.load(), ttlMs: o.cacheMs ?? 10_000 });
  }

  invalidate(): void {
    this.cached.invalidate();
  }

  private targets(): Promise<NotifierTarget[]> {
    return this.cached.get();
  }

  private async load(): Promise<NotifierTarget[]> {
    const rows = await this.o.store.db.selectFrom('notifiers').selectAll().execute();
    const targets = rows.map((r): NotifierTarget => {
      const config = JSON.parse(r.config) as NotifierTarget['config'] & { urlEnc?: string };
      if (config.secret) config.secret = this.o.secrets.open(config.secret);
      // Webhook URLs are stored sealed (they may carry a token); older rows keep a plain `url`.
      if (config.urlEnc) {
        config.url = this.o.secrets.open(config.urlEnc);
        delete config.urlEnc;
      }
      return {
        id: r.id,
        projectId: r.project_id,
        kind: r.kind as NotifierTarget['kind'],
        config,
        minSeverity: r.min_severity,
        types: JSON.parse(r.types),
        events: JSON.parse(r.events),
      };
    });
    return targets;
  }

  private track(p: Promise<void>): void {
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }

  /** Waits for deliveries in flight (tests, shutdown). */
  async flush(): Promise<void> {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }

  private matches(t: NotifierTarget, projectId: string, event: string, severity: string, type: string): boolean {
    if (t.projectId && t.projectId !== projectId) return false;
    if (t.events.length && !t.events.includes(event)) return false;
    if ((RANK[severity] ?? 0) < (RANK[t.minSeverity] ?? 0)) return false;
    if (t.types.length && !t.types.some((p) => type === p || type.startsWith(p.endsWith('/') ? p : `${p}/`))) return false;
    return true;
  }

  private deliver(
    t: NotifierTarget,
    event: string,
    severity: string,
    msgId: string,
    message: string,
    payload: Record<string, unknown>,
    sd: Record<string, string>,
  ): void {
    if (this.pending.size >= (this.o.maxPending ?? 1000)) {
      this.dropped++;
      this.o.onDrop?.(t.id);
      return;
    }
    const run = async () => {
      if (t.kind === 'webhook') {
        const r = await sendWebhook({ url: t.config.url!, secret: t.config.secret ?? '' }, event, payload, { ...this.o.webhook, outbound: this.o.outbound });
        // The URL may carry a secret (a token in its path or query): only its origin is logged.
        if (!r.ok) throw new Error(`webhook ${t.id} (${originOf(t.config.url!)}): ${r.error ?? `HTTP ${r.status}`} after ${r.attempts} attempts`);
      } else {
        const st: SyslogTarget = { host: t.config.host!, port: t.config.port!, protocol: t.config.protocol ?? 'udp', facility: t.config.facility };
        await sendSyslog(st, formatSyslog(st, severity, msgId, message, sd, this.o.clock?.() ?? new Date()), 5000, this.o.outbound);
      }
    };
    this.track(run().catch((e) => this.o.onError?.(t.id, e)));
  }

  async alerts(projectId: string, alerts: readonly Alert[]): Promise<void> {
    if (!alerts.length) return;
    const targets = await this.targets();
    if (!targets.length) return;
    for (const t of targets) {
      for (const a of alerts) {
        if (!this.matches(t, projectId, 'alert', a.severity, a.type)) continue;
        this.deliver(
          t,
          'alert',
          a.severity,
          'alert',
          `${a.type} ${a.message}`,
          { event: 'alert', projectId, alert: a },
          { type: a.type, severity: a.severity, project: projectId, id: a.id, host: a.host, rule: a.rule, container: a.container?.id ?? '' },
        );
      }
    }
  }

  async scanFinished(e: ScanResultEvent): Promise<void> {
    const targets = await this.targets();
    const severity: Severity =
      e.status === 'failed'
        ? 'medium'
        : e.counts.critical || e.counts.malware
          ? 'critical'
          : e.counts.high
            ? 'high'
            : e.counts.medium
              ? 'medium'
              : e.counts.low
                ? 'low'
                : 'info';
    for (const t of targets) {
      if (!this.matches(t, e.projectId, 'scan', severity, 'scan/result')) continue;
      const summary =
        e.status === 'failed'
          ? `scan of ${e.ref} failed: ${e.error ?? ''}`
          : `scan of ${e.ref}: ${Object.entries(e.counts)
              .map(([k, v]) => `${k}=${v}`)
              .join(' ')}`;
      this.deliver(
        t,
        'scan',
        severity,
        'scan',
        summary,
        { event: 'scan', ...e },
        {
          project: e.projectId,
          image: e.ref,
          scan: e.scanId,
          status: e.status,
          ...Object.fromEntries(Object.entries(e.counts).map(([k, v]) => [k, String(v)])),
        },
      );
    }
  }

  /**
   * A signed audit checkpoint, exported off the host: only to targets of all
   * projects that listed the `audit-checkpoint` event explicitly.
   */
  async auditCheckpoint(c: { seq: number; hash: string; hmacFrom: number; time: string; keyId: string; signature: string }): Promise<void> {
    for (const t of await this.targets()) {
      if (t.projectId || !t.events.includes('audit-checkpoint')) continue;
      this.deliver(
        t,
        'audit-checkpoint',
        'info',
        'audit',
        `audit checkpoint at record ${c.seq}`,
        { event: 'audit-checkpoint', checkpoint: c },
        { seq: String(c.seq), hash: c.hash, hmacFrom: String(c.hmacFrom), time: c.time, keyId: c.keyId, signature: c.signature },
      );
    }
  }
}
