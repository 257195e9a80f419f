// Serves the web console (the Vite build in dist/web) at `/`: hashed assets
// under /assets/ with a one-year immutable cache, brotli or gzip when the
// browser accepts it (compressed at build time), index.html (no-cache) for
// `/` and every client route of the console (SPA fallback). Only these
// paths are public; the API stays under /api with its own auth, and any
// other unknown URL keeps answering as before (401/404 JSON).
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/** dist/web relative to this module: the same from src/node/server and dist/node/server. */
export const DEFAULT_CONSOLE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'dist', 'web');

/** The console's client routes (web/src/App.tsx NAV and /login). */
export const CONSOLE_ROUTES = ['login', 'overview', 'images', 'alerts', 'policies', 'registries', 'clusters', 'audit', 'users', 'settings'];

const PUBLIC = { action: 'public:console', scope: 'public' } as const;

export async function registerConsole(app: FastifyInstance, dir: string = DEFAULT_CONSOLE_DIR): Promise<void> {
  const built = existsSync(resolve(dir, 'index.html'));
  // preCompressed: the build's NAME.br / NAME.gz copies go to browsers that accept them (web/vite.config.mjs).
  await app.register(fastifyStatic, { root: built ? dir : process.cwd(), serve: false, decorateReply: true, preCompressed: true });
  const index = async (_req: unknown, reply: import('fastify').FastifyReply) => {
    if (!built) return reply.code(404).type('text/plain; charset=utf-8').send('The web console is not built: run `npm run build:web` (npm install does it).\n');
    return reply.header('cache-control', 'no-cache').sendFile('index.html', dir, { cacheControl: false });
  };
  app.get('/', { config: PUBLIC, schema: { hide: true } }, index);
  for (const r of CONSOLE_ROUTES) {
    app.get(`/${r}`, { config: PUBLIC, schema: { hide: true } }, index);
    app.get(`/${r}/*`, { config: PUBLIC, schema: { hide: true } }, index);
  }
  app.get<{ Params: { '*': string } }>('/assets/*', { config: PUBLIC, schema: { hide: true } }, async (req, reply) => {
    const name = req.params['*'];
    // Vite's output names: [name]-[hash].[ext] in one flat folder; anything else is not ours.
    if (!built || !/^[A-Za-z0-9._-]+$/.test(name) || name.startsWith('.')) return reply.code(404).send({ error: 'NOT_FOUND', message: `no asset ${name}` });
    // vary: the body depends on accept-encoding (the precompressed copies), so shared caches key on it.
    return reply
      .header('cache-control', 'public, max-age=31536000, immutable')
      .header('vary', 'accept-encoding')
      .sendFile(`assets/${name}`, dir, { cacheControl: false });
  });
  app.get('/favicon.svg', { config: PUBLIC, schema: { hide: true } }, async (_req, reply) => {
    if (!built) return reply.code(404).send({ error: 'NOT_FOUND', message: 'no favicon' });
    return reply.header('cache-control', 'public, max-age=86400').sendFile('favicon.svg', dir, { cacheControl: false });
  });
}
