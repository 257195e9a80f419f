// Debian control-file (deb822) paragraphs as dpkg writes them in
// /var/lib/dpkg/status and distroless status.d files: `Field: value` lines,
// continuation lines starting with a space or tab, paragraphs separated by
// blank lines. Bounded: a record bigger than `maxRecordBytes` or more than
// `maxRecords` records fail with a LimitError; malformed lines with an
// InputError naming the file and line.
import { InputError, LimitError } from '../errors.js';
import { forEachLine } from './decode.js';

export interface ControlRecord {
  /** Lower-cased field name -> value (latin1 string: one char per byte; continuation lines joined with `\n`). */
  fields: Map<string, string>;
  /** 1-based line of the record's first field. */
  line: number;
  /** 1-based record number in the file. */
  index: number;
}

export interface ControlLimits {
  maxRecordBytes: number;
  maxRecords: number;
}

export const DEFAULT_CONTROL_LIMITS: ControlLimits = {
  // The biggest real records (Conffiles-heavy packages) are a few tens of KiB.
  maxRecordBytes: 4 * 1024 * 1024,
  maxRecords: 500_000,
};

function validFieldName(name: string): boolean {
  // deb822: printable US-ASCII except ':' and space, not starting with '#' or '-'.
  if (name.length === 0 || name.charCodeAt(0) === 0x23 || name.charCodeAt(0) === 0x2d) return false;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c <= 0x20 || c >= 0x7f || c === 0x3a) return false;
  }
  return true;
}

const at = (path: string, line: number): string => `${path}:${line}`;

function isBlank(line: string): boolean {
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09) return false;
  }
  return true;
}

/** Parse all paragraphs of a control file. `path` names the file in errors. */
export function parseControlFile(bytes: Buffer, path: string, limits: ControlLimits = DEFAULT_CONTROL_LIMITS): ControlRecord[] {
  const text = bytes.toString('latin1');
  const records: ControlRecord[] = [];
  let fields: Map<string, string> | null = null;
  let recordLine = 0;
  let recordOffset = 0;
  let current: string | null = null;
  // Continuation lines of the current field, joined once when the field ends (repeated string concatenation is slow on huge values).
  let cont: string[] = [];
  const endField = (): void => {
    if (fields && current !== null && cont.length) fields.set(current, `${fields.get(current)}\n${cont.join('\n')}`);
    cont = [];
  };
  const finish = (): void => {
    endField();
    if (fields) {
      if (records.length >= limits.maxRecords) throw new LimitError('LIMIT_CONTROL_RECORDS', `more than ${limits.maxRecords} records`, path);
      records.push({ fields, line: recordLine, index: records.length + 1 });
    }
    fields = null;
    current = null;
  };
  forEachLine(text, (line, lineNo, offset) => {
    if ((fields && offset - recordOffset > limits.maxRecordBytes) || line.length > limits.maxRecordBytes) {
      throw new LimitError('LIMIT_CONTROL_RECORD_SIZE', `record ${records.length + 1} is larger than ${limits.maxRecordBytes} bytes`, at(path, lineNo));
    }
    const first = line.charCodeAt(0);
    if (line === '' || ((first === 0x20 || first === 0x09) && isBlank(line))) {
      finish();
      return;
    }
    if (first === 0x20 || first === 0x09) {
      if (!fields || current === null) throw new InputError('CONTROL_SYNTAX', 'continuation line outside a field', at(path, lineNo));
      cont.push(line.slice(1));
      return;
    }
    if (first === 0x23 && !fields) return; // comment between paragraphs (control files, not status)
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon) : '';
    if (!validFieldName(name)) throw new InputError('CONTROL_SYNTAX', 'expected "Field: value"', at(path, lineNo));
    if (!fields) {
      fields = new Map();
      recordLine = lineNo;
      recordOffset = offset;
    }
    endField();
    const key = name.toLowerCase();
    const f: Map<string, string> = fields;
    if (f.has(key)) throw new InputError('CONTROL_DUPLICATE_FIELD', `duplicate field ${name}`, at(path, lineNo));
    f.set(key, line.slice(colon + 1).trim());
    current = key;
  });
  finish();
  return records;
}
