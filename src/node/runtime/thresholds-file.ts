// The thresholds file of `vigil runtime watch --thresholds FILE`: YAML or
// JSON `{cpu: {...}, accounts: {...}}` overriding the defaults of
// src/core/behavior/thresholds.ts (sampling intervals, CPU percent and
// sustain time, usual ports, the package-manager window). Read with the
// policy files' size limit; every field is validated there.
import { readFileSync, statSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { InputError } from '../../core/errors.js';
import { behaviorThresholds, type BehaviorThresholds } from '../../core/behavior/thresholds.js';
import { POLICY_MAX_BYTES } from './policy-file.js';

export function readThresholdsFile(file: string): BehaviorThresholds {
  let size: number;
  try {
    const st = statSync(file);
    if (!st.isFile()) throw Object.assign(new Error('not a regular file'), { code: 'not a regular file' });
    size = st.size;
  } catch (e) {
    throw new InputError('POLICY_UNREADABLE', `cannot read thresholds file: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, file);
  }
  if (size > POLICY_MAX_BYTES) throw new InputError('POLICY_TOO_LARGE', `larger than ${POLICY_MAX_BYTES} bytes`, file);
  const doc = parseDocument(readFileSync(file, 'utf8'), { prettyErrors: true });
  if (doc.errors.length > 0) {
    const line = doc.errors[0]!.linePos?.[0]?.line;
    throw new InputError('POLICY_YAML', `invalid YAML${line ? ` at line ${line}` : ''}: ${doc.errors[0]!.message.split('\n')[0]}`, file);
  }
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    throw new InputError('POLICY_YAML', `cannot expand the YAML: ${(e as Error).message}`, file);
  }
  return behaviorThresholds(raw ?? {}, file);
}
