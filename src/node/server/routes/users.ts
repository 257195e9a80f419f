// Users and role bindings (Administrator domain) and the caller's own API
// tokens (shown once, stored hashed, expiring, revocable). The work is in
// services/users.ts.
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import { ROLES } from '../../../core/auth/policy.js';
import * as users from '../../services/users.js';
import { pageQuerySchema, type PageQuery } from '../list-query.js';
import { callerOf } from '../auth-hook.js';
import { ID, ok, params } from './common.js';

const passwordSchema = {
  type: 'string',
  minLength: 8,
  maxLength: 256,
  description: 'NIST SP 800-63B rules: at least 8 characters, not a common password (docs/server.md)',
} as const;

export function registerUserRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get<{ Querystring: PageQuery & { username?: string } }>(
    '/api/v1/users',
    {
      config: { action: 'user:read', scope: 'global' },
      schema: {
        tags: ['users'],
        summary: 'List users',
        querystring: { type: 'object', properties: { ...pageQuerySchema, username: { type: 'string', maxLength: 100 } }, additionalProperties: false },
      },
    },
    async (req) => users.listUsers(ctx, req.query),
  );

  app.post<{ Body: { username: string; password: string; role?: string; projectId?: string | null } }>(
    '/api/v1/users',
    {
      config: { action: 'user:create', scope: 'global', event: 'addUser' },
      schema: {
        tags: ['users'],
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
      },
    },
    async (req, reply) => reply.code(201).send(await users.addUser(ctx, callerOf(req), req.body)),
  );

  app.get<{ Params: { userId: string } }>(
    '/api/v1/users/:userId',
    {
      config: { action: 'user:read', scope: 'global' },
      schema: { tags: ['users'], summary: 'Read a user', params: params('userId') },
    },
    async (req) => users.getUser(ctx, req.params.userId),
  );

  app.patch<{ Params: { userId: string }; Body: { password?: string; disabled?: boolean } }>(
    '/api/v1/users/:userId',
    {
      config: { action: 'user:update', scope: 'global', event: 'modifyUser' },
      schema: {
        tags: ['users'],
        summary: 'Change a password or disable a user',
        params: params('userId'),
        body: { type: 'object', properties: { password: passwordSchema, disabled: { type: 'boolean' } }, additionalProperties: false, minProperties: 1 },
      },
    },
    async (req) => ok(users.updateUser(ctx, callerOf(req), req.params.userId, req.body)),
  );

  app.delete<{ Params: { userId: string } }>(
    '/api/v1/users/:userId',
    {
      config: { action: 'user:delete', scope: 'global', event: 'deleteUser' },
      schema: { tags: ['users'], summary: 'Delete a user', params: params('userId') },
    },
    async (req) => ok(users.deleteUser(ctx, callerOf(req), req.params.userId)),
  );

  app.get<{ Params: { userId: string } }>(
    '/api/v1/users/:userId/bindings',
    {
      config: { action: 'rolebinding:read', scope: 'global' },
      schema: { tags: ['users'], summary: 'List role bindings of a user', params: params('userId') },
    },
    async (req) => users.listBindings(ctx, req.params.userId),
  );

  app.post<{ Params: { userId: string }; Body: { role: string; projectId?: string | null; actions?: string[] } }>(
    '/api/v1/users/:userId/bindings',
    {
      config: { action: 'rolebinding:create', scope: 'global', event: 'addRoleBinding' },
      schema: {
        tags: ['users'],
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
      },
    },
    async (req, reply) => reply.code(201).send(await users.addBinding(ctx, callerOf(req), req.params.userId, req.body)),
  );

  app.delete<{ Params: { userId: string; bindingId: string } }>(
    '/api/v1/users/:userId/bindings/:bindingId',
    {
      config: { action: 'rolebinding:delete', scope: 'global', event: 'deleteRoleBinding' },
      schema: { tags: ['users'], summary: 'Remove a role binding', params: params('userId', 'bindingId') },
    },
    async (req) => ok(users.deleteBinding(ctx, callerOf(req), req.params.userId, req.params.bindingId)),
  );

  // --- own API tokens
  app.get(
    '/api/v1/tokens',
    {
      config: { action: 'token:read', scope: 'self' },
      schema: { tags: ['tokens'], summary: 'List your API tokens (never their secrets)' },
    },
    async (req) => users.listTokens(ctx, req.auth!.userId),
  );

  app.post<{ Body: { name: string; expiresInDays?: number } }>(
    '/api/v1/tokens',
    {
      config: { action: 'token:create', scope: 'self', event: 'createToken' },
      schema: {
        tags: ['tokens'],
        summary: 'Create an API token; the secret is in this response only',
        body: {
          type: 'object',
          properties: { name: { type: 'string', minLength: 1, maxLength: 100 }, expiresInDays: { type: 'integer', minimum: 1, maximum: 3650, default: 90 } },
          required: ['name'],
          additionalProperties: false,
        },
      },
    },
    async (req, reply) => reply.code(201).send(await users.createToken(ctx, callerOf(req), req.body)),
  );

  app.delete<{ Params: { tokenId: string } }>(
    '/api/v1/tokens/:tokenId',
    {
      config: { action: 'token:delete', scope: 'self', event: 'revokeToken' },
      schema: { tags: ['tokens'], summary: 'Revoke one of your API tokens', params: params('tokenId') },
    },
    async (req) => ok(users.revokeToken(ctx, callerOf(req), req.params.tokenId)),
  );
}
