// Falco priorities and their mapping to Vigil severities (docs/rules.md):
// EMERGENCY/ALERT/CRITICAL -> critical, ERROR -> high, WARNING -> medium,
// NOTICE/INFORMATIONAL -> low, DEBUG -> info.
import type { Severity } from '../alerts/types.js';

export const PRIORITIES = ['EMERGENCY', 'ALERT', 'CRITICAL', 'ERROR', 'WARNING', 'NOTICE', 'INFORMATIONAL', 'DEBUG'] as const;
export type Priority = (typeof PRIORITIES)[number];

/** Normalise a priority as written (`warning`, `INFO`, `Notice`); undefined when invalid. */
export function parsePriority(s: unknown): Priority | undefined {
  if (typeof s !== 'string') return undefined;
  const u = s.trim().toUpperCase();
  if (u === 'INFO') return 'INFORMATIONAL';
  return (PRIORITIES as readonly string[]).includes(u) ? (u as Priority) : undefined;
}

export function severityOfPriority(p: Priority): Severity {
  switch (p) {
    case 'EMERGENCY':
    case 'ALERT':
    case 'CRITICAL':
      return 'critical';
    case 'ERROR':
      return 'high';
    case 'WARNING':
      return 'medium';
    case 'NOTICE':
    case 'INFORMATIONAL':
      return 'low';
    case 'DEBUG':
      return 'info';
  }
}
