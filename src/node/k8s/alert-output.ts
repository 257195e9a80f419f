// Writing cluster alerts: JSON lines (the architecture's Alerts shape) or a
// table row per alert for people at a terminal.
import type { Alert } from '../../core/alerts/types.js';

export type AlertFormat = 'json' | 'table';

export function parseAlertFormat(v: unknown): AlertFormat {
  if (v === undefined || v === 'table') return 'table';
  if (v === 'json') return 'json';
  throw new Error(`--format must be table or json, not ${String(v)}`);
}

const pad = (s: string, n: number) => (s.length >= n ? s.slice(0, n) : s + ' '.repeat(n - s.length));

export function tableHeader(): string {
  return `${pad('TIME', 24)} ${pad('TYPE', 24)} ${pad('SEVERITY', 8)} ${pad('USER', 28)} ${pad('VERB', 10)} ${pad('OBJECT', 40)} MESSAGE\n`;
}

export function formatAlert(a: Alert, format: AlertFormat): string {
  if (format === 'json') return `${JSON.stringify(a)}\n`;
  const k = a.k8s ?? {};
  const obj =
    [k.resource, k.subresource].filter(Boolean).join('/') +
    (k.name ? ` ${k.namespace ? `${k.namespace}/` : ''}${k.name}` : k.namespace ? ` ns=${k.namespace}` : '');
  return `${pad(a.time, 24)} ${pad(a.type, 24)} ${pad(a.severity, 8)} ${pad(k.user ?? '', 28)} ${pad(k.verb ?? '', 10)} ${pad(obj, 40)} ${a.message.replace(/\s+/g, ' ')}\n`;
}
