// Users and role bindings (Administrator domain) and the caller's own API
// tokens (shown once, stored hashed, expiring, revocable). The work is in
// services/users.ts.
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import { ROLES } from '../../../core/auth/policy.js';
import * as users from '../../services/users.js';
import type { PageQuery } from '../list-query.js';
import { callerOf } from '../auth-hook.js';
import { ID, ok, pageQuery, params, routes, type Ids } from './common.js';

const passwordSchema = {
  type: 'string',
  minLength: 8,
  maxLength: 256,
  description: 'NIST SP 800-63B rules: at least 8 characters, not a common password (docs/server.md)',
} as const;

export function registerUserRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const route = routes(app, { tag: 'users', scope: 'global' });
  type One = { Params: Ids<'userId'> };

  route<{ Querystring: PageQuery & { username?: string } }>(
    'GET /api/v1/users',
    { action: 'user:read', summary: 'List users', querystring: pageQuery({ username: { type: 'string', maxLength: 100 } }) },
    (req) => users.listUsers(ctx, req.query),
  );
  route<{ Body: { username: string; password: string; role?: string; projectId?: string | null } }>(
    'POST /api/v1/users',
    {
      action: 'user:create',
      event: 'addUser',
      summary: 'Create a local user, optionally with a first role binding',
      body: {
        type: 'object',
        properties: {
          username: { type: 'string', minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9._@-]+$' },
          password: passwordSchema,
          role: { type: 'string', enum: ROLES.filter((r) => r !== 'Custom') },
          projectId: { anyOf: [ID, { type: 'null' }] },
        },
        required: ['username', 'password'],
        additionalProperties: false,
      },
      status: 201,
    },
    (req) => users.addUser(ctx, callerOf(req), req.body),
  );
  route<One>('GET /api/v1/users/:userId', { action: 'user:read', summary: 'Read a user', params: params('userId') }, (req) =>
    users.getUser(ctx, req.params.userId),
  );
  route<One & { Body: { password?: string; disabled?: boolean } }>(
    'PATCH /api/v1/users/:userId',
    {
      action: 'user:update',
      event: 'modifyUser',
      summary: 'Change a password or disable a user',
      params: params('userId'),
      body: { type: 'object', properties: { password: passwordSchema, disabled: { type: 'boolean' } }, additionalProperties: false, minProperties: 1 },
    },
    (req) => ok(users.updateUser(ctx, callerOf(req), req.params.userId, req.body)),
  );
  route<One>('DELETE /api/v1/users/:userId', { action: 'user:delete', event: 'deleteUser', summary: 'Delete a user', params: params('userId') }, (req) =>
    ok(users.deleteUser(ctx, callerOf(req), req.params.userId)),
  );
  route<One>('GET /api/v1/users/:userId/bindings', { action: 'rolebinding:read', summary: 'List role bindings of a user', params: params('userId') }, (req) =>
    users.listBindings(ctx, req.params.userId),
  );
  route<One & { Body: { role: string; projectId?: string | null; actions?: string[] } }>(
    'POST /api/v1/users/:userId/bindings',
    {
      action: 'rolebinding:create',
      event: 'addRoleBinding',
      summary: 'Bind a role (or a fine-grained policy: role Custom + actions) on one project or all (projectId null)',
      params: params('userId'),
      body: {
        type: 'object',
        properties: {
          role: { type: 'string', enum: [...ROLES] },
          projectId: { anyOf: [ID, { type: 'null' }] },
          actions: { type: 'array', items: { type: 'string', maxLength: 40 }, maxItems: 100 },
        },
        required: ['role'],
        additionalProperties: false,
      },
      status: 201,
    },
    (req) => users.addBinding(ctx, callerOf(req), req.params.userId, req.body),
  );
  route<{ Params: Ids<'userId' | 'bindingId'> }>(
    'DELETE /api/v1/users/:userId/bindings/:bindingId',
    { action: 'rolebinding:delete', event: 'deleteRoleBinding', summary: 'Remove a role binding', params: params('userId', 'bindingId') },
    (req) => ok(users.deleteBinding(ctx, callerOf(req), req.params.userId, req.params.bindingId)),
  );

  // --- own API tokens
  const token = routes(app, { tag: 'tokens', scope: 'self' });
  token('GET /api/v1/tokens', { action: 'token:read', summary: 'List your API tokens (never their secrets)' }, (req) =>
    users.listTokens(ctx, req.auth!.userId),
  );
  token<{ Body: { name: string; expiresInDays?: number } }>(
    'POST /api/v1/tokens',
    {
      action: 'token:create',
      event: 'createToken',
      summary: 'Create an API token; the secret is in this response only',
      body: {
        type: 'object',
        properties: { name: { type: 'string', minLength: 1, maxLength: 100 }, expiresInDays: { type: 'integer', minimum: 1, maximum: 3650, default: 90 } },
        required: ['name'],
        additionalProperties: false,
      },
      status: 201,
    },
    (req) => users.createToken(ctx, callerOf(req), req.body),
  );
  token<{ Params: Ids<'tokenId'> }>(
    'DELETE /api/v1/tokens/:tokenId',
    { action: 'token:delete', event: 'revokeToken', summary: 'Revoke one of your API tokens', params: params('tokenId') },
    (req) => ok(users.revokeToken(ctx, callerOf(req), req.params.tokenId)),
  );
}
