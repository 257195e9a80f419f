// oci-archive:PATH[:TAG]: an OCI image layout packed as a tar.
import { existingPathAndTag, type ImageSourceModule } from '../source-module.js';

export default {
  id: 'oci-archive',
  version: 1,
  syntax: 'oci-archive:PATH',
  summary: 'an OCI image layout packed as a tar',
  docs: 'docs/images.md#image-references',
  detect: { kind: 'tar', order: 20, describe: 'an OCI archive (index.json)', test: (p) => p.has('index.json') || p.has('oci-layout') },
  async open(rest, ref, opts) {
    const { openOciArchive } = await import('../oci-archive.js'); // loaded when used: help texts load only this file
    const { path, tag } = existingPathAndTag(rest, ref);
    return openOciArchive(path, tag, ref, opts);
  },
} satisfies ImageSourceModule;
