// Field family `proc.*` (and `thread.*`): the process that made the call,
// its ancestors (`proc.aname[N]`, N=0 is the process, 1 its parent) and its
// standard streams.
import type { SyscallEvent } from '../../events/event.js';
import { ancestor, field, parseIndex, procArgs, procCmdline, syscallFamily } from './helpers.js';

type P = { name: string; args?: string[]; exepath?: string; pid: number };

function anc(e: SyscallEvent, a: string | undefined, f: (p: P) => string | number | undefined): string | number | undefined {
  const n = parseIndex(a);
  if (n < 0) return undefined;
  const p = ancestor(e.proc, n);
  return p ? f(p) : undefined;
}

const ANAMES = Symbol('vigil.anames');

/** Ancestor names, cached on the event's process (rules test them often). */
function ancNames(e: SyscallEvent): string[] | undefined {
  const p = e.proc as { [ANAMES]?: string[] | null };
  const c = p[ANAMES];
  if (c !== undefined) return c ?? undefined;
  const ps = e.proc.parents;
  const v = ps && ps.length ? ps.map((x) => x.name) : undefined;
  p[ANAMES] = v ?? null;
  return v;
}

function ancAll(e: SyscallEvent, f: (p: P) => string | undefined): string[] | undefined {
  const ps = e.proc.parents;
  if (!ps || ps.length === 0) return undefined;
  const out: string[] = [];
  for (const p of ps) {
    const v = f(p);
    if (v !== undefined) out.push(v);
  }
  return out;
}

const exeOf = (p: P): string | undefined => p.args?.[0] ?? p.exepath ?? p.name;
const cmdOf = (p: P): string => procCmdline(p);

export const procFields = syscallFamily('proc', [
  field('proc.pid', 'number', 'Process id.', (e) => e.proc.pid),
  field('proc.vpid', 'number', 'Process id (Vigil reports the host pid).', (e) => e.proc.pid),
  field('proc.ppid', 'number', 'Parent process id.', (e) => e.proc.ppid),
  field('proc.name', 'string', 'Executable name (comm).', (e) => e.proc.name),
  field('proc.exe', 'string', 'argv[0] as the process was started.', (e) => exeOf(e.proc)),
  field('proc.exepath', 'string', 'Full path of the executable.', (e) => e.proc.exepath),
  field('proc.args', 'string', 'argv[1..] joined with spaces.', (e) => procArgs(e.proc)),
  field('proc.cmdline', 'string', 'name + " " + args.', (e) => procCmdline(e.proc)),
  field('proc.cwd', 'string', 'Working directory.', (e) => e.proc.cwd),
  field('proc.tty', 'number', 'Controlling terminal, 0 when none.', (e) => e.proc.tty ?? 0),
  field('proc.sid', 'number', 'Session id.', (e) => e.proc.sid),
  field('proc.stdin.type', 'string', 'What fd 0 is: file, pipe, ipv4, ipv6, unix, tty, ...', (e) => e.proc.stdin),
  field('proc.stdout.type', 'string', 'What fd 1 is.', (e) => e.proc.stdout),
  field('proc.stderr.type', 'string', 'What fd 2 is.', (e) => e.proc.stderr),
  field('proc.duration', 'number', 'Nanoseconds since the process started.', (e) =>
    e.proc.startTime === undefined ? undefined : Math.round((e.time - e.proc.startTime) * 1e6),
  ),
  field('proc.is_exe_from_memfd', 'bool', 'The executable is a memfd (fileless execution).', (e) => e.proc.exeFromMemfd ?? false),
  field('proc.is_exe_upper_layer', 'bool', "The executable lives in the container's writable layer.", (e) => e.proc.exeUpperLayer),
  field(
    'proc.exe_writer',
    'string',
    'Name of the container process that created the executable file since the sensor started (a dropped binary); unset otherwise.',
    (e) => e.proc.exeWriter,
  ),
  field('proc.pname', 'string', 'Parent name.', (e) => e.proc.parents?.[0]?.name),
  field('proc.pexe', 'string', 'Parent argv[0].', (e) => {
    const p = e.proc.parents?.[0];
    return p ? exeOf(p) : undefined;
  }),
  field('proc.pexepath', 'string', 'Parent executable path.', (e) => e.proc.parents?.[0]?.exepath),
  field('proc.pcmdline', 'string', 'Parent cmdline.', (e) => {
    const p = e.proc.parents?.[0];
    return p ? cmdOf(p) : undefined;
  }),
  field(
    'proc.aname',
    'strings',
    'Ancestor name: `proc.aname[N]` one (0 = self), `proc.aname` any ancestor.',
    (e, a) => (a === undefined ? ancNames(e) : anc(e, a, (p) => p.name)),
    'optional',
  ),
  field(
    'proc.apid',
    'numbers',
    'Ancestor pid: `proc.apid[N]`.',
    (e, a) => (a === undefined ? e.proc.parents?.map((p) => p.pid) : anc(e, a, (p) => p.pid)),
    'optional',
  ),
  field('proc.aexe', 'strings', 'Ancestor argv[0]: `proc.aexe[N]`.', (e, a) => (a === undefined ? ancAll(e, exeOf) : anc(e, a, exeOf)), 'optional'),
  field(
    'proc.aexepath',
    'strings',
    'Ancestor executable path: `proc.aexepath[N]`.',
    (e, a) => (a === undefined ? ancAll(e, (p) => p.exepath) : anc(e, a, (p) => p.exepath)),
    'optional',
  ),
  field('proc.acmdline', 'strings', 'Ancestor cmdline: `proc.acmdline[N]`.', (e, a) => (a === undefined ? ancAll(e, cmdOf) : anc(e, a, cmdOf)), 'optional'),
  field('thread.tid', 'number', 'Thread id.', (e) => e.proc.tid ?? e.proc.pid),
  field('thread.cap_effective', 'string', 'Effective capabilities, space separated (`CAP_SYS_ADMIN CAP_NET_RAW`).', (e) => e.proc.capEffective?.join(' ')),
]);
