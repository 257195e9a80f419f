// The threat-IP list formats (`--threat-ips FILE`, the threat-IP feeds of
// `vigil db update`): one CIDR or address per line with `#` or `;` comments,
// or a CSV with an IP column; blank lines ignored. Bad lines are InputErrors naming
// the line. The default list is deliberately tiny (see docs/rules.md): real
// threat feeds change hourly and belong in a file the operator updates.
import { InputError, LimitError } from '../errors.js';
import { cidrSet, isCidrLike, normalizeCidr, type CidrSet } from './cidr.js';

export const MAX_THREAT_IPS = 1_000_000;

/**
 * Default entries: the ranges no legitimate workload talks to and that
 * scanners and malware tests use. TEST-NET-3 (203.0.113.0/24, RFC 5737) is
 * included so the detection can be verified end to end in any cluster.
 */
export const DEFAULT_THREAT_IPS: readonly string[] = [
  '203.0.113.0/24', // RFC 5737 TEST-NET-3: never routed; used by Vigil's self-test
];

/** One entry of a threat-IP list: its canonical CIDR and the comment that came with it. */
export interface ThreatIpEntry {
  cidr: string;
  comment: string;
}

/** Largest comment kept per entry. */
export const MAX_THREAT_COMMENT = 200;

/** Splits one CSV line (double-quoted fields, `""` inside quotes). */
function csvFields(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  out.push(cur.trim());
  return out;
}

/**
 * A threat-IP list in the formats public feeds publish: one address or CIDR a
 * line with `#` or `;` comments (Spamhaus DROP/EDROP: `1.10.16.0/20 ; SBL256894`;
 * Feodo Tracker's ipblocklist.txt; Vigil's own `--threat-ips` files), or a CSV
 * whose header (commented or not) names an IP column (Feodo Tracker's
 * ipblocklist.csv: `"first_seen_utc","dst_ip","dst_port",...`; the other
 * columns become the comment). A line that is not an address, a CIDR or such
 * a CSV row is an InputError naming the line.
 */
export function parseThreatFeed(text: string, where = 'threat-ips', max = MAX_THREAT_IPS): ThreatIpEntry[] {
  const out: ThreatIpEntry[] = [];
  let ipColumn = -1;
  let header: string[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.replace(/\r$/, '');
    const trimmed = raw.trim();
    if (!trimmed) continue;
    if (trimmed.startsWith('#') || trimmed.startsWith(';')) {
      // A commented CSV header: `# "first_seen_utc","dst_ip",...`.
      const h = csvFields(trimmed.replace(/^[#;]\s*/, '')).map((x) => x.toLowerCase());
      const at = h.findIndex((x) => x === 'dst_ip' || x === 'ip_address' || x === 'ip' || x === 'cidr');
      if (h.length > 1 && at >= 0) {
        ipColumn = at;
        header = h;
      }
      continue;
    }
    if (out.length >= max) throw new LimitError('LIMIT_THREAT_IPS', `more than ${max} entries`, where);
    let cidr: string | undefined;
    let comment = '';
    if (trimmed.includes(',')) {
      const f = csvFields(trimmed);
      const lower = f.map((x) => x.toLowerCase());
      const at = lower.findIndex((x) => x === 'dst_ip' || x === 'ip_address' || x === 'ip' || x === 'cidr');
      if (at >= 0 && !f.some((x) => isCidrLike(x))) {
        // An uncommented header row.
        ipColumn = at;
        header = lower;
        continue;
      }
      const col = ipColumn >= 0 ? ipColumn : f.findIndex((x) => isCidrLike(x));
      cidr = col >= 0 && f[col] !== undefined ? normalizeCidr(f[col]) : undefined;
      comment = f
        .map((x, j) => (j === col || !x ? '' : header[j] ? `${header[j]}=${x}` : x))
        .filter(Boolean)
        .join(' ');
    } else {
      const m = /^([^\s;#]+)\s*(?:[;#]\s*(.*))?$/.exec(trimmed);
      cidr = m ? normalizeCidr(m[1]!) : undefined;
      comment = m?.[2]?.trim() ?? '';
    }
    if (!cidr)
      throw new InputError('THREAT_IP_INVALID', `line ${i + 1}: '${trimmed.slice(0, 80).replace(/[^\x20-\x7e]/g, '?')}' is not an IP address or CIDR`, where);
    out.push({ cidr, comment: comment.replace(/[^\x20-\x7e\u00a0-\uffff]/g, ' ').slice(0, MAX_THREAT_COMMENT) });
  }
  return out;
}

export function parseThreatIpList(text: string, where = 'threat-ips'): CidrSet {
  return cidrSet(parseThreatFeed(text, where).map((e) => e.cidr));
}
