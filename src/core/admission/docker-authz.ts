// Docker's authorization plugin protocol, the pure part: which requests are
// container creations and the container spec they ask for. Docker sends
// every API call as `{User, UserAuthNMethod, RequestMethod, RequestUri,
// RequestBody (base64), RequestHeaders}`; only `POST /vX.Y/containers/create`
// starts something new, so only that is judged (everything else passes).
import { InputError } from '../errors.js';
import { dockerInspectSpecs } from '../checks/docker-inspect.js';
import type { ContainerSpec } from '../checks/spec.js';

export interface AuthZRequest {
  user: string;
  method: string;
  uri: string;
  /** Present for container creations. */
  spec?: ContainerSpec;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);
const CREATE = /^\/(?:v[\d.]+\/)?containers\/create(?:\?(.*))?$/;
/** Docker's create bodies are small; bigger is hostile. */
export const MAX_CREATE_BODY = 1024 * 1024;

export function parseAuthZRequest(v: unknown): AuthZRequest {
  if (!isObj(v)) throw new InputError('AUTHZ_REQUEST_INVALID', 'body is not a JSON object', 'AuthZReq');
  const method = typeof v.RequestMethod === 'string' ? v.RequestMethod : '';
  // Docker's JSON field is `RequestUri` (Go field RequestURI).
  const uri = typeof v.RequestUri === 'string' ? v.RequestUri : typeof v.RequestURI === 'string' ? v.RequestURI : '';
  const out: AuthZRequest = { user: typeof v.User === 'string' ? v.User.slice(0, 300) : '', method, uri };
  const m = CREATE.exec(uri);
  if (method !== 'POST' || !m) return out;
  const query = new URLSearchParams(m[1] ?? '');
  const b64 = typeof v.RequestBody === 'string' ? v.RequestBody : '';
  if (b64.length > (MAX_CREATE_BODY * 4) / 3 + 4)
    throw new InputError('AUTHZ_REQUEST_INVALID', `container create body larger than ${MAX_CREATE_BODY} bytes`, 'AuthZReq');
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(b64, 'base64').toString('utf8'));
  } catch {
    throw new InputError('AUTHZ_REQUEST_INVALID', 'container create body is not JSON', 'AuthZReq');
  }
  if (!isObj(body)) throw new InputError('AUTHZ_REQUEST_INVALID', 'container create body is not an object', 'AuthZReq');
  const name = query.get('name') ?? '';
  const hc = body.HostConfig ?? {};
  const [spec] = dockerInspectSpecs({ Name: name || 'container', Config: { Image: body.Image, Labels: body.Labels }, HostConfig: hc }, 'containers/create');
  out.spec = spec!;
  return out;
}
