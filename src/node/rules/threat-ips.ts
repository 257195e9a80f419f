// Reads a threat-IP list file (`--threat-ips FILE`): CIDRs, one per line, `#` comments.
import { readFile, stat } from 'node:fs/promises';
import { InputError, LimitError } from '../../core/errors.js';
import { parseThreatIpList, DEFAULT_THREAT_IPS } from '../../core/rules/threat-ips.js';
import { cidrSet, type CidrSet } from '../../core/rules/cidr.js';

const MAX_BYTES = 64 * 1024 * 1024;

/** The list from FILE, or the small default list when no file is given. */
export async function loadThreatIps(path?: string): Promise<CidrSet> {
  if (!path) return cidrSet(DEFAULT_THREAT_IPS);
  let st;
  try {
    st = await stat(path);
  } catch {
    throw new InputError('THREAT_IPS_NOT_FOUND', 'no such file', path);
  }
  if (st.size > MAX_BYTES) throw new LimitError('LIMIT_THREAT_IPS_SIZE', `larger than ${MAX_BYTES} bytes`, path);
  return parseThreatIpList(await readFile(path, 'utf8'), path);
}
