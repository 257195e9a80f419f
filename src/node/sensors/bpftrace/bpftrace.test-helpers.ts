// Test helper of the bpftrace sensor: recorded-format lines (bpftrace's
// `-f json` printf records) fed through the parser and a normaliser.
import type { SyscallEvent } from '../../../core/events/event.js';
import type { Normaliser } from './normalise.js';
import { parseBpftraceLine } from './parse.js';

/** One printf record as bpftrace -f json prints it. */
export const printfLine = (data: string): string => JSON.stringify({ type: 'printf', data: `${data}\n` });

/** The events `n` makes of `lines`; a line that is no record throws when `strict`, else is passed over. */
export function feedLines(n: Normaliser, lines: string[], strict: boolean): SyscallEvent[] {
  const out: SyscallEvent[] = [];
  for (const l of lines) {
    const r = parseBpftraceLine(l);
    if (r.kind === 'event') {
      const { event } = n.record(r.ev);
      if (event) out.push(event);
    } else if (strict) throw new Error(`bad record ${l}: ${JSON.stringify(r)}`);
  }
  return out;
}

/** An `E` record (program.ts): `header` (its code `E`), flags (bit 0: no link; bits 4-15: fd kinds), gid, loginuid, tty, exe identity, v1 cgroup id, filename. */
export const execLine = (header: string, file: string, flags = 0): string => printfLine(`${header}\t${flags}\t0\t4294967295\t0\t0\t0\t0\t0\t0\t0\t${file}`);

/**
 * An exec as the probes print it: `Cg` (the cgroup's leaf names, when `cgroup` is given: v1, v2), `Ea`
 * (pid and argv as bpftrace's %r prints the NUL-separated area), then `E`. `header(code)` is the record header.
 */
export function execLines(header: (code: string) => string, pid: number, argv: string[], file: string, cgroup?: [string, string]): string[] {
  return [
    ...(cgroup ? [printfLine(`${header('Cg')}\t0\t${cgroup[0]}\t${cgroup[1]}`)] : []),
    printfLine(`Ea\t${pid}\t${argv.map((a) => `${a}\\x00`).join('')}`),
    execLine(header('E'), file),
  ];
}
