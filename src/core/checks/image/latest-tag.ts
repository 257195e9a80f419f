// Check `image-latest-tag`: the base image (org.opencontainers.image.base.name) or the image itself is `latest` or untagged.
import type { ImageCheck } from './types.js';

function unpinned(ref: string): boolean {
  if (ref.includes('@sha256:')) return false;
  const last = ref.slice(ref.lastIndexOf('/') + 1);
  const colon = last.lastIndexOf(':');
  return colon < 0 || last.slice(colon + 1) === 'latest';
}

export const latestTagCheck: ImageCheck = {
  id: 'image-latest-tag',
  severity: 'low',
  title: 'Base image is `latest` or has no tag',
  rationale: '`latest` moves: rebuilding the image silently picks up another base, so builds are not reproducible and a bad base spreads unnoticed.',
  remedy: 'Pin the base image in FROM by version tag and digest (FROM debian:12.5@sha256:...).',
  cis: '4.2',
  *run(i) {
    const labels = i.config.config?.Labels ?? {};
    const base = labels['org.opencontainers.image.base.name'];
    if (typeof base === 'string' && base !== '' && unpinned(base)) yield { detail: `base image ${base}` };
    for (const t of i.repoTags ?? []) if (unpinned(t)) yield { detail: `image tag ${t}` };
  },
};
