// Small helpers shared by the field-family modules: a compact field
// constructor and per-event caches for derived strings (cmdline, args) so a
// ruleset that reads `proc.cmdline` ten times builds it once per event.
import type { EngineEvent, FieldDef, FieldFamily, FieldType, ProcessInfo, SyscallEvent } from '../../events/event.js';

export function field<E extends EngineEvent>(name: string, type: FieldType, desc: string, extract: FieldDef<E>['extract'], arg?: FieldDef['arg']): FieldDef<E> {
  return arg ? { name, type, desc, extract, arg } : { name, type, desc, extract };
}

/** A family of syscall fields. */
export function syscallFamily(id: string, fields: FieldDef<SyscallEvent>[]): FieldFamily<SyscallEvent> {
  return { id, source: 'syscall', fields };
}

const ARGS = Symbol('vigil.args');
const CMDLINE = Symbol('vigil.cmdline');
type Cached = { [ARGS]?: string; [CMDLINE]?: string };

/** argv[1..] joined with spaces (Falco's `proc.args`). */
export function procArgs(p: { args?: string[] }): string {
  const c = p as Cached;
  let s = c[ARGS];
  if (s === undefined) {
    const a = p.args;
    s = a && a.length > 1 ? a.slice(1).join(' ') : '';
    c[ARGS] = s;
  }
  return s;
}

/** name + " " + args (Falco's `proc.cmdline`). */
export function procCmdline(p: { name: string; args?: string[] }): string {
  const c = p as Cached;
  let s = c[CMDLINE];
  if (s === undefined) {
    const a = procArgs(p);
    s = a ? `${p.name} ${a}` : p.name;
    c[CMDLINE] = s;
  }
  return s;
}

/** Ancestor N: 0 is the process itself, 1 its parent, ... */
export function ancestor(p: ProcessInfo, n: number): { pid: number; name: string; exepath?: string; args?: string[] } | undefined {
  if (n === 0) return p;
  return p.parents?.[n - 1];
}

export function parseIndex(arg: string | undefined): number {
  if (arg === undefined) return -1;
  const n = Number(arg);
  return Number.isInteger(n) && n >= 0 ? n : -1;
}

export function dirname(path: string): string {
  const i = path.lastIndexOf('/');
  if (i < 0) return '';
  if (i === 0) return '/';
  return path.slice(0, i);
}

export function basename(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? path : path.slice(i + 1);
}
