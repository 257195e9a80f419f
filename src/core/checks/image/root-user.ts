// Check `image-root-user`: the image sets no USER (or user 0), so containers run as root.
import type { ImageCheck } from './types.js';

export const rootUserCheck: ImageCheck = {
  id: 'image-root-user',
  severity: 'medium',
  title: 'Image runs as root',
  rationale: 'A process that runs as root in the container is root on the host as soon as it escapes the container, and can change everything inside it.',
  remedy: 'Create an unprivileged user in the Dockerfile and switch to it with USER (e.g. `USER 10001`).',
  cis: '4.1',
  run: (i) => {
    const user = (i.config.config?.User ?? '').trim();
    const name = user.split(':')[0] ?? '';
    if (user === '') return [{ detail: 'no USER: the image runs as root' }];
    if (name === 'root' || name === '0') return [{ detail: `USER ${user}` }];
    return [];
  },
};
