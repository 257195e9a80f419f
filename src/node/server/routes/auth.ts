// Login (rate limited, public), logout and "who am I".
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import { login, logout } from '../../services/auth.js';
import { actorOf, callerOf } from '../auth-hook.js';
import { routes } from './common.js';

export function registerAuthRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const route = routes(app, { tag: 'auth', scope: 'self' });
  route<{ Body: { username: string; password: string } }>(
    'POST /api/v1/auth/login',
    {
      action: 'public:login',
      scope: 'public',
      rateLimit: { max: ctx.config.loginRateLimit, timeWindow: '1 minute' },
      summary: 'Log in with a local user; returns a session token (Bearer)',
      body: {
        type: 'object',
        properties: { username: { type: 'string', minLength: 1, maxLength: 100 }, password: { type: 'string', minLength: 1, maxLength: 200 } },
        required: ['username', 'password'],
        additionalProperties: false,
      },
    },
    (req) => login(ctx, actorOf(req), req.body.username, req.body.password, ctx.config.sessionTtlHours),
  );
  route('POST /api/v1/auth/logout', { action: 'session:self', event: 'logout', summary: 'Revoke the token of this request' }, (req) =>
    logout(ctx, callerOf(req), req.auth!.tokenId),
  );
  route('GET /api/v1/auth/me', { action: 'session:self', summary: 'The authenticated user and their role bindings' }, (req) => ({
    userId: req.auth!.userId,
    username: req.auth!.username,
    tokenKind: req.auth!.tokenKind,
    bindings: req.auth!.bindings,
  }));
}
