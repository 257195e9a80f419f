// Names for the API's shapes as the console reads them, every one derived
// from the types generated out of the server's OpenAPI document
// (schema.d.ts, `npm run gen:api`): a field the server renames or drops
// fails the console's typecheck (`npm run typecheck`). The only shapes
// written by hand here are those the API leaves open (a finding's `data`,
// a policy's `document`), which the pages interpret.
import type { paths } from './schema';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** The JSON body of a route's 2xx answer. */
export type ResponseOf<P extends keyof paths, M extends Method = 'get'> = paths[P][M] extends {
  responses: infer R;
}
  ? { [C in keyof R]: C extends 200 | 201 | 202 ? (R[C] extends { content: { 'application/json': infer J } } ? J : never) : never }[keyof R]
  : never;

/** The JSON request body of a route. */
export type BodyOf<P extends keyof paths, M extends Method = 'post'> = paths[P][M] extends {
  requestBody?: { content: { 'application/json': infer B } };
}
  ? B
  : never;

/** One row of a paged (or listed) answer. */
export type ItemOf<P extends keyof paths, M extends Method = 'get'> = ResponseOf<P, M> extends { items: (infer I)[] } ? I : never;

export type Me = ResponseOf<'/api/v1/auth/me'>;
export type Binding = ItemOf<'/api/v1/users/{userId}/bindings'>;
export type Project = ItemOf<'/api/v1/projects'>;
export type Image = ItemOf<'/api/v1/projects/{projectId}/images'>;
export type Finding = ItemOf<'/api/v1/projects/{projectId}/images/{imageId}/findings'>;
export type PackageRow = ItemOf<'/api/v1/projects/{projectId}/images/{imageId}/packages'>;
export type VulnIgnore = ItemOf<'/api/v1/projects/{projectId}/vuln-ignores'>;
export type AlertRow = ItemOf<'/api/v1/alerts'>;
export type Policy = ItemOf<'/api/v1/projects/{projectId}/policies'>;
export type LearnedEntry = ItemOf<'/api/v1/projects/{projectId}/policies/{policyId}/learned'>;
export type Cluster = ItemOf<'/api/v1/projects/{projectId}/clusters'>;
export type NodeRow = ItemOf<'/api/v1/projects/{projectId}/nodes'>;
export type Registry = ItemOf<'/api/v1/projects/{projectId}/registries'>;
export type User = ItemOf<'/api/v1/users'>;
export type ApiToken = ItemOf<'/api/v1/tokens'>;
export type AuditRecord = ItemOf<'/api/v1/audit'>;
export type Notifier = ItemOf<'/api/v1/notifiers'>;

/** A finding's open `data` read as the report entry of its kind (the shapes below). */
export const dataOf = <T>(f: { data: Record<string, unknown> }): T => f.data as T;

/**
 * A policy's document as the console's form reads it (src/core/policy/model.ts;
 * the API keeps documents open, the server validates them by kind).
 */
export interface PolicyDocument {
  processWhitelist?: { executables?: string[]; learn?: string | number };
  fileProtection?: { paths?: string[]; reads?: boolean };
  maxCritical?: number;
  maxHigh?: number;
  requireScan?: boolean;
  blockMalware?: boolean;
  allowedRegistries?: string[];
  denyImages?: string[];
}

// The open documents: a finding's `data` is the scanner's report entry
// (src/core/scan/types.ts: VulnFinding, MalwareFinding, SecretFinding,
// BaselineFinding, FileFinding); the API types it as an open object.
export interface LayerRef {
  index: number;
  digest: string;
  diffId?: string;
  createdBy?: string;
}
export interface VulnData {
  status?: string;
  cvss?: Record<string, { score: number; vector: string; version?: string }>;
  layer?: LayerRef;
  description?: string;
  references?: string[];
}
export interface MalwareData {
  file: string;
  rule: string;
  family?: string;
  sha256: string;
  description?: string;
  deleted?: boolean;
  layer?: LayerRef;
}
export interface SecretData {
  file: string;
  line: number;
  ruleId: string;
  title: string;
  match: string;
  deleted?: boolean;
  layer?: LayerRef;
}
export interface BaselineData {
  id: string;
  title: string;
  detail: string;
  file?: string;
  remedy: string;
  reference?: string;
}
export interface FileData {
  path: string;
  size: number;
  mode: number;
  sha256?: string;
  executable: boolean;
  setuid: boolean;
  noise?: string;
  layer?: LayerRef;
}
