// Reads a threat-IP list file (`--threat-ips FILE`): CIDRs, one per line, `#`
// comments. The one reader of that file: `runtime watch`'s engine
// (src/node/runtime/engine.ts) loads its list here. Without a file the small
// default list applies (docs/rules.md).
import { readFile, stat } from 'node:fs/promises';
import { InputError, LimitError } from '../../core/errors.js';
import { parseThreatIpList, DEFAULT_THREAT_IPS } from '../../core/rules/threat-ips.js';
import { cidrSet, type CidrSet } from '../../core/rules/cidr.js';

export const THREAT_IPS_MAX_BYTES = 64 * 1024 * 1024;

function unreadable(e: unknown, path: string): InputError {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new InputError('THREAT_IPS_NOT_FOUND', 'no such file', path);
  return new InputError('THREAT_IPS_UNREADABLE', `cannot read: ${code ?? (e as Error).message}`, path);
}

/** The list from FILE, or the small default list when no file is given. */
export async function loadThreatIps(path?: string, maxBytes = THREAT_IPS_MAX_BYTES): Promise<CidrSet> {
  if (!path) return cidrSet(DEFAULT_THREAT_IPS);
  let st;
  try {
    st = await stat(path);
  } catch (e) {
    throw unreadable(e, path);
  }
  if (!st.isFile()) throw new InputError('THREAT_IPS_NOT_A_FILE', 'not a regular file', path);
  if (st.size > maxBytes) throw new LimitError('LIMIT_THREAT_IPS_SIZE', `larger than ${maxBytes} bytes`, path);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw unreadable(e, path);
  }
  // The file may have grown between stat and read.
  if (text.length > maxBytes) throw new LimitError('LIMIT_THREAT_IPS_SIZE', `larger than ${maxBytes} bytes`, path);
  return parseThreatIpList(text, path);
}
