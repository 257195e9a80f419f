// docker-daemon:NAME: an image of the local Docker Engine, read through its API (no docker CLI).
import type { ImageSourceModule } from '../source-module.js';

export default {
  id: 'docker-daemon',
  version: 1,
  syntax: 'docker-daemon:NAME',
  summary: "an image of the local Docker Engine (its API's `docker save` stream; DOCKER_HOST)",
  docs: 'docs/images.md#docker-engine-images',
  async open(rest, ref, opts) {
    const { openDaemonImage } = await import('../docker-daemon.js'); // loaded when used: help texts load only this file
    return openDaemonImage(rest, ref, opts);
  },
} satisfies ImageSourceModule;
