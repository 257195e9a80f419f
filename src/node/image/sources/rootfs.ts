// rootfs:DIR: an unpacked root filesystem, read as one layer. Any directory
// that no other source claims is a root filesystem.
import type { ImageSourceModule } from '../source-module.js';

export default {
  id: 'rootfs',
  version: 1,
  syntax: 'rootfs:DIR',
  summary: 'an unpacked root filesystem, read as one layer',
  docs: 'docs/images.md#image-references',
  detect: { kind: 'directory', order: 1000, describe: 'a root filesystem (any directory)', test: () => true },
  async open(rest, ref, opts) {
    const { openRootfs } = await import('../rootfs.js'); // loaded when used: help texts load only this file
    return openRootfs(rest, ref, opts);
  },
} satisfies ImageSourceModule;
