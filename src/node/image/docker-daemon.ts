// Images of the local Docker Engine (`docker-daemon:NAME`): the engine's
// `GET /images/get?names=NAME` (the `docker save` tar stream) through its unix
// socket (../docker/engine-api.ts: DOCKER_HOST or /var/run/docker.sock),
// written to a private temporary file, bounded by the image size limit, and
// read as a docker-archive; the file goes when the image is closed.
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { InputError, LimitError } from '../../core/errors.js';
import type { Image } from '../../core/image/types.js';
import { DockerEngine, dockerSocketPath, engineMessage } from '../docker/engine-api.js';
import { openDockerArchive } from './docker-archive.js';
import { resolveLimits } from '../../core/image/limits.js';
import type { OpenImageOptions } from './types.js';

/** A reference or an image ID as the engine names images; nothing that could change the request. */
const NAME = /^(?:sha256:[0-9a-f]{64}|[a-z0-9][a-z0-9._/-]{0,254}(?::[A-Za-z0-9_][A-Za-z0-9._-]{0,127})?(?:@sha256:[0-9a-f]{64})?)$/;

/** The tar's own overhead over the image bytes (headers, manifest, configs). */
const TAR_SLACK = 64 * 1024 * 1024;

export async function openDaemonImage(name: string, ref: string, opts: OpenImageOptions = {}): Promise<Image> {
  if (!NAME.test(name) || name.includes('..') || name.includes('//'))
    throw new InputError('IMAGE_REF_INVALID', 'expected docker-daemon:NAME[:TAG] or docker-daemon:sha256:<image id>', ref);
  const limits = resolveLimits(opts.limits);
  const socket = dockerSocketPath(opts.dockerSocket);
  const engine = new DockerEngine({ socketPath: socket, timeoutMs: 30_000 });
  const where = `${ref} (docker ${socket})`;
  const res = await engine.open(`/images/get?names=${encodeURIComponent(name)}`, { timeoutMs: 30_000 });
  if (res.statusCode !== 200) {
    const chunks: Buffer[] = [];
    let n = 0;
    for await (const c of res as AsyncIterable<Buffer>) if ((n += c.length) <= 4096) chunks.push(c);
    const msg = engineMessage(Buffer.concat(chunks).toString('utf8'));
    if (res.statusCode === 404) throw new InputError('IMAGE_NOT_FOUND', `no such image in the Docker Engine (${msg})`, where);
    throw new InputError('DOCKER_HTTP', `HTTP ${res.statusCode}: ${msg}`, where);
  }
  const dir = await mkdtemp(join(tmpdir(), 'vigil-docker-daemon-'));
  const file = join(dir, 'image.tar');
  const max = limits.maxImageBytes + TAR_SLACK;
  let size = 0;
  const bound = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      size += chunk.length;
      if (size > max) cb(new LimitError('LIMIT_IMAGE_SIZE', `image exceeds ${max} bytes`, where));
      else cb(null, chunk);
    },
  });
  try {
    await pipeline(res, bound, createWriteStream(file, { mode: 0o600 }));
    const image = await openDockerArchive(file, undefined, ref, opts);
    const close = image.close.bind(image);
    image.close = async () => {
      try {
        await close();
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    };
    return image;
  } catch (e) {
    await rm(dir, { recursive: true, force: true });
    if (e instanceof InputError) throw e;
    throw new InputError('DOCKER_UNREACHABLE', `reading the image stream: ${(e as Error).message}`, where);
  }
}
