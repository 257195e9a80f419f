// registry:HOST[:PORT]/REPO[:TAG|@DIGEST]: a Docker Registry v2 (docs/registry.md).
import type { ImageSourceModule } from '../source-module.js';

export default {
  id: 'registry',
  version: 1,
  syntax: 'registry:HOST/REPO[:TAG|@DIGEST]',
  summary: 'an image in a Docker Registry v2',
  docs: 'docs/registry.md',
  async open(_rest, ref, opts) {
    // Loaded only when used: keeps local scans free of the HTTP client.
    const mod = await import('../registry/index.js');
    return mod.openRegistryImage(ref, opts);
  },
} satisfies ImageSourceModule;
