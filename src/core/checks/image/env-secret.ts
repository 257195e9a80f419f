// Check `image-env-secret`: a secret in an ENV value (visible to anyone who can pull the image).
import type { ImageCheck } from './types.js';

export const envSecretCheck: ImageCheck = {
  id: 'image-env-secret',
  severity: 'high',
  title: 'Secret in an ENV variable',
  rationale: 'ENV values are stored in the image config: everyone who can pull the image (and `docker inspect` on every host) reads them.',
  remedy: 'Pass secrets at run time (orchestrator secrets, mounted files) or use build secrets (`RUN --mount=type=secret`); rotate the exposed secret.',
  cis: '4.10',
  run: (i) => {
    const env = i.config.config?.Env ?? [];
    const out = [];
    for (const s of i.configSecrets) {
      if (s.file !== 'config:env') continue;
      const e = env[s.line - 1];
      const name = typeof e === 'string' ? e.split('=')[0] : `#${s.line}`;
      out.push({ detail: `${name} (${s.ruleId})` });
    }
    return out;
  },
};
