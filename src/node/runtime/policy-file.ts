// Policy files and the learn-state file of `vigil runtime watch`. Owns:
// reading a YAML/JSON policy file with size limits into the validated model
// (src/core/policy/model.ts), and loading/saving the learned whitelists
// atomically (write to a temp file, then rename).
import { readFileSync, writeFileSync, renameSync, mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseDocument } from 'yaml';
import { InputError } from '../../core/errors.js';
import { validatePolicyDocument, type PolicyDocument } from '../../core/policy/model.js';
import { emptyLearnState, MAX_LEARNED, type LearnState } from '../../core/policy/evaluate.js';

export const POLICY_MAX_BYTES = 1024 * 1024;

export function readPolicyFile(file: string): PolicyDocument {
  let size: number;
  try {
    size = statSync(file).size;
  } catch (e) {
    throw new InputError('POLICY_UNREADABLE', `cannot read policy file: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, file);
  }
  if (size > POLICY_MAX_BYTES) throw new InputError('POLICY_TOO_LARGE', `larger than ${POLICY_MAX_BYTES} bytes`, file);
  const text = readFileSync(file, 'utf8');
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    const err = doc.errors[0]!;
    const line = err.linePos?.[0]?.line;
    throw new InputError('POLICY_YAML', `invalid YAML${line ? ` at line ${line}` : ''}: ${err.message.split('\n')[0]}`, file);
  }
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    // The yaml library refuses alias bombs while expanding them.
    throw new InputError('POLICY_YAML', `cannot expand the YAML: ${(e as Error).message}`, file);
  }
  return validatePolicyDocument(raw, file);
}

export function readLearnState(file: string): LearnState {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return emptyLearnState();
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new InputError('STATE_INVALID', 'the learn-state file is not JSON (delete it to start learning again)', file);
  }
  const s = raw as Partial<LearnState>;
  if (!s || s.version !== 1 || typeof s.policies !== 'object' || s.policies === null) {
    throw new InputError('STATE_INVALID', 'not a learn-state file of version 1', file);
  }
  const out = emptyLearnState();
  for (const [name, v] of Object.entries(s.policies)) {
    if (!v || typeof v.startedAt !== 'number' || !Array.isArray(v.executables)) throw new InputError('STATE_INVALID', `policy ${name}: bad entry`, file);
    out.policies[name] = { startedAt: v.startedAt, executables: v.executables.filter((x): x is string => typeof x === 'string').slice(0, MAX_LEARNED) };
  }
  return out;
}

export function writeLearnState(file: string, state: LearnState): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(state, null, 1)}\n`);
  renameSync(tmp, file);
}
