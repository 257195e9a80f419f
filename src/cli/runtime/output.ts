// `vigil runtime watch`'s printing: the runtime pipeline's output
// (src/node/runtime/pipeline.ts RuntimeOutput) onto two streams. Alerts on
// stdout, one per line: the Alert JSON (`--format json`) or one readable
// line (`text`); normalised events (`--events`), notices and the stats line
// on stderr, each prefixed `vigil: ` (events `event `). A closed stdout
// (`vigil runtime watch | head`) resolves `closed` instead of crashing on
// EPIPE, and the watch then stops cleanly.
import type { Writable } from 'node:stream';
import type { Alert } from '../../core/alerts/types.js';
import type { EngineEvent } from '../../core/events/event.js';
import type { PipelineStats, RuntimeOutput } from '../../node/runtime/pipeline.js';

export interface StreamOutputOptions {
  format: 'json' | 'text';
  /** Also print every normalised event on `err`. */
  events?: boolean;
  out?: Writable;
  err?: Writable;
}

export function textAlert(a: Alert): string {
  const c = a.container ? ` container=${a.container.id.slice(0, 12)}${a.container.name ? `(${a.container.name})` : ''}` : '';
  const p = a.process ? ` pid=${a.process.pid} proc=${a.process.name}` : '';
  const act = a.action && a.action.kind !== 'alert' ? ` action=${a.action.kind}${a.action.delayUs !== undefined ? `(${a.action.delayUs}us)` : ''}` : '';
  return `${a.time} ${a.severity.toUpperCase()} ${a.type}${c}${p}${act} ${a.message}`;
}

export function statsLine(s: PipelineStats): string {
  return `stats events=${s.events} alerts=${s.alerts} killed=${s.killed} lost=${s.lost} bad=${s.bad} lines=${s.lines} aggregated=${s.aggregated ?? 0} lag=${Math.round(s.lagMs)}ms unenriched=${s.unenriched} procs=${s.procs} containers=${s.containers} rss=${s.rssMiB}MiB`;
}

export class StreamOutput implements RuntimeOutput {
  private readonly out: Writable;
  private readonly err: Writable;
  /** Resolves when stdout is closed by its reader. */
  readonly closed: Promise<void>;

  constructor(private readonly o: StreamOutputOptions) {
    this.out = o.out ?? process.stdout;
    this.err = o.err ?? process.stderr;
    this.closed = new Promise<void>((res) => this.out.once('error', () => res()));
  }

  alert(a: Alert): void {
    this.out.write(`${this.o.format === 'json' ? JSON.stringify(a) : textAlert(a)}\n`);
  }

  event(e: EngineEvent): void {
    if (this.o.events) this.err.write(`event ${JSON.stringify(e)}\n`);
  }

  notice(message: string): void {
    this.err.write(`vigil: ${message}\n`);
  }

  stats(s: PipelineStats): void {
    this.notice(statsLine(s));
  }
}
