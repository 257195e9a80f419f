// oci:DIR[:TAG]: an OCI image layout directory.
import { existingPathAndTag, type ImageSourceModule } from '../source-module.js';

export default {
  id: 'oci',
  version: 1,
  syntax: 'oci:DIR[:TAG]',
  summary: 'an OCI image layout directory',
  docs: 'docs/images.md#image-references',
  detect: { kind: 'directory', order: 10, describe: 'an OCI layout (index.json and oci-layout)', test: (p) => p.has('index.json') && p.has('oci-layout') },
  async open(rest, ref, opts) {
    const { openOciDir } = await import('../oci.js'); // loaded when used: help texts load only this file
    const { path, tag } = existingPathAndTag(rest, ref);
    return openOciDir(path, tag, ref, opts);
  },
} satisfies ImageSourceModule;
