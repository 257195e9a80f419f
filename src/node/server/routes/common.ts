// What the route modules share: id and parameter schemas, and `routes()`, the
// one way a route is declared (docs/architecture.md "Add a route"): its
// method and URL, the action and scope the auth hook checks, the audit event
// of a change, its schemas and one call into src/node/services. Rows become
// API objects in the services (services/common.ts).
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteGenericInterface } from 'fastify';
import type { Scope } from '../../../core/auth/policy.js';
import { pageQuerySchema, type PageQuery } from '../list-query.js';
import { callerOf } from '../auth-hook.js';
import type { Caller } from '../../services/common.js';

export const ID = { type: 'string', minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' } as const;

export function params(...names: string[]) {
  return { type: 'object', properties: Object.fromEntries(names.map((n) => [n, ID])), required: names, additionalProperties: false } as const;
}

export const projectParams = params('projectId');

/** The query schema of a list route: limit/cursor/sort and the route's own filters. */
export function pageQuery(filters: Record<string, object> = {}) {
  return { type: 'object', properties: { ...pageQuerySchema, ...filters }, additionalProperties: false } as const;
}

export const okResponse = { type: 'object', properties: { ok: { type: 'boolean' } } } as const;

/** The `{ ok: true }` answer of a change that returns nothing, once it is done. */
export async function ok(done: Promise<unknown>): Promise<{ ok: true }> {
  await done;
  return { ok: true };
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** One route's declaration; `tag` and `scope` default to its group's. */
export interface RouteSpec {
  /** The action the auth hook checks (src/core/auth/actions.ts). */
  action: string;
  scope?: Scope;
  /** The audit event of a state change. */
  event?: string;
  tag?: string;
  summary: string;
  params?: object;
  querystring?: object;
  body?: object;
  /** Response schemas; a route without one gets its entry of ../responses.ts. */
  response?: Record<number, object>;
  bodyLimit?: number;
  rateLimit?: { max: number; timeWindow: string };
  /** The success status when it is not 200 (201 created, 202 accepted). */
  status?: 201 | 202;
}

/** The one service call of a route (and what little shaping its answer needs). */
export type RouteHandler<G extends RouteGenericInterface> = (req: FastifyRequest<G>, reply: FastifyReply) => unknown;

/** Declares a group's routes: `route<{ Params: …; Body: … }>('POST /api/v1/…', spec, handler)`. */
export function routes(app: FastifyInstance, group: { tag: string; scope: Scope }) {
  return <G extends RouteGenericInterface = RouteGenericInterface>(route: `${Method} /${string}`, r: RouteSpec, h: RouteHandler<G>): void => {
    const [method, url] = route.split(' ') as [Method, string];
    const schema = Object.fromEntries(
      Object.entries({
        tags: [r.tag ?? group.tag],
        summary: r.summary,
        params: r.params,
        querystring: r.querystring,
        body: r.body,
        response: r.response,
      }).filter(([, v]) => v !== undefined),
    );
    const status = r.status;
    const handler = h as (req: FastifyRequest, reply: FastifyReply) => unknown;
    app.route({
      method,
      url,
      config: { action: r.action, scope: r.scope ?? group.scope, ...(r.event ? { event: r.event } : {}), ...(r.rateLimit ? { rateLimit: r.rateLimit } : {}) },
      ...(r.bodyLimit ? { bodyLimit: r.bodyLimit } : {}),
      schema,
      handler: status ? async (req, reply) => reply.code(status).send(await handler(req, reply)) : async (req, reply) => handler(req, reply),
    });
  };
}

/** The type of a route's path parameters: `Ids<'projectId' | 'imageId'>`. */
export type Ids<K extends string> = { [k in K]: string };

type Route = ReturnType<typeof routes>;

/**
 * The routes every object kind of a project has, at
 * `/api/v1/projects/:projectId/<plural>/:<kind>Id` with the actions
 * `<kind>:read|create|delete`: list, read one, add one (201), remove one. Declare
 * them in the order the group lists them (the order of the OpenAPI paths).
 */
export function projectObjects(route: Route, kind: string, plural: string) {
  const id = `${kind}Id`;
  const one = `/api/v1/projects/:projectId/${plural}/:${id}` as const;
  const oneParams = params('projectId', id);
  type P = { Params: Record<string, string> };
  return {
    params: oneParams,
    list<Q = object>(summary: string, list: (projectId: string, query: PageQuery & Q) => unknown, filters?: Record<string, object>): void {
      route<P & { Querystring: PageQuery & Q }>(
        `GET /api/v1/projects/:projectId/${plural}`,
        { action: `${kind}:read`, summary, params: projectParams, querystring: pageQuery(filters) },
        (req) => list(req.params.projectId!, req.query as PageQuery & Q),
      );
    },
    read(summary: string, read: (projectId: string, id: string) => unknown): void {
      route<P>(`GET ${one}`, { action: `${kind}:read`, summary, params: oneParams }, (req) => read(req.params.projectId!, req.params[id]!));
    },
    add<B>(spec: { event: string; summary: string; body: object }, add: (caller: Caller, projectId: string, body: B) => unknown): void {
      route<P & { Body: B }>(`POST /api/v1/projects/:projectId/${plural}`, { action: `${kind}:create`, ...spec, params: projectParams, status: 201 }, (req) =>
        add(callerOf(req), req.params.projectId!, req.body as B),
      );
    },
    remove(spec: { event: string; summary: string }, remove: (caller: Caller, projectId: string, id: string) => Promise<unknown>): void {
      route<P>(`DELETE ${one}`, { action: `${kind}:delete`, ...spec, params: oneParams }, (req) =>
        ok(remove(callerOf(req), req.params.projectId!, req.params[id]!)),
      );
    },
  };
}
