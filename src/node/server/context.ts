// What every route and the workers share: the store, config, secret box,
// job queue, scan service, notifier and the injected clock; and the typing
// of Fastify's per-route config (`action`, `scope`, `event`) and of the
// authenticated request.
import type { KeyObject } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
// Type augmentations: route schema `tags`/`summary`, route config `rateLimit`.
import type {} from '@fastify/swagger';
import type {} from '@fastify/rate-limit';
import type { Scope } from '../../core/auth/policy.js';
import type { AuthInfo } from '../services/auth.js';
import type { ServiceDeps } from '../services/common.js';
import type { Store } from '../store/store.js';
import type { ChangeBus } from '../store/changes.js';
import type { ServerConfig } from './config.js';
import type { SecretBox } from '../crypto/secret-box.js';
import type { JobQueue } from '../jobs/queue.js';
import type { ScanService } from '../jobs/scan-service.js';
import type { Notifier } from '../notify/dispatcher.js';
import type { Metrics } from './metrics.js';
import type { VulnDbIdentityReader } from '../jobs/vulndb-identity.js';
import type { OutboundGuard } from '../net/outbound.js';
import type { ServerImagePolicy } from '../image/server-policy.js';

export type { AuthInfo };

/** The server's context; it is also what the services need (`ServiceDeps`). */
export interface ServerContext extends ServiceDeps {
  store: Store;
  config: ServerConfig;
  secrets: SecretBox;
  queue: JobQueue;
  scans: ScanService;
  notifier: Notifier;
  metrics: Metrics;
  clock: () => Date;
  log: FastifyBaseLogger;
  /**
   * Resolved bearer tokens for a few seconds (token hash -> identity), so a
   * burst of API calls does not look the token up each time. Cleared in this
   * process on every change to tokens, users or bindings; other API processes
   * see such a change within AUTH_CACHE_MS.
   */
  authCache: Map<string, { at: number; auth: AuthInfo }>;
  /** The identity (content digest) of the vulnerability DB this process serves. */
  vulnDb: VulnDbIdentityReader;
  /** The audit checkpoint signing key (src/node/server/audit-keys.ts). */
  auditSigningKey: KeyObject;
  /** The outbound request guard of every server-initiated connection (docs/security.md). */
  outbound: OutboundGuard;
  /** Which image references the server opens for its users, and how (docs/security.md). */
  imagePolicy: ServerImagePolicy;
  /** Change notifications across the processes sharing the store (policies -> agents). */
  changes: ChangeBus;
  /** `sha256:<hex>` of the agent link CA's SubjectPublicKeyInfo (set when the link is served). */
  agentCaHash?: string;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The action this route performs (src/core/auth/actions.ts). Every route has one. */
    action?: string;
    /** How the project is found: public (no auth), global, project (`:projectId` or `?project=`), self. */
    scope?: Scope;
    /** The audit event name written by a state change (seed names where they exist). */
    event?: string;
  }
  interface FastifyRequest {
    auth?: AuthInfo;
    /** For project-scoped routes: 'all' or the projects the caller may act on. */
    allowedProjects?: 'all' | string[];
  }
}
