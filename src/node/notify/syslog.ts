// Syslog delivery in RFC 5424 format over UDP (one message per datagram) or
// TCP (octet-counting framing of RFC 6587). Alert severities map to syslog
// severities; the alert's fields travel as structured data.
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { hostname } from 'node:os';
import { isIP } from 'node:net';
import type { OutboundGuard } from '../net/outbound.js';

export interface SyslogTarget {
  host: string;
  port: number;
  protocol: 'udp' | 'tcp';
  /** Syslog facility number (default 16, local0). */
  facility?: number;
  appName?: string;
}

const SEVERITY: Record<string, number> = { critical: 2, high: 3, medium: 4, low: 5, info: 6, unknown: 6 };
/** Our private enterprise-number-less SD-ID (RFC 5424 allows name@number; 32473 is the documentation number). */
const SD_ID = 'vigil@32473';

function sdEscape(v: string): string {
  return v.replace(/[\\"\]]/g, (c) => `\\${c}`);
}

function field(v: string | undefined, max: number): string {
  const s = (v ?? '').replace(/[^\x21-\x7e]/g, '');
  return s ? s.slice(0, max) : '-';
}

export function formatSyslog(t: SyslogTarget, severity: string, msgId: string, message: string, sd: Record<string, string>, time: Date): string {
  const pri = (t.facility ?? 16) * 8 + (SEVERITY[severity] ?? 6);
  const params = Object.entries(sd)
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `${k.replace(/[^\x21-\x7e]|[= \]"]/g, '').slice(0, 32)}="${sdEscape(String(v).slice(0, 1000))}"`);
  const sdText = params.length ? `[${SD_ID} ${params.join(' ')}]` : '-';
  return `<${pri}>1 ${time.toISOString()} ${field(hostname(), 255)} ${field(t.appName ?? 'vigil', 48)} ${field(String(process.pid), 128)} ${field(msgId, 32)} ${sdText} ${message.replace(/[\r\n]+/g, ' ')}`;
}

/** Sends one message; with the server's outbound guard the host is resolved and checked first and the message goes to the checked address. */
export async function sendSyslog(t: SyslogTarget, line: string, timeoutMs = 5000, guard?: OutboundGuard): Promise<void> {
  const buf = Buffer.from(line, 'utf8');
  let address = t.host;
  if (guard) address = (await guard.resolve(t.host, `syslog ${t.host}:${t.port}`))[0]!.address;
  if (t.protocol === 'udp') {
    return new Promise((resolve, reject) => {
      const s = createSocket(isIP(address) === 6 || (!isIP(address) && address.includes(':')) ? 'udp6' : 'udp4');
      s.send(buf.subarray(0, 8192), t.port, address, (e) => {
        s.close();
        if (e) reject(e);
        else resolve();
      });
    });
  }
  return new Promise((resolve, reject) => {
    const s = connect({ host: address, port: t.port });
    s.setTimeout(timeoutMs, () => s.destroy(new Error(`syslog ${t.host}:${t.port}: timeout`)));
    s.on('error', reject);
    s.on('connect', () => {
      s.end(Buffer.concat([Buffer.from(`${buf.length} `), buf]), () => resolve());
    });
  });
}
