// Registry sync (seed event syncSwrPrivateImage), its network half: list the
// repositories and tags of a registry through the v2 API and resolve each
// tag's manifest digest. services/registries.ts (syncRegistry) upserts the
// images and queues scans of new digests.
import type { ListedImage, RegistryAccess } from '../services/registries.js';
import type { OpenImageOptions } from '../image/types.js';

export interface SyncLimits {
  maxRepositories?: number;
  maxTagsPerRepository?: number;
}

/** `guard`: the server's image policy options (outbound guard, no remote text in errors). */
export async function listRegistryImages(r: RegistryAccess, limits: SyncLimits = {}, guard: Partial<OpenImageOptions> = {}): Promise<ListedImage[]> {
  const { listRepositories, listTags, getManifestDigest } = await import('../image/registry/index.js');
  const opts = { ...guard, username: r.username, password: r.password, insecure: r.insecure, env: {} as NodeJS.ProcessEnv, dockerConfigPath: '/dev/null' };
  const repos = (await listRepositories(r.host, { ...opts, maxEntries: limits.maxRepositories ?? 10_000 })).sort();
  const out: ListedImage[] = [];
  for (const repo of repos) {
    const tags = (await listTags(r.host, repo, { ...opts, maxEntries: limits.maxTagsPerRepository ?? 10_000 })).sort();
    for (const tag of tags) {
      const digest = await getManifestDigest(`${r.host}/${repo}:${tag}`, opts);
      out.push({ repository: repo, tag, digest });
    }
  }
  return out;
}
