// Reads the input of `vigil check FILE` (`-` = stdin): docker inspect JSON
// (object or array) or Kubernetes YAML/JSON (several documents, Lists) and
// returns normalised container specs. Bounded: size and document count.
import { readFile, stat } from 'node:fs/promises';
import { parseAllDocuments } from 'yaml';
import { InputError, LimitError } from '../../core/errors.js';
import type { ContainerSpec } from '../../core/checks/spec.js';
import { dockerInspectSpecs, isDockerInspect } from '../../core/checks/docker-inspect.js';
import { k8sWorkloadSpecs } from '../../core/checks/k8s-workload.js';

export const CHECK_LIMITS = { maxBytes: 32 * 1024 * 1024, maxDocuments: 10_000 };

export interface CheckInput {
  format: 'docker-inspect' | 'kubernetes';
  specs: ContainerSpec[];
  skipped: string[];
}

async function readAll(path: string): Promise<string> {
  if (path === '-') {
    const chunks: Buffer[] = [];
    let n = 0;
    for await (const c of process.stdin) {
      n += (c as Buffer).length;
      if (n > CHECK_LIMITS.maxBytes) throw new LimitError('LIMIT_CHECK_INPUT_SIZE', `input larger than ${CHECK_LIMITS.maxBytes} bytes`, 'stdin');
      chunks.push(c as Buffer);
    }
    return Buffer.concat(chunks).toString('utf8');
  }
  let st;
  try {
    st = await stat(path);
  } catch (e) {
    throw new InputError('CHECK_INPUT_NOT_FOUND', (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message, path);
  }
  if (!st.isFile()) throw new InputError('CHECK_INPUT_NOT_FILE', 'not a regular file', path);
  if (st.size > CHECK_LIMITS.maxBytes) throw new LimitError('LIMIT_CHECK_INPUT_SIZE', `larger than ${CHECK_LIMITS.maxBytes} bytes`, path);
  return readFile(path, 'utf8');
}

/** Parse input text (exported for tests). */
export function parseCheckInput(text: string, where: string): CheckInput {
  if (text.includes('\u0000')) throw new InputError('CHECK_INPUT_BINARY', 'not a text file', where);
  const trimmed = text.trimStart();
  if (trimmed.startsWith('[') || trimmed.startsWith('{')) {
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch {
      doc = undefined; // flow-style YAML is also JSON-like; let the YAML parser report
    }
    if (doc !== undefined) {
      if (Array.isArray(doc) && doc.length === 0) return { format: 'docker-inspect', specs: [], skipped: [] };
      if (isDockerInspect(doc)) return { format: 'docker-inspect', specs: dockerInspectSpecs(doc, where), skipped: [] };
      const items = Array.isArray(doc) ? doc : [doc];
      const out: CheckInput = { format: 'kubernetes', specs: [], skipped: [] };
      items.forEach((d, i) => {
        const r = k8sWorkloadSpecs(d, Array.isArray(doc) ? `${where}[${i}]` : where);
        out.specs.push(...r.specs);
        out.skipped.push(...r.skipped);
      });
      return out;
    }
  }
  const docs = parseAllDocuments(text, { prettyErrors: false });
  const list = Array.isArray(docs) ? docs : [docs];
  if (list.length > CHECK_LIMITS.maxDocuments) throw new LimitError('LIMIT_CHECK_DOCUMENTS', `more than ${CHECK_LIMITS.maxDocuments} documents`, where);
  const out: CheckInput = { format: 'kubernetes', specs: [], skipped: [] };
  list.forEach((d, i) => {
    if (d.errors.length) {
      const err = d.errors[0]!;
      const line = text.slice(0, err.pos[0]).split('\n').length;
      throw new InputError('CHECK_INPUT_YAML', `line ${line}: ${err.message.split('\n')[0]}`, where);
    }
    let value: unknown;
    try {
      value = d.toJS({ maxAliasCount: 100 });
    } catch (e) {
      throw new InputError('CHECK_INPUT_YAML', `document ${i + 1}: ${(e as Error).message.split('\n')[0]}`, where);
    }
    if (value === null || value === undefined) return;
    if (isDockerInspect(value)) {
      out.format = 'docker-inspect';
      out.specs.push(...dockerInspectSpecs(value, where));
      return;
    }
    const r = k8sWorkloadSpecs(value, list.length > 1 ? `${where} document ${i + 1}` : where);
    out.specs.push(...r.specs);
    out.skipped.push(...r.skipped);
  });
  return out;
}

export async function readCheckInput(path: string): Promise<CheckInput> {
  const text = await readAll(path);
  return parseCheckInput(text, path === '-' ? 'stdin' : path);
}
