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
