// Field family `evt.*`: the event itself (type, direction, time, result,
// arguments). Vigil events are post-syscall, so `evt.dir` is always `<`.
import type { SyscallEvent } from '../../events/event.js';
import { field, syscallFamily } from './helpers.js';
import { openAccessMode, renderArg, renderRes } from '../../events/arg-render.js';

const OPEN_TYPES = new Set(['open', 'openat', 'openat2', 'creat']);

function argsText(e: SyscallEvent): string {
  const parts: string[] = [];
  for (const k of Object.keys(e.args)) {
    const v = renderArg(e.type, k, e.args[k]);
    if (v !== undefined) parts.push(`${k}=${v}`);
  }
  return parts.join(' ');
}

export const evtFields = syscallFamily('evt', [
  field('evt.type', 'string', 'Syscall or event name (`execve`, `openat`, `connect`, `filechange`, `auth`, ...).', (e) => e.type),
  field('evt.dir', 'string', 'Direction: always `<` (Vigil events are post-syscall).', () => '<'),
  field('evt.num', 'number', 'Sensor sequence number, when provided.', (e) => e.num),
  field('evt.time', 'string', 'Event time, ISO 8601.', (e) => new Date(e.time).toISOString()),
  field('evt.rawtime', 'number', 'Event time in nanoseconds since epoch.', (e) => Math.round(e.time * 1e6)),
  field('evt.res', 'string', '`SUCCESS`, an errno name (`ENOENT`) or the positive result as text.', (e) =>
    e.res === undefined ? undefined : renderRes(e.res),
  ),
  field('evt.rawres', 'number', 'Numeric return value.', (e) => e.res),
  field('evt.failed', 'bool', 'The call returned an error.', (e) => (e.res === undefined ? undefined : e.res < 0)),
  field('evt.source', 'string', 'Event source: `syscall`.', () => 'syscall'),
  field('evt.hostname', 'string', 'Host name of the node.', (e) => e.host),
  field('evt.args', 'string', 'All arguments as `name=value` pairs.', (e) => argsText(e)),
  field(
    'evt.arg',
    'string',
    'One argument by name (`evt.arg.flags` or `evt.arg[flags]`), rendered as Falco does.',
    (e, a) => (a === undefined ? undefined : renderArg(e.type, a, e.args[a])),
    'required',
  ),
  field('evt.rawarg', 'string', 'One argument by name, unrendered.', (e, a) => (a === undefined ? undefined : e.args[a]), 'required'),
  field('evt.is_open_read', 'bool', 'An open call for reading.', (e) => {
    if (!OPEN_TYPES.has(e.type)) return false;
    const m = openAccessMode(e.args.flags);
    return m === 0 || m === 2;
  }),
  field('evt.is_open_write', 'bool', 'An open call for writing.', (e) => {
    if (!OPEN_TYPES.has(e.type)) return false;
    if (e.type === 'creat') return true;
    const m = openAccessMode(e.args.flags);
    return m === 1 || m === 2;
  }),
]);
