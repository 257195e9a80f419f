// `--listen HOST:PORT` of the commands that serve (k8s webhook, admission webhook).
import { UsageError } from './exit.js';

/** `HOST:PORT`, `[::1]:PORT` or `:PORT` (all addresses); a usage error otherwise. */
export function parseListen(v: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(v);
  if (!m) throw new UsageError(`--listen must be HOST:PORT, not ${v}`);
  const port = Number(m[3]);
  if (port > 65535) throw new UsageError(`--listen port out of range: ${v}`);
  return { host: m[1] ?? (m[2] || '0.0.0.0'), port };
}
