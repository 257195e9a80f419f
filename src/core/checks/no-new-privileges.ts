// Check `no-new-privileges`: privilege escalation explicitly allowed
// (Docker `no-new-privileges:false`, Kubernetes `allowPrivilegeEscalation: true`).
import type { EnvCheck } from './spec.js';

export const noNewPrivilegesCheck: EnvCheck = {
  id: 'no-new-privileges',
  version: 1,
  kind: 'security-option',
  title: 'Privilege escalation allowed',
  run(s) {
    if (s.allowPrivilegeEscalation === true)
      return [
        {
          check: 'no-new-privileges',
          kind: 'security-option',
          severity: 'medium',
          detail: 'allowPrivilegeEscalation: true (setuid binaries can gain privileges)',
        },
      ];
    if (s.noNewPrivileges === false)
      return [
        { check: 'no-new-privileges', kind: 'security-option', severity: 'medium', detail: 'no-new-privileges: false (setuid binaries can gain privileges)' },
      ];
    return [];
  },
};
