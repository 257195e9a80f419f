// The threat-IP list format (`--threat-ips FILE`): one CIDR or address per
// line, `#` comments, blank lines ignored. Bad lines are InputErrors naming
// the line. The default list is deliberately tiny (see docs/rules.md): real
// threat feeds change hourly and belong in a file the operator updates.
import { InputError, LimitError } from '../errors.js';
import { cidrSet, parseCidr, type CidrSet } from './cidr.js';

export const MAX_THREAT_IPS = 1_000_000;

/**
 * Default entries: the ranges no legitimate workload talks to and that
 * scanners and malware tests use. TEST-NET-3 (203.0.113.0/24, RFC 5737) is
 * included so the detection can be verified end to end in any cluster.
 */
export const DEFAULT_THREAT_IPS: readonly string[] = [
  '203.0.113.0/24', // RFC 5737 TEST-NET-3: never routed; used by Vigil's self-test
];

export function parseThreatIpList(text: string, where = 'threat-ips'): CidrSet {
  const entries: string[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/#.*/, '').trim();
    if (!line) continue;
    if (entries.length >= MAX_THREAT_IPS) throw new LimitError('LIMIT_THREAT_IPS', `more than ${MAX_THREAT_IPS} entries`, where);
    if (!parseCidr(line)) throw new InputError('THREAT_IP_INVALID', `line ${i + 1}: '${line.slice(0, 80)}' is not an IP address or CIDR`, where);
    entries.push(line);
  }
  return cidrSet(entries);
}
