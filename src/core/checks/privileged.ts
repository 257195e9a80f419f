// Check `privileged`: the container runs with all capabilities and devices.
import type { EnvCheck } from './spec.js';

export const privilegedCheck: EnvCheck = {
  id: 'privileged',
  version: 1,
  kind: 'security-option',
  title: 'Privileged container',
  run: (s) =>
    s.privileged ? [{ check: 'privileged', kind: 'security-option', severity: 'high', detail: 'privileged: true (all capabilities, all host devices)' }] : [],
};
