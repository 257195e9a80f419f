// Field family `container.*`: the container of the process (`host` when the
// process runs on the host, as Falco's container.id).
import type { ContainerInfo } from '../../events/event.js';
import { field, syscallFamily } from './helpers.js';

const SHORT = Symbol('vigil.shortId');

/** Falco prints 12-hex container ids; cached on the container object (shared by its events). */
function shortId(c: ContainerInfo | undefined): string {
  if (!c || c.id === 'host') return 'host';
  const x = c as ContainerInfo & { [SHORT]?: string };
  return (x[SHORT] ??= c.id.slice(0, 12));
}

export const containerFields = syscallFamily('container', [
  field('container.id', 'string', 'Container id (12 hex as Falco prints it), or `host`.', (e) => shortId(e.container)),
  field('container.full_id', 'string', 'Full 64-hex container id, or `host`.', (e) => e.container?.id ?? 'host'),
  field('container.name', 'string', 'Container name.', (e) => (e.container ? e.container.name : 'host')),
  field('container.image', 'string', 'Full image reference.', (e) => e.container?.image),
  field('container.image.repository', 'string', 'Image repository (`docker.io/library/nginx`).', (e) => e.container?.imageRepository),
  field('container.image.tag', 'string', 'Image tag.', (e) => e.container?.imageTag),
  field('container.image.digest', 'string', 'Image digest.', (e) => e.container?.imageDigest),
  field('container.privileged', 'bool', 'Runs privileged.', (e) => e.container?.privileged),
  field('container.mount.source', 'strings', "Host sources of the container's mounts.", (e) => e.container?.mounts?.map((m) => m.source)),
  field('container.mount.dest', 'strings', "Destinations of the container's mounts.", (e) => e.container?.mounts?.map((m) => m.destination)),
]);
