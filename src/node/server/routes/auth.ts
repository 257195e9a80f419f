// Login (rate limited, public), logout and "who am I".
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import { login, logout } from '../../services/auth.js';
import { actorOf, callerOf } from '../auth-hook.js';

export function registerAuthRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.post<{ Body: { username: string; password: string } }>(
    '/api/v1/auth/login',
    {
      config: { action: 'public:login', scope: 'public', rateLimit: { max: ctx.config.loginRateLimit, timeWindow: '1 minute' } },
      schema: {
        tags: ['auth'],
        summary: 'Log in with a local user; returns a session token (Bearer)',
        body: {
          type: 'object',
          properties: { username: { type: 'string', minLength: 1, maxLength: 100 }, password: { type: 'string', minLength: 1, maxLength: 200 } },
          required: ['username', 'password'],
          additionalProperties: false,
        },
        response: {
          200: {
            type: 'object',
            properties: { token: { type: 'string' }, expiresAt: { type: 'string' }, userId: { type: 'string' } },
            required: ['token', 'expiresAt', 'userId'],
          },
        },
      },
    },
    async (req) => login(ctx, actorOf(req), req.body.username, req.body.password, ctx.config.sessionTtlHours),
  );

  app.post(
    '/api/v1/auth/logout',
    {
      config: { action: 'session:self', scope: 'self', event: 'logout' },
      schema: { tags: ['auth'], summary: 'Revoke the token of this request' },
    },
    async (req) => logout(ctx, callerOf(req), req.auth!.tokenId),
  );

  app.get(
    '/api/v1/auth/me',
    {
      config: { action: 'session:self', scope: 'self' },
      schema: { tags: ['auth'], summary: 'The authenticated user and their role bindings' },
    },
    async (req) => ({ userId: req.auth!.userId, username: req.auth!.username, tokenKind: req.auth!.tokenKind, bindings: req.auth!.bindings }),
  );
}
