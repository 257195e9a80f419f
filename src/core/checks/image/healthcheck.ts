// Check `image-no-healthcheck`: the image config has no HEALTHCHECK.
import type { ImageCheck } from './types.js';

export const healthcheckCheck: ImageCheck = {
  id: 'image-no-healthcheck',
  severity: 'low',
  title: 'No HEALTHCHECK',
  rationale: 'Without a health check the engine cannot tell a hung service from a working one, so it is neither restarted nor taken out of service.',
  remedy: "Add a HEALTHCHECK instruction that probes the service (or rely on the orchestrator's probes and document it).",
  cis: '4.6',
  run: (i) => {
    const hc = i.config.config?.Healthcheck as { Test?: unknown } | undefined;
    const test = Array.isArray(hc?.Test) ? hc.Test : undefined;
    if (!test || test.length === 0) return [{ detail: 'no HEALTHCHECK in the image config' }];
    if (test[0] === 'NONE') return [{ detail: 'HEALTHCHECK NONE' }];
    return [];
  },
};
