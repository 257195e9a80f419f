// docker-archive:PATH[:REPO:TAG|:@N]: a `docker save` tarball (both layouts).
import { existingPathAndTag, type ImageSourceModule } from '../source-module.js';

export default {
  id: 'docker-archive',
  version: 1,
  syntax: 'docker-archive:PATH',
  summary: 'a `docker save` tarball (classic and Docker 25+ layouts)',
  docs: 'docs/images.md#image-references',
  detect: { kind: 'tar', order: 10, describe: 'a docker-archive (manifest.json)', test: (p) => p.has('manifest.json') },
  async open(rest, ref, opts) {
    const { openDockerArchive } = await import('../docker-archive.js'); // loaded when used: help texts load only this file
    const { path, tag } = existingPathAndTag(rest, ref);
    return openDockerArchive(path, tag, ref, opts);
  },
} satisfies ImageSourceModule;
