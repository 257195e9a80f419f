// Byte-exact splitting of a line-framed audit log into lines, across chunk
// boundaries, with a bound on line length: an over-long line is skipped up to
// its newline and reported, never buffered whole. Offsets are byte offsets
// into the stream, which the log follower stores to resume exactly.
import { Buffer } from 'node:buffer';

export interface SplitLine {
  /** 1-based line number within this stream. */
  lineNo: number;
  /** The line without its newline (and without a trailing CR), decoded as UTF-8; undefined when it was too long. */
  text: string | undefined;
  /** Byte offset just after the newline. */
  end: number;
  /** Length in bytes (excluding the newline). */
  bytes: number;
}

export class LineSplitter {
  private parts: Buffer[] = [];
  private partBytes = 0;
  private skipping = false;
  private lineNo: number;
  /** Byte offset of the first byte not yet returned as part of a complete line. */
  private consumed: number;

  constructor(
    private readonly maxLineBytes: number,
    startOffset = 0,
    startLineNo = 0,
  ) {
    this.consumed = startOffset;
    this.lineNo = startLineNo;
  }

  /** Offset after the last complete line (where a resumed reader starts). */
  get offset(): number {
    return this.consumed;
  }

  /** Bytes held for an unfinished last line. */
  get pending(): number {
    return this.partBytes;
  }

  /** Feed a chunk; returns the lines it completes. */
  push(chunk: Buffer): SplitLine[] {
    const out: SplitLine[] = [];
    let start = 0;
    while (start < chunk.length) {
      const nl = chunk.indexOf(10, start);
      if (nl === -1) {
        this.hold(chunk.subarray(start));
        break;
      }
      const piece = chunk.subarray(start, nl);
      const bytes = this.partBytes + piece.length;
      let text: string | undefined;
      if (this.skipping || bytes > this.maxLineBytes) text = undefined;
      else {
        const buf = this.parts.length === 0 ? piece : Buffer.concat([...this.parts, piece], bytes);
        text = buf.toString('utf8');
        if (text.endsWith('\r')) text = text.slice(0, -1);
      }
      this.consumed += bytes + 1;
      this.lineNo++;
      out.push({ lineNo: this.lineNo, text, end: this.consumed, bytes });
      this.parts = [];
      this.partBytes = 0;
      this.skipping = false;
      start = nl + 1;
    }
    return out;
  }

  /** At end of input: the unterminated last line, if any (a finished file may lack the final newline). */
  flush(): SplitLine | undefined {
    if (this.partBytes === 0) return undefined;
    const bytes = this.partBytes;
    const text = this.skipping ? undefined : Buffer.concat(this.parts, bytes).toString('utf8').replace(/\r$/, '');
    this.consumed += bytes;
    this.lineNo++;
    this.parts = [];
    this.partBytes = 0;
    this.skipping = false;
    return { lineNo: this.lineNo, text, end: this.consumed, bytes };
  }

  private hold(b: Buffer): void {
    this.partBytes += b.length;
    if (this.skipping) return;
    if (this.partBytes > this.maxLineBytes) {
      // Too long already: stop keeping bytes, remember only the count.
      this.skipping = true;
      this.parts = [];
      return;
    }
    this.parts.push(Buffer.from(b));
  }
}
