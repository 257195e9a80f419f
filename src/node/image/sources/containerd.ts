// containerd:[NAMESPACE=]NAME: an image of the node's containerd, read from its content store.
import type { ImageSourceModule } from '../source-module.js';

export default {
  id: 'containerd',
  version: 1,
  syntax: 'containerd:[NAMESPACE=]NAME',
  summary: "an image of the local containerd (its content store; CONTAINERD_ADDRESS, namespace CONTAINERD_NAMESPACE or 'default')",
  docs: 'docs/images.md#containerd-images',
  async open(rest, ref, opts) {
    const { openContainerdImage } = await import('../containerd.js'); // loaded when used: help texts load only this file
    return openContainerdImage(rest, ref, opts);
  },
} satisfies ImageSourceModule;
