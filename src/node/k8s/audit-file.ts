// Reads an audit log file for offline analysis: line-framed logs are
// streamed (bounded memory, byte-exact lines), whole documents (a JSON array,
// an EventList, a pretty-printed event) are read at once up to a limit.
// Malformed lines are reported by number and skipped.
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { InputError, LimitError } from '../../core/errors.js';
import { DEFAULT_AUDIT_LIMITS, detectFraming, parseAuditDocumentLenient, parseAuditLine, type AuditReadLimits } from '../../core/k8s/audit-event.js';
import { LineSplitter } from '../../core/k8s/line-splitter.js';
import type { K8sAuditEvent } from '../../core/events/event.js';

export interface ReadAuditFileOptions {
  limits?: AuditReadLimits;
  onEvent: (e: K8sAuditEvent) => void;
  /** A malformed line or item: one line naming it (`line 7: ...`). */
  onError: (message: string) => void;
  host?: string;
}

export interface ReadAuditFileResult {
  lines: number;
  events: number;
  errors: number;
}

/** `-` (or /dev/stdin) reads standard input as lines, whatever it is (pipe, socket, terminal). */
export async function readAuditFile(path: string, o: ReadAuditFileOptions): Promise<ReadAuditFileResult> {
  const limits = o.limits ?? DEFAULT_AUDIT_LIMITS;
  if (path === '-' || path === '/dev/stdin') return readLines(process.stdin, limits, o);
  let st;
  try {
    st = await stat(path);
  } catch (e) {
    throw new InputError('AUDIT_FILE_NOT_FOUND', (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message, path);
  }
  if (st.isDirectory()) throw new InputError('AUDIT_FILE_IS_DIRECTORY', 'is a directory', path);
  // Only a regular file can be peeked at and reread; a pipe (`--file /dev/stdin`) is read as lines.
  let framing: 'document' | 'lines' = 'lines';
  if (st.isFile()) {
    const fh = await open(path, 'r');
    const head = Buffer.alloc(4096);
    const { bytesRead } = await fh.read(head, 0, head.length, 0);
    await fh.close();
    framing = detectFraming(head.subarray(0, bytesRead).toString('utf8'));
  }
  if (framing === 'document') {
    if (st.size > limits.maxDocumentBytes)
      throw new LimitError('LIMIT_AUDIT_DOCUMENT', `a single JSON document larger than ${limits.maxDocumentBytes} bytes`, path);
    const { readFile } = await import('node:fs/promises');
    const { events, errors } = parseAuditDocumentLenient(await readFile(path, 'utf8'), 'document', limits, o.host);
    for (const e of errors) o.onError(e.message);
    for (const e of events) o.onEvent(e);
    return { lines: 0, events: events.length, errors: errors.length };
  }
  return readLines(createReadStream(path, { highWaterMark: 1024 * 1024 }), limits, o);
}

/**
 * `"EventList"` starting at offset 200 or before (what
 * `t.lastIndexOf('"EventList"', 200) >= 0` says, ten times cheaper here):
 * indexOf runs on the rare first letter instead of the quote that JSON is full of.
 */
export function eventListNearStart(t: string): boolean {
  for (let j = t.indexOf('EventList"', 1); j >= 0 && j <= 201; j = t.indexOf('EventList"', j + 1)) if (t.charCodeAt(j - 1) === 34) return true;
  return false;
}

async function readLines(stream: AsyncIterable<unknown>, limits: AuditReadLimits, o: ReadAuditFileOptions): Promise<ReadAuditFileResult> {
  const res: ReadAuditFileResult = { lines: 0, events: 0, errors: 0 };
  const splitter = new LineSplitter(limits.maxLineBytes);
  const handle = (l: { lineNo: number; text: string | undefined; bytes: number }) => {
    res.lines++;
    if (l.text === undefined) {
      res.errors++;
      o.onError(`line ${l.lineNo}: line longer than ${limits.maxLineBytes} bytes (skipped)`);
      return;
    }
    let events: K8sAuditEvent[];
    // A line that starts with a printable ASCII character is neither blank nor
    // indented: skip trim() and trimStart(), which cost a few percent per event.
    const c0 = l.text.charCodeAt(0);
    let t = l.text;
    if (!(c0 > 32 && c0 < 127)) {
      if (t.trim() === '') return;
      t = t.trimStart();
    }
    // `"kind":"EventList"` comes first in what the apiserver writes: look only near the start (cheap per event).
    if (t.startsWith('[') || eventListNearStart(t)) {
      // A batch on one line: keep its good items, report the bad ones by index.
      const r = parseAuditDocumentLenient(l.text, `line ${l.lineNo}`, limits, o.host);
      for (const e of r.errors) {
        res.errors++;
        o.onError(e.message);
      }
      for (const ev of r.events) {
        res.events++;
        o.onEvent(ev);
      }
      return;
    }
    try {
      events = parseAuditLine(l.text, l.lineNo, limits, o.host);
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      res.errors++;
      o.onError(e.message);
      return;
    }
    for (const ev of events) {
      res.events++;
      o.onEvent(ev);
    }
  };
  for await (const chunk of stream) for (const l of splitter.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer))) handle(l);
  const last = splitter.flush();
  if (last) handle(last);
  return res;
}
