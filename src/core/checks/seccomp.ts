// Check `seccomp`: seccomp explicitly unconfined.
import type { EnvCheck } from './spec.js';

export const seccompCheck: EnvCheck = {
  id: 'seccomp',
  version: 1,
  kind: 'security-option',
  title: 'Seccomp unconfined',
  run: (s) =>
    s.seccomp?.toLowerCase() === 'unconfined'
      ? [{ check: 'seccomp', kind: 'security-option', severity: 'medium', detail: 'seccomp=unconfined (no system call filtering)' }]
      : [],
};
