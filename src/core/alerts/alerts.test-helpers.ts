// Test helper: the reverse-shell alert the store, API, console and notifier
// tests send, number i at second i of 2026-01-01 (UTC) unless `over` says
// otherwise.
import type { Alert } from './types.js';

export function shellAlert(id: string, i: number, over: Partial<Alert> | Record<string, unknown> = {}): Alert {
  return {
    id,
    type: 'system/reverse-shell',
    severity: 'critical',
    time: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
    message: `shell ${i}`,
    rule: 'Reverse shell',
    host: 'node-1',
    container: { id: 'c'.repeat(64) },
    ...over,
  } as Alert;
}
