// Kubernetes `admission.k8s.io/v1` AdmissionReview: reading a request into
// container specs (Pods and the workload kinds that template pods) and
// writing the response. Pure; the HTTPS edge is src/node/admission.
import { InputError } from '../errors.js';
import { k8sWorkloadSpecs } from '../checks/k8s-workload.js';
import type { ContainerSpec } from '../checks/spec.js';
import type { AdmissionDecision } from './decide.js';
import { denialMessage } from './decide.js';

export const ADMITTED_KINDS = ['Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob'] as const;

export interface ReviewRequest {
  uid: string;
  kind: string;
  namespace: string;
  name: string;
  operation: string;
  dryRun: boolean;
  user: string;
  specs: ContainerSpec[];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

function bad(message: string, where = 'AdmissionReview'): never {
  throw new InputError('ADMISSION_REVIEW_INVALID', message, where);
}

/** The uid of a review, if it has one (so even a refusal of a broken review can answer the right request). */
export function reviewUid(v: unknown): string {
  const req = isObj(v) && isObj(v.request) ? v.request : undefined;
  return req && typeof req.uid === 'string' && req.uid.length <= 128 ? req.uid : '';
}

export function parseAdmissionReview(v: unknown): ReviewRequest {
  if (!isObj(v)) bad('body is not a JSON object');
  if (v.apiVersion !== 'admission.k8s.io/v1') bad(`apiVersion must be admission.k8s.io/v1, not ${JSON.stringify(String(v.apiVersion).slice(0, 60))}`);
  if (v.kind !== 'AdmissionReview') bad('kind must be AdmissionReview');
  const r = v.request;
  if (!isObj(r)) bad('request is missing');
  if (typeof r.uid !== 'string' || !r.uid || r.uid.length > 128) bad('request.uid must be a string of 1 to 128 characters');
  const kind = isObj(r.kind) && typeof r.kind.kind === 'string' ? r.kind.kind : bad('request.kind.kind is missing');
  const operation = typeof r.operation === 'string' ? r.operation : bad('request.operation is missing');
  const namespace = typeof r.namespace === 'string' ? r.namespace : '';
  const user = isObj(r.userInfo) && typeof r.userInfo.username === 'string' ? r.userInfo.username.slice(0, 300) : '';
  const out: ReviewRequest = {
    uid: r.uid,
    kind,
    namespace,
    name: typeof r.name === 'string' ? r.name : '',
    operation,
    dryRun: r.dryRun === true,
    user,
    specs: [],
  };
  // Only creations and updates start containers; deletes and connects pass.
  if (operation !== 'CREATE' && operation !== 'UPDATE') return out;
  if (!(ADMITTED_KINDS as readonly string[]).includes(kind)) return out;
  if (!isObj(r.object)) bad(`request.object is missing for ${operation} ${kind}`);
  const obj = r.object;
  if (obj.kind !== undefined && obj.kind !== kind)
    bad(`request.object.kind ${JSON.stringify(String(obj.kind).slice(0, 60))} differs from request.kind ${kind}`);
  // The apiserver fills the namespace in the request; the object may not have it yet (generateName, CREATE).
  const meta = isObj(obj.metadata) ? obj.metadata : {};
  if (!out.name && typeof meta.name === 'string') out.name = meta.name;
  if (!out.name && typeof meta.generateName === 'string') out.name = meta.generateName;
  const withNs = { ...obj, kind, metadata: { ...meta, namespace: namespace || (typeof meta.namespace === 'string' ? meta.namespace : 'default') } };
  out.specs = k8sWorkloadSpecs(withNs, `request.object ${kind}/${out.name}`).specs;
  return out;
}

export interface ReviewResponse {
  apiVersion: 'admission.k8s.io/v1';
  kind: 'AdmissionReview';
  response: {
    uid: string;
    allowed: boolean;
    status?: { code: number; reason?: string; message: string };
    warnings?: string[];
    auditAnnotations?: Record<string, string>;
  };
}

/** Kubernetes shows at most this many warnings usefully; each is one line. */
const MAX_WARNINGS = 20;
const MAX_WARNING_CHARS = 250;

export function reviewResponse(uid: string, d: AdmissionDecision): ReviewResponse {
  const response: ReviewResponse['response'] = { uid, allowed: d.allowed };
  if (!d.allowed) response.status = { code: 403, reason: 'Forbidden', message: denialMessage(d) };
  const warns = d.warnings.slice(0, MAX_WARNINGS).map((w) => `vigil ${w.policy}/${w.rule}: container ${w.container}: ${w.message}`.slice(0, MAX_WARNING_CHARS));
  if (d.warnings.length > MAX_WARNINGS) warns.push(`vigil: ${d.warnings.length - MAX_WARNINGS} more warnings`);
  if (warns.length) response.warnings = warns;
  if (d.reasons.length)
    response.auditAnnotations = {
      'vigil.dev/admission': JSON.stringify(d.reasons.slice(0, 20).map((r) => `${r.policy}/${r.rule} (${r.mode})`)).slice(0, 1000),
    };
  return { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response };
}

/** The answer to a review that cannot be judged: refuse (failure policy fail) or admit with a warning (ignore). */
export function failureResponse(uid: string, message: string, failurePolicy: 'fail' | 'ignore'): ReviewResponse {
  const m = message.slice(0, 500);
  if (failurePolicy === 'ignore')
    return {
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      response: { uid, allowed: true, warnings: [`vigil: not checked: ${m}`.slice(0, MAX_WARNING_CHARS)] },
    };
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    response: { uid, allowed: false, status: { code: 400, reason: 'BadRequest', message: `Vigil admission: ${m}` } },
  };
}
