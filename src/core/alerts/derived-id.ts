// Alert IDs derived from what the alert is about (the node, the container
// start, the check), for alerts that are raised again when the same state is
// looked at again (an agent restart, a new inventory): the server stores each
// ID once per project, so the second look stores nothing.
import { createHash } from 'node:crypto';

/** A stable alert ID (UUID form) from its parts. */
export function derivedAlertId(...parts: string[]): string {
  const h = createHash('sha256').update(parts.join('\u0000')).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}
