// rootfs:DIR: an unpacked root filesystem, read as one layer. Any directory
// that no other source claims is a root filesystem.
import { openRootfs } from '../rootfs.js';
import type { ImageSourceModule } from '../source-module.js';

export default {
  id: 'rootfs',
  version: 1,
  syntax: 'rootfs:DIR',
  summary: 'an unpacked root filesystem, read as one layer',
  docs: 'docs/images.md#image-references',
  detect: { kind: 'directory', order: 1000, describe: 'a root filesystem (any directory)', test: () => true },
  open(rest, ref, opts) {
    return openRootfs(rest, ref, opts);
  },
} satisfies ImageSourceModule;
