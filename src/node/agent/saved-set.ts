// The policy set an agent saved under its data dir (<data-dir>/policies.json,
// written by ./policies.ts before it applies a set): read back by the agent at
// start and by `vigil rules effective --agent-data-dir DIR`, bounded (a
// feed's threat list of 500,000 entries fits many times over) and checked
// enough to name what is wrong with a broken file.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { InputError, LimitError } from '../../core/errors.js';
import { PUSHED_FORMAT, type PushedPolicies } from '../../core/policy/pushed.js';

/** How the agent names a server rule file's rule set (`server:NAME`): alerts and `vigil rules effective` show it. */
export const SERVER_RULE_PREFIX = 'server:';

/** Largest saved set read back (the set travels in 4 MiB messages; its threat list comes in chunks besides). */
export const MAX_SAVED_SET_BYTES = 64 * 1024 * 1024;

export const savedSetFile = (dataDir: string): string => join(dataDir, 'policies.json');

/** The saved set's text, or undefined when there is none; LimitError past MAX_SAVED_SET_BYTES. */
export function readSavedSetText(file: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new InputError('AGENT_SAVED_SET', `cannot read the agent's saved policy set (${(e as Error).message})`, file);
  }
  try {
    const size = fstatSync(fd).size;
    if (size > MAX_SAVED_SET_BYTES) throw new LimitError('LIMIT_FILE_SIZE', `saved policy set file is larger than ${MAX_SAVED_SET_BYTES} bytes`, file);
    const buf = Buffer.alloc(size);
    let off = 0;
    while (off < size) {
      const n = readSync(fd, buf, off, size - off, off);
      if (n === 0) break;
      off += n;
    }
    return buf.subarray(0, off).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** The saved set of an agent's data dir, checked: format, revision, lists where lists belong. */
export function readSavedSet(dataDir: string): { file: string; set: PushedPolicies } {
  const file = savedSetFile(dataDir);
  const text = readSavedSetText(file);
  if (text === undefined)
    throw new InputError(
      'AGENT_SAVED_SET',
      `cannot read the agent's saved policy set (no ${file}: the agent has not received a set from its server yet)`,
      file,
    );
  let set: PushedPolicies;
  try {
    set = JSON.parse(text) as PushedPolicies;
  } catch (e) {
    throw new InputError('AGENT_SAVED_SET', `cannot read the agent's saved policy set (not JSON: ${(e as Error).message.slice(0, 120)})`, file);
  }
  const bad = (why: string) => new InputError('AGENT_SAVED_SET', `cannot read the agent's saved policy set (${why})`, file);
  if (!set || typeof set !== 'object' || Array.isArray(set)) throw bad('not a JSON object');
  if (set.format !== PUSHED_FORMAT) throw bad(`format ${JSON.stringify(set.format)}; this version reads format ${PUSHED_FORMAT}`);
  if (typeof set.revision !== 'string') throw bad('no revision');
  if (set.detection !== undefined && !Array.isArray(set.detection)) throw bad('detection: expected a list');
  if (set.rules !== undefined && (!Array.isArray(set.rules) || set.rules.some((r) => !r || typeof r.name !== 'string' || typeof r.content !== 'string')))
    throw bad('rules: expected a list of {name, content}');
  if (set.threatIps !== undefined && (!Array.isArray(set.threatIps) || set.threatIps.some((x) => typeof x !== 'string')))
    throw bad('threatIps: expected a list of CIDRs');
  return { file, set };
}
