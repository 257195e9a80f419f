// Box-drawn text tables for terminals. Colour is applied by the caller through
// `paint` so widths are computed on the visible text.

export interface Column {
  header: string;
  /** Maximum width; longer cells are cut with an ellipsis. */
  max?: number;
}

export interface Cell {
  text: string;
  paint?: (s: string) => string;
}

export type Row = Array<string | Cell>;

/** Visible width; wide CJK characters count double. */
function width(s: string): number {
  let w = 0;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    w +=
      c >= 0x1100 &&
      (c <= 0x115f || (c >= 0x2e80 && c <= 0xa4cf) || (c >= 0xac00 && c <= 0xd7a3) || (c >= 0xf900 && c <= 0xfaff) || (c >= 0xff00 && c <= 0xff60))
        ? 2
        : 1;
  }
  return w;
}

function cut(s: string, max: number): string {
  if (width(s) <= max) return s;
  let out = '';
  for (const ch of s) {
    if (width(out + ch) > max - 1) break;
    out += ch;
  }
  return out + '…';
}

export function renderTable(columns: Column[], rows: Row[], opts: { groupBy?: number } = {}): string {
  const cells = rows.map((r) =>
    r.map((c, i) => {
      const cell = typeof c === 'string' ? { text: c } : c;
      const clean = cell.text.replace(/[\r\n\t]+/g, ' ');
      return { text: cut(clean, columns[i]?.max ?? 10_000), paint: cell.paint };
    }),
  );
  const widths = columns.map((c, i) => Math.max(width(c.header), ...cells.map((r) => width(r[i]?.text ?? ''))));
  const line = (l: string, m: string, r: string) => l + widths.map((w) => '─'.repeat(w + 2)).join(m) + r;
  const fmt = (texts: Cell[]) =>
    '│' +
    widths
      .map((w, i) => {
        const c = texts[i] ?? { text: '' };
        const pad = ' '.repeat(w - width(c.text));
        return ` ${c.paint ? c.paint(c.text) : c.text}${pad} `;
      })
      .join('│') +
    '│';
  const out = [line('┌', '┬', '┐'), fmt(columns.map((c) => ({ text: c.header }))), line('├', '┼', '┤')];
  let prev: string | undefined;
  cells.forEach((r, idx) => {
    if (opts.groupBy !== undefined && idx > 0) {
      const key = r[opts.groupBy]?.text;
      if (key !== prev && key !== '') out.push(line('├', '┼', '┤'));
    }
    if (opts.groupBy !== undefined) {
      const key = r[opts.groupBy]?.text ?? '';
      if (key !== '') prev = key;
    }
    out.push(fmt(r));
  });
  out.push(line('└', '┴', '┘'));
  return out.join('\n') + '\n';
}
